/**
 * Web Worker reading HDF5 files for the trial previews with h5wasm, lazily: the file is an
 * Emscripten file whose reads go through an LRU block cache filled by synchronous HTTP Range
 * requests to the server's /files/ route (synchronous XHR is allowed in workers, and HDF5's
 * C reads are synchronous). Opening a file and reading one trial moves the metadata blocks HDF5
 * touches plus that trial's bytes, never the whole file.
 */
import { dtypeForHdf5Type, describeHdf5Type } from '../../core/dtype.js';
import { type H5TypeMetadata, hdf5ErrorReason, hdf5TypeOfMetadata } from '../../core/hdf5Metadata.js';
import { arrayNameOfFile } from '../../core/layout.js';
import { folderEntryOfContentsItem, stampOf, type IContentsItem, type IFolderEntry } from '../provider/types.js';
import { type H5wasm, loadH5wasm } from './h5wasm-loader.js';
import { LruBlockCache } from './lru-blocks.js';
import { answerAnalysisRequest } from '../analysis/worker-handlers.js';
import { datasetRefusalInWorker } from './hdf5-dataset-guard.js';
import { valueAsTypedArray } from '../../core/hdf5Containment.js';
import {
  remoteFileUrl,
  type IDatasetInfo,
  type IRemoteFile,
  type IRemoteFolder,
  type PreviewReply,
  type PreviewRequest
} from './hdf5-preview-protocol.js';

type H5File = InstanceType<H5wasm['File']>;

interface IWorkerScope {
  onmessage: ((event: { data: PreviewRequest }) => void) | null;
  postMessage(message: PreviewReply, transfer?: Transferable[]): void;
}

/** A file opened lazily, for one stamp (version) of it. */
interface IOpenFile {
  readonly stamp: string;
  readonly memoryPath: string;
  readonly file: H5File;
  readonly cache: LruBlockCache;
  /**
   * Bytes the server sent for this file: what the byte budget is about. Equal to the cache's
   * count while the server honours ranges; the whole file per request when it does not.
   */
  readonly traffic: { bytesReceived: number };
}

/** Emscripten's file-system node and stream, reduced to what is replaced here. */
interface IFsNode {
  contents: unknown;
  stream_ops: Record<string, unknown>;
}

const scope = self as unknown as IWorkerScope;
const MAX_OPEN_FILES = 8;
/**
 * Bytes of the first request for a file: HDF5 reads the superblock, then the root group's
 * object header, B-tree and heap, which h5py writes near the start; one request for them all
 * saves round trips (each a few ms to tens of ms) at the cost of a few hundred KiB.
 */
const HEAD_BYTES = 512 * 1024;
let blockSize = 64 * 1024;
let maxBlocks = 256;
let nextFile = 0;
const openFiles = new Map<string, IOpenFile>();


/**
 * Bytes [start, end) of the remote file, the file's total size from Content-Range, and how many
 * bytes the response carried.
 */
function fetchRange(file: IRemoteFile, start: number, end: number): { bytes: Uint8Array; total: number; received: number } {
  const request = new XMLHttpRequest();
  request.open('GET', file.url, false);
  request.responseType = 'arraybuffer';
  request.setRequestHeader('Range', `bytes=${start}-${end - 1}`);
  if (file.authorization !== '') {
    request.setRequestHeader('Authorization', file.authorization);
  }
  request.send(null);
  if (request.status === 404) {
    throw new Error('file not found');
  }
  if (request.status === 416) {
    throw new Error('file is shorter than expected (being rewritten?)');
  }
  if (request.status !== 206 && request.status !== 200) {
    throw new Error(`HTTP ${request.status} reading bytes ${start}-${end - 1}`);
  }
  const bytes = new Uint8Array(request.response as ArrayBuffer);
  if (request.status === 200) {
    // The server ignored the range: the whole file came (the budget is lost, not the data).
    return { bytes: bytes.slice(start, end), total: bytes.length, received: bytes.length };
  }
  const range = /\/(\d+)\s*$/.exec(request.getResponseHeader('Content-Range') ?? '');
  return { bytes, total: range ? Number(range[1]) : end, received: bytes.length };
}

function closeFile(path: string): void {
  const open = openFiles.get(path);
  if (open === undefined) {
    return;
  }
  openFiles.delete(path);
  try {
    open.file.close();
  } finally {
    // An open file means h5wasm is loaded: this resolves at once.
    loadH5wasm().then(h5wasm => h5wasm.FS!.unlink(open.memoryPath)).catch(() => undefined);
  }
}

/** The file opened for this stamp: re-opened (cache dropped) when the file changed. */
async function openFile(remote: IRemoteFile): Promise<IOpenFile> {
  const known = openFiles.get(remote.path);
  if (known !== undefined && known.stamp === remote.stamp) {
    openFiles.delete(remote.path);
    openFiles.set(remote.path, known);
    return known;
  }
  closeFile(remote.path);
  const h5wasm = await loadH5wasm();
  const FS = h5wasm.FS!;
  // The first request tells the file's current size (Content-Range); its bytes (whole blocks,
  // at most half the cache) go into the cache.
  const headBytes = Math.max(blockSize, Math.min(HEAD_BYTES, Math.floor(maxBlocks / 2) * blockSize));
  const head = fetchRange(remote, 0, headBytes);
  const traffic = { bytesReceived: head.received };
  const cache = new LruBlockCache({
    length: head.total,
    blockSize,
    maxBlocks,
    fetchRange: (start, end) => {
      const fetched = fetchRange(remote, start, end);
      traffic.bytesReceived += fetched.received;
      return fetched.bytes;
    }
  });
  cache.prime(head.bytes);
  const name = `preview-${nextFile++}.h5`;
  const memoryPath = `/${name}`;
  const fs = FS as unknown as {
    createLazyFile(parent: string, name: string, url: string, read: boolean, write: boolean): IFsNode;
  };
  const node = fs.createLazyFile('/', name, remote.url, true, false);
  // Emscripten's lazy file would fetch 1 MiB chunks with no headers and keep them all: reads
  // go through the block cache instead.
  node.contents = { get length() { return cache.length; } };
  const read = (_stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) =>
    cache.read(buffer, offset, length, position);
  node.stream_ops = { ...node.stream_ops, read };
  let file: H5File;
  try {
    file = new h5wasm.File(memoryPath, 'r');
  } catch (error) {
    FS.unlink(memoryPath);
    throw error;
  }
  if (file.file_id < 0n) {
    FS.unlink(memoryPath);
    throw new Error('not an HDF5 file');
  }
  const open = { stamp: remote.stamp, memoryPath, file, cache, traffic };
  openFiles.set(remote.path, open);
  while (openFiles.size > MAX_OPEN_FILES) {
    closeFile(openFiles.keys().next().value as string);
  }
  return open;
}

function dtypeName(metadata: H5TypeMetadata): string {
  const type = hdf5TypeOfMetadata(metadata);
  return dtypeForHdf5Type(type) ?? describeHdf5Type(type);
}

function datasetMetadata(h5wasm: H5wasm, file: H5File, name: string): (H5TypeMetadata & { shape: number[] | null }) | undefined {
  const entity = file.get(name);
  return entity instanceof h5wasm.Dataset ? entity.metadata : undefined;
}

async function describe(remote: IRemoteFile): Promise<PreviewReply & { datasets: IDatasetInfo[] }> {
  const h5wasm = await loadH5wasm();
  const open = await openFile(remote);
  const datasets: IDatasetInfo[] = [];
  for (const name of open.file.keys()) {
    const metadata = datasetMetadata(h5wasm, open.file, name);
    if (metadata !== undefined) {
      datasets.push({ name, dtype: dtypeName(metadata), shape: metadata.shape ?? [] });
    }
  }
  return { id: 0, datasets, bytesFetched: open.traffic.bytesReceived };
}

type ReadReply = Extract<PreviewReply, { found: true }> | Extract<PreviewReply, { found: false }>;
/** A dataset read ahead (readAheadFolder) for the read of it expected next. */
interface IReadAhead {
  readonly stamp: string;
  readonly dataset: string;
  readonly reply: ReadReply;
}
/**
 * Read-aheads by file path, each given once. Those of one folder at a time: a new read-ahead
 * drops the others.
 */
const readAheads = new Map<string, IReadAhead>();

/** Reads one dataset whole: the reply to a read (data not yet transferred). */
function readValue(h5wasm: H5wasm, open: IOpenFile, name: string): ReadReply {
  // A plain name is looked up directly (one walk down the root group's B-tree; null when
  // absent): listing every link would read all of the group's symbol-table nodes, which h5py
  // scatters through the file between the datasets. A name with '/' would be a path: listed.
  const entity = !name.includes('/') || open.file.keys().includes(name) ? open.file.get(name) : undefined;
  if (entity instanceof h5wasm.Dataset || entity instanceof h5wasm.ExternalLink) {
    // Before any data is read: data in other files, impossible sizes, missing filters.
    const refusal = datasetRefusalInWorker(h5wasm.Module, open.file.file_id, name, open.cache);
    if (refusal !== undefined) throw new Error(`dataset "${name}" ${refusal}`);
  }
  if (entity !== undefined && entity !== null && !(entity instanceof h5wasm.Dataset)) {
    // AxoPy writes one dataset per trial: anything else under the trial's name is a bad file,
    // not a trial without this array.
    throw new Error(`"${name}" is ${entity instanceof h5wasm.Group ? 'a group' : 'a link'}, not a dataset`);
  }
  if (!(entity instanceof h5wasm.Dataset)) {
    return { id: 0, found: false, bytesFetched: open.traffic.bytesReceived };
  }
  const metadata = entity.metadata;
  const dtype = dtypeName(metadata);
  if (metadata.type !== 0 && metadata.type !== 1 && metadata.type !== 8) {
    throw new Error(`dataset "${name}" holds ${dtype} values, which cannot be plotted`);
  }
  // A scalar comes as a number: sent as a one-element array (a number has no buffer to transfer).
  const value = valueAsTypedArray(entity.value, metadata.size, metadata.type, metadata.signed);
  return { id: 0, found: true, dtype, shape: metadata.shape ?? [], data: value, bytesFetched: open.traffic.bytesReceived };
}

async function read(remote: IRemoteFile, name: string, id: number): Promise<void> {
  const ahead = readAheads.get(remote.path);
  const hit = ahead !== undefined && ahead.stamp === remote.stamp && ahead.dataset === name;
  if (hit || ahead?.stamp !== remote.stamp) {
    // Given once; one of another version of the file (it changed since) will not be asked for.
    readAheads.delete(remote.path);
  }
  const reply = { ...(hit ? ahead.reply : readValue(await loadH5wasm(), await openFile(remote), name)), id };
  scope.postMessage(reply, reply.found ? [reply.data.buffer] : []);
}

/** A folder's listing, by a synchronous request (like the file reads: nothing interleaves). */
function listFolder(folder: IRemoteFolder): IFolderEntry[] {
  const request = new XMLHttpRequest();
  request.open('GET', folder.listingUrl, false);
  if (folder.authorization !== '') {
    request.setRequestHeader('Authorization', folder.authorization);
  }
  request.send(null);
  if (request.status !== 200) {
    throw new Error(`HTTP ${request.status} listing the folder`);
  }
  const model = JSON.parse(request.responseText) as { content?: IContentsItem[] };
  return Array.isArray(model.content) ? model.content.map(folderEntryOfContentsItem) : [];
}

/**
 * Reads `dataset` of every array file of a folder ahead of the page's reads: the page lists the
 * folder too, but its main thread is busy laying out the new preview when the listing comes
 * back, while this worker is idle. Returns how many were read; a file that fails is left for
 * the page's read to meet and report.
 */
async function readAheadFolder(folder: IRemoteFolder, dataset: string): Promise<number> {
  readAheads.clear();
  const h5wasm = await loadH5wasm();
  for (const entry of listFolder(folder)) {
    if (entry.isFolder || arrayNameOfFile(entry.name) === undefined) continue;
    const stamp = stampOf(entry);
    const remote = { path: entry.path, url: remoteFileUrl(folder.filesUrl, entry.path, stamp), stamp, authorization: folder.authorization };
    try {
      readAheads.set(remote.path, { stamp, dataset, reply: readValue(h5wasm, await openFile(remote), dataset) });
    } catch {
      closeFile(remote.path);
    }
  }
  return readAheads.size;
}

async function handle(request: PreviewRequest): Promise<void> {
  switch (request.op) {
    case 'warm':
      await loadH5wasm();
      scope.postMessage({ id: request.id, warmed: true });
      return;
    case 'readAheadFolder':
      scope.postMessage({ id: request.id, readAhead: await readAheadFolder(request.folder, request.dataset) });
      return;
    case 'configure':
      blockSize = request.blockSize;
      maxBlocks = request.maxBlocks;
      scope.postMessage({ id: request.id, configured: true });
      return;
    case 'describe':
      scope.postMessage({ ...(await describe(request.file)), id: request.id });
      return;
    case 'read':
      return read(request.file, request.dataset, request.id);
    case 'reduceTrials': {
      const [h5wasm, open] = [await loadH5wasm(), await openFile(request.file)];
      return answerAnalysisRequest(request, name => readValue(h5wasm, open, name), () => open.traffic.bytesReceived, (reply, transfer) => scope.postMessage(reply, transfer), open.cache);
    }
  }
}

/**
 * Requests run one after the other, in order: a read asked for while a read-ahead waits for
 * h5wasm to load runs after it, and finds its data read ahead instead of reading it twice.
 */
let queue = Promise.resolve();

scope.onmessage = event => {
  const request = event.data;
  queue = queue.then(() =>
    handle(request).catch((error: unknown) => {
      const path = 'file' in request ? `${request.file.path}: ` : 'folder' in request ? `${request.folder.path}: ` : '';
      if ('file' in request) {
        // A failed open leaves nothing cached: the next request tries again.
        closeFile(request.file.path);
      }
      scope.postMessage({ id: request.id, error: `${path}${hdf5ErrorReason(error)}` });
    })
  );
};
