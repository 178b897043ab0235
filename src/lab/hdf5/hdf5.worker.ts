/**
 * The one Web Worker of the browser's HDF5 service: one h5wasm instance and one
 * {@link Hdf5RangeReader} (reader.ts) for the sidebar's dataset counts, the previews and Check
 * Dataset, reading by synchronous HTTP Range requests to the server's /files/ route
 * (synchronous XHR is allowed in workers, and HDF5's C reads are synchronous).
 */
import { answerAnalysisRequest, type IReduceTrialsRequest, type IScanningReader } from '../analysis/worker-handlers.js';
import { datasetNameForRow } from '../../core/layout.js';
import type { IDirectTrial } from './direct-reads.js';
import { filesBeingRecovered, journalFileName } from '../../core/hdf5-journal.js';
import { FormatError, AxoPyError } from '../../core/errors.js';
import { hdf5ErrorReason } from '../../core/hdf5-metadata.js';
import { arrayNameOfFile } from '../../core/layout.js';
import { folderEntryOfContentsItem, stampOf, type IContentsItem, type IFolderEntry } from '../provider/types.js';
import { serializeError } from './errors.js';
import { loadH5wasm } from './h5wasm-loader.js';
import { remoteFileUrl, type Hdf5Reply, type Hdf5Request, type IRemoteFile, type IRemoteFolder } from './protocol.js';
import { Hdf5RangeReader, type IAsyncRangeSource, type IRangeResponse, type ReadResult } from './reader.js';
import { BufferPool, Slots } from './buffer-pool.js';
import { fetchByteRanges, SIBLING_HEADER, siblingExists } from './multi-range.js';

interface IWorkerScope {
  onmessage: ((event: { data: Hdf5Request }) => void) | null;
  postMessage(message: Hdf5Reply, transfer?: Transferable[]): void;
}

const scope = self as unknown as IWorkerScope;

/** Bytes [start, end) of the remote file by a synchronous Range request. */
function fetchRange(file: IRemoteFile, start: number, end: number): IRangeResponse {
  const request = new XMLHttpRequest();
  request.open('GET', file.url, false);
  request.responseType = 'arraybuffer';
  request.setRequestHeader('Range', `bytes=${start}-${end - 1}`);
  if (file.authorization !== '') request.setRequestHeader('Authorization', file.authorization);
  request.send(null);
  if (request.status === 404) throw new Error('file not found');
  if (request.status === 416) throw new Error('file is shorter than expected (being rewritten?)');
  if (request.status !== 206 && request.status !== 200)
    throw new Error(`HTTP ${request.status} reading bytes ${start}-${end - 1}`);
  const bytes = new Uint8Array(request.response as ArrayBuffer);
  if (request.status === 200) {
    // The server ignored the range: the whole file came (the budget is lost, not the data).
    return { bytes: bytes.slice(start, end), total: bytes.length, received: bytes.length };
  }
  const range = /\/(\d+)\s*$/.exec(request.getResponseHeader('Content-Range') ?? '');
  return { bytes, total: range ? Number(range[1]) : end, received: bytes.length };
}

function headersOf(file: IRemoteFile, extra: Record<string, string> = {}): Record<string, string> {
  return file.authorization === '' ? extra : { ...extra, Authorization: file.authorization };
}

/**
 * The URL and headers of a direct read: the extension's endpoint, asked whether the file's flush
 * journal lies beside it (each response says, with the data), where there is one; else /files/.
 */
function directRequestOf(
  file: IRemoteFile,
  extra: Record<string, string> = {}
): { url: string; headers: Record<string, string> } {
  if (file.multiRangeUrl === undefined) return { url: file.url, headers: headersOf(file, extra) };
  const name = journalFileName(file.path.slice(file.path.lastIndexOf('/') + 1));
  return { url: file.multiRangeUrl, headers: headersOf(file, { ...extra, [SIBLING_HEADER]: name }) };
}

/**
 * Buffers of direct reads, given back once their chunk is reduced: as many as direct reads hold
 * at once ({@link directReadSlots}); a chunk whose trials come in two runs takes a new one.
 */
const directBuffers = new BufferPool(2);

/**
 * The response's body read into `target` (a byte-stream reader fills it in place: no buffer
 * of the response's own); fewer bytes if the body is shorter, as a cut response is.
 */
async function bodyInto(response: Response, target: Uint8Array): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  let reader: ReadableStreamBYOBReader;
  try {
    reader = response.body.getReader({ mode: 'byob' });
  } catch {
    // A browser without byte streams for fetch bodies: the response's own buffer.
    return new Uint8Array(await response.arrayBuffer());
  }
  // Each read detaches the buffer it fills (and `target` with it): its length is kept here.
  const length = target.length;
  let buffer = target.buffer as ArrayBuffer;
  let filled = 0;
  while (filled < length) {
    const { value, done } = await reader.read(new Uint8Array(buffer, filled, length - filled));
    if (value !== undefined) {
      buffer = value.buffer as ArrayBuffer;
      filled += value.byteLength;
    }
    if (done) break;
  }
  if (filled === length) {
    // Read to its end, so that the connection is free again.
    const { done } = await reader.read(new Uint8Array(1));
    if (!done) await reader.cancel();
  }
  reader.releaseLock();
  return new Uint8Array(buffer, 0, filled);
}

/**
 * Direct reads' Range requests, asynchronous (fetch): many trials' data in one response, which
 * the worker reduces while the next is on its way. Not kept by the browser's HTTP cache.
 */
const asyncRangeSource: IAsyncRangeSource = {
  async fetchRange(file, start, end) {
    const { url, headers } = directRequestOf(file, { Range: `bytes=${start}-${end - 1}` });
    const response = await fetch(url, { headers, cache: 'no-store' });
    if (response.status === 404) throw new Error('file not found');
    if (response.status === 416) throw new Error('file is shorter than expected (being rewritten?)');
    if (response.status !== 206 && response.status !== 200)
      throw new Error(`HTTP ${response.status} reading bytes ${start}-${end - 1}`);
    const bytes =
      response.status === 206
        ? await bodyInto(response, directBuffers.take(end - start))
        : new Uint8Array(await response.arrayBuffer());
    const modified = response.headers.get('Last-Modified') ?? undefined;
    const journal = siblingExists(response);
    if (response.status === 200)
      return { bytes: bytes.subarray(start, end), total: bytes.length, received: bytes.length, modified, journal };
    const range = /\/(\d+)\s*$/.exec(response.headers.get('Content-Range') ?? '');
    return { bytes, total: range ? Number(range[1]) : end, received: bytes.length, modified, journal };
  },
  async fetchRanges(file, ranges) {
    const { url, headers } = directRequestOf(file);
    const fetched = await fetchByteRanges(fetch, url, headers, ranges);
    return fetched.map(({ sibling, ...range }) => ({ ...range, journal: sibling }));
  },
  async journalExists(file) {
    // The folder's listing (a missing journal is no failed request); no listing: assume one.
    if (file.folderListingUrl === undefined) return true;
    const response = await fetch(file.folderListingUrl, { headers: headersOf(file), cache: 'no-store' });
    if (response.status !== 200) return true;
    const model = (await response.json()) as { content?: IContentsItem[] };
    const names = Array.isArray(model.content) ? model.content.map(item => item.name) : [];
    return filesBeingRecovered(names).includes(file.path.slice(file.path.lastIndexOf('/') + 1));
  }
};

let readerLoading: Promise<Hdf5RangeReader> | undefined;
function reader(): Promise<Hdf5RangeReader> {
  readerLoading ??= loadH5wasm().then(h5wasm => new Hdf5RangeReader(h5wasm, fetchRange));
  return readerLoading;
}

/** A dataset read ahead (readAheadFolder) for the read of it expected next. */
interface IReadAhead {
  readonly stamp: string;
  readonly dataset: string;
  readonly result: ReadResult;
}
/** Read-aheads by file path, each given once; a new read-ahead drops the others. */
const readAheads = new Map<string, IReadAhead>();

async function read(remote: IRemoteFile, name: string, id: number): Promise<void> {
  const ahead = readAheads.get(remote.path);
  const hit = ahead !== undefined && ahead.stamp === remote.stamp && ahead.dataset === name;
  if (hit || ahead?.stamp !== remote.stamp) readAheads.delete(remote.path);
  const result = hit ? ahead.result : (await reader()).read(remote, name);
  scope.postMessage({ ...result, id }, result.found ? [result.data.buffer as ArrayBuffer] : []);
}

/** A folder's listing, by a synchronous request (like the file reads: nothing interleaves). */
function listFolder(folder: IRemoteFolder): IFolderEntry[] {
  const request = new XMLHttpRequest();
  request.open('GET', folder.listingUrl, false);
  if (folder.authorization !== '') request.setRequestHeader('Authorization', folder.authorization);
  request.send(null);
  if (request.status !== 200) throw new Error(`HTTP ${request.status} listing the folder`);
  const model = JSON.parse(request.responseText) as { content?: IContentsItem[] };
  return Array.isArray(model.content) ? model.content.map(folderEntryOfContentsItem) : [];
}

/**
 * Reads `dataset` of every array file of a folder ahead of the page's reads: the page lists the
 * folder too, but its main thread is busy laying out the new preview when the listing comes
 * back, while this worker is idle. A file that fails is left for the page's read to report.
 */
async function readAheadFolder(folder: IRemoteFolder, dataset: string): Promise<number> {
  readAheads.clear();
  const files = await reader();
  for (const entry of listFolder(folder)) {
    if (entry.isFolder || arrayNameOfFile(entry.name) === undefined) continue;
    const stamp = stampOf(entry);
    const remote = {
      path: entry.path,
      url: remoteFileUrl(folder.filesUrl, entry.path, stamp),
      stamp,
      authorization: folder.authorization
    };
    try {
      readAheads.set(remote.path, { stamp, dataset, result: files.read(remote, dataset) });
    } catch {
      files.close(remote.path);
    }
  }
  return readAheads.size;
}

/** Resolves in a task of its own, after the messages already queued (a timeout may be clamped to 4 ms). */
function nextTask(): Promise<void> {
  return new Promise(resolve => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Direct reads holding buffers at once: the chunk being reduced and the one fetched behind it. */
const directReadSlots = new Slots(2);

/** A chunk's direct read, started when asked for; `done` frees its slot once the chunk is answered. */
interface IDirectRead {
  readonly trials: Promise<Map<string, IDirectTrial>>;
  readonly done: () => void;
}

/**
 * Starts the direct read of a chunk's trials as soon as it is asked for and a slot is free,
 * while the chunk before it is still being reduced: the network and the reduction overlap. The
 * view asks for more chunks than there are slots, so the next fetch starts when a reduction
 * ends, not after a round trip to the page. A failure leaves the chunk to h5wasm, which reports it.
 */
function startDirectRead(request: IReduceTrialsRequest): IDirectRead {
  const names = request.chunk.trials.map(({ row }) => datasetNameForRow(row));
  const slot = directReadSlots.acquire();
  const trials = slot
    .then(() => reader())
    .then(files => files.readDirect(request.file, names, asyncRangeSource))
    .catch(() => new Map<string, IDirectTrial>());
  return { trials, done: () => void slot.then(free => free()) };
}

async function handle(request: Hdf5Request, directRead?: IDirectRead): Promise<void> {
  switch (request.op) {
    case 'warm':
      await reader();
      scope.postMessage({ id: request.id, warmed: true });
      return;
    case 'readAheadFolder':
      scope.postMessage({ id: request.id, readAhead: await readAheadFolder(request.folder, request.dataset) });
      return;
    case 'configure': {
      const files = await reader();
      files.options = { blockSize: request.blockSize, maxBlocks: request.maxBlocks, limits: request.limits };
      scope.postMessage({ id: request.id, configured: true });
      return;
    }
    case 'describe':
      scope.postMessage({ ...(await reader()).describe(request.file), id: request.id });
      return;
    case 'count':
      scope.postMessage({ ...(await reader()).count(request.file), id: request.id, op: 'count' });
      return;
    case 'read':
      return read(request.file, request.dataset, request.id);
    case 'reduceTrials': {
      const files = await reader();
      const trials = await directRead?.trials;
      // Requests that came meanwhile start their fetches before this chunk's reduction holds the thread.
      await nextTask();
      const scanningReader: IScanningReader = {
        read: (remote, dataset) => files.read(remote, dataset),
        scanning<T>(remote: IRemoteFile, readAhead: number, scan: () => T): T {
          return files.scanning(remote, readAhead, scan);
        },
        readDirect: async (remote, names) => trials ?? files.readDirect(remote, names, asyncRangeSource),
        bytesFetched: remote => files.bytesFetched(remote),
        release: trials => directBuffers.give([...trials].map(trial => trial.data.buffer))
      };
      return answerAnalysisRequest(request, scanningReader, (reply, transfer) => scope.postMessage(reply, transfer));
    }
  }
}

/** The error to send: a typed one as it is; HDF5's or the network's as a FormatError naming the file. */
function typedError(request: Hdf5Request, error: unknown): unknown {
  if (error instanceof AxoPyError) return error;
  if ('file' in request) return new FormatError(request.file.path, hdf5ErrorReason(error));
  if ('folder' in request) return new FormatError(request.folder.path, hdf5ErrorReason(error));
  return error;
}

/**
 * Requests run one after the other, in order: a read asked for while a read-ahead waits for
 * h5wasm to load runs after it, and finds its data read ahead instead of reading it twice.
 */
let queue = Promise.resolve();

scope.onmessage = event => {
  const request = event.data;
  const directRead = request.op === 'reduceTrials' ? startDirectRead(request) : undefined;
  queue = queue.then(() =>
    handle(request, directRead)
      .catch(async (error: unknown) => {
        // A failed open leaves nothing cached: the next request tries again.
        if ('file' in request) (await reader().catch(() => undefined))?.close(request.file.path);
        scope.postMessage({ id: request.id, error: serializeError(typedError(request, error)) });
      })
      .finally(() => directRead?.done())
  );
};
