/**
 * The one HDF5 reader of the browser, as plain code over h5wasm and a synchronous range fetcher:
 * the worker (hdf5.worker.ts) gives it HTTP Range requests, Node tests give it a file. Each file
 * is an Emscripten lazy file whose reads go through an LRU block cache, so describing a file,
 * counting its datasets or reading one trial moves the blocks HDF5 touches, never the whole file.
 */
import { DatasetRefusedError, FormatError } from '../../core/errors.js';
import type { Hdf5ReadLimits } from '../../core/hdf5-containment.js';
import { valueAsTypedArray } from '../../core/hdf5-containment.js';
import { dtypeNameOfMetadata } from '../../core/hdf5-metadata.js';
import { datasetRefusalInWorker, readAtOfSource } from './dataset-guard.js';
import { type IDirectFileState, type IDirectTrial, loadDirectFileState, readDirectTrials } from './direct-reads.js';
import { LruBlockCache } from './lru-blocks.js';
import type { IByteRange } from './multi-range.js';
import type { IDatasetInfo, IDatasetCount, IRemoteFile } from './protocol.js';

import type { H5wasm } from './h5wasm-loader.js';

export type { H5wasm } from './h5wasm-loader.js';
type H5File = InstanceType<H5wasm['File']>;

/** Bytes [start, end) of a file, the file's total size, and how many bytes were moved. */
export interface IRangeResponse {
  readonly bytes: Uint8Array;
  readonly total: number;
  readonly received: number;
}

/** Reads a range of a remote file synchronously (HDF5's C reads are synchronous). */
export type RangeFetcher = (file: IRemoteFile, start: number, end: number) => IRangeResponse;

/** An asynchronous Range response, with the file's modification time as the server gives it. */
export interface IAsyncRangeResponse extends IRangeResponse {
  readonly modified: string | undefined;
  /**
   * Whether the file's flush journal lay beside it when the server answered, where the server
   * says (the extension's endpoint); undefined where it does not (then a listing tells).
   */
  readonly journal?: boolean;
}

/** The asynchronous reads of direct reads (fetch in the worker, files in Node tests). */
export interface IAsyncRangeSource {
  fetchRange(file: IRemoteFile, start: number, end: number): Promise<IAsyncRangeResponse>;
  /**
   * Many small ranges in few requests (the server extension's multi-range files endpoint), in
   * the order asked; called only for a file with a `multiRangeUrl`. Without either, each range
   * is its own {@link fetchRange}.
   */
  fetchRanges?(file: IRemoteFile, ranges: readonly IByteRange[]): Promise<IAsyncRangeResponse[]>;
  /** Whether a flush journal lies beside the file: a writer is committing in-place updates. */
  journalExists(file: IRemoteFile): Promise<boolean>;
}

/** A dataset read whole (data not yet transferred), or that the file has none of that name. */
export type ReadResult =
  | {
      readonly found: true;
      readonly dtype: string;
      readonly shape: number[];
      readonly data: ArrayBufferView;
      readonly bytesFetched: number;
    }
  | { readonly found: false; readonly bytesFetched: number };

/** A file opened lazily, for one stamp (version) of it. */
interface IOpenFile {
  readonly stamp: string;
  readonly memoryPath: string;
  readonly file: H5File;
  readonly cache: LruBlockCache;
  /** Bytes the server sent for this file (the whole file per request if it ignores ranges). */
  readonly traffic: { bytesReceived: number };
  /** Direct reads' knowledge of the file, loading or loaded (null: not parsable here). */
  direct?: Promise<IDirectFileState | null>;
  /** The modification time the server gave for the first direct read: another means a change. */
  modified?: string;
  /** Direct reads' metadata blocks, and whether a first chunk was left to h5wasm. */
  metadata?: LruBlockCache;
  firstChunkSeen?: boolean;
}

/** Emscripten's file-system node, reduced to what is replaced here. */
interface IFsNode {
  contents: unknown;
  stream_ops: Record<string, unknown>;
}

const MAX_OPEN_FILES = 8;
/** Names of the in-memory files, unique in the module's file system (which readers share). */
let nextMemoryFile = 0;
/**
 * Bytes of the first request for a file: HDF5 reads the superblock, then the root group's
 * object header, B-tree and heap, which h5py writes near the start; one request for them all
 * saves round trips.
 */
const HEAD_BYTES = 512 * 1024;
/** Direct reads' metadata cache: 4 KiB blocks, 2 MiB. */
const METADATA_BLOCK_BYTES = 4096;
const METADATA_BLOCKS = 512;

/** Options of {@link Hdf5RangeReader}. */
export interface IHdf5RangeReaderOptions {
  blockSize: number;
  maxBlocks: number;
  limits: Hdf5ReadLimits;
}

/** Open files by path (a few, least recently used closed first) and what is done with them. */
export class Hdf5RangeReader {
  constructor(
    private readonly _h5wasm: H5wasm,
    private readonly _fetchRange: RangeFetcher,
    options: Partial<IHdf5RangeReaderOptions> = {}
  ) {
    this.options = { blockSize: 64 * 1024, maxBlocks: 256, limits: {}, ...options };
  }

  /** Block size and cache of files opened from now on; limits of every read. */
  options: IHdf5RangeReaderOptions;

  /** Names, dtypes and shapes of the root datasets; a dataset refused by rule says why. */
  describe(remote: IRemoteFile): { datasets: IDatasetInfo[]; bytesFetched: number } {
    const open = this._open(remote);
    const datasets: IDatasetInfo[] = [];
    for (const name of open.file.keys()) {
      const entity = open.file.get(name);
      const isDataset = entity instanceof this._h5wasm.Dataset;
      if (!isDataset && !(entity instanceof this._h5wasm.ExternalLink)) continue;
      const refused = this._refusal(open, name, false);
      const metadata = isDataset ? (entity as InstanceType<H5wasm['Dataset']>).metadata : undefined;
      datasets.push({
        name,
        dtype: metadata === undefined ? 'external link' : dtypeNameOfMetadata(metadata),
        shape: metadata?.shape ?? [],
        ...(refused === undefined ? {} : { refused })
      });
    }
    return { datasets, bytesFetched: open.traffic.bytesReceived };
  }

  /**
   * Datasets of the root group (AxoPy's trials), or the first whose data lies outside the file
   * (an external link or a virtual dataset would otherwise count, or not, as a trial).
   */
  count(remote: IRemoteFile): IDatasetCount {
    const open = this._open(remote);
    let count = 0;
    for (const name of open.file.keys()) {
      const entity = open.file.get(name);
      const isDataset = entity instanceof this._h5wasm.Dataset;
      if (!isDataset && !(entity instanceof this._h5wasm.ExternalLink)) continue;
      const refused = this._refusal(open, name, true);
      if (refused !== undefined)
        return { refused: { dataset: name, reason: refused }, bytesFetched: open.traffic.bytesReceived };
      if (isDataset) count++;
    }
    return { count, bytesFetched: open.traffic.bytesReceived };
  }

  /** Reads one dataset whole; DatasetRefusedError before any data is read if it breaks a rule. */
  read(remote: IRemoteFile, name: string): ReadResult {
    const h5wasm = this._h5wasm;
    const open = this._open(remote);
    // A plain name is looked up directly (one walk down the root group's B-tree): listing every
    // link would read all of the group's symbol-table nodes, which h5py scatters through the file.
    const entity = !name.includes('/') || open.file.keys().includes(name) ? open.file.get(name) : undefined;
    if (entity instanceof h5wasm.Dataset || entity instanceof h5wasm.ExternalLink) {
      const refused = this._refusal(open, name, false);
      if (refused !== undefined) throw new DatasetRefusedError(remote.path, name, refused);
    }
    if (entity !== undefined && entity !== null && !(entity instanceof h5wasm.Dataset)) {
      // AxoPy writes one dataset per trial: anything else under the trial's name is a bad file.
      throw new FormatError(
        remote.path,
        `"${name}" is ${entity instanceof h5wasm.Group ? 'a group' : 'a link'}, not a dataset`
      );
    }
    if (!(entity instanceof h5wasm.Dataset)) return { found: false, bytesFetched: open.traffic.bytesReceived };
    const metadata = entity.metadata;
    const dtype = dtypeNameOfMetadata(metadata);
    if (metadata.type !== 0 && metadata.type !== 1 && metadata.type !== 8) {
      throw new FormatError(remote.path, `dataset "${name}" holds ${dtype} values, which cannot be plotted`);
    }
    // A scalar comes as a number: sent as a one-element array (a number has no buffer to transfer).
    const data = valueAsTypedArray(entity.value, metadata.size, metadata.type, metadata.signed);
    return { found: true, dtype, shape: metadata.shape ?? [], data, bytesFetched: open.traffic.bytesReceived };
  }

  /**
   * Runs `scan` (reads of many datasets of `remote` in file order) with the file's block cache
   * reading `readAhead` bytes after each dataset's data, so a scan takes few large requests.
   */
  scanning<T>(remote: IRemoteFile, readAhead: number, scan: () => T): T {
    const { cache } = this._open(remote);
    const before = cache.readAhead;
    cache.readAhead = readAhead;
    try {
      return scan();
    } finally {
      cache.readAhead = before;
    }
  }

  /**
   * Reads datasets `names` directly (direct-reads.ts): metadata through the file's block cache,
   * data by `source` in few requests. Returns those read; the others are for {@link read}. The
   * kernel's live-file rules hold: a journal beside the file, or a size or modification time
   * other than the file's when opened, leaves the chunk to h5wasm.
   */
  async readDirect(
    remote: IRemoteFile,
    names: readonly string[],
    source: IAsyncRangeSource
  ): Promise<Map<string, IDirectTrial>> {
    const open = this._open(remote);
    if (open.direct === undefined && !open.firstChunkSeen && remote.multiRangeUrl === undefined) {
      // The first chunk through h5wasm (its groups drawn without waiting for the listing of
      // every link, a few hundred requests without the multi-range endpoint); the links are
      // read while it is on the page.
      open.firstChunkSeen = true;
      return new Map();
    }
    // Where the responses say whether a journal lies beside the file (the extension's endpoint),
    // they are the check, made with the data as it was read. Else a folder listing: before the
    // links are first read, first; afterwards beside the chunk's requests (a round trip less per
    // chunk). A journal found discards the chunk and what was learnt of the file with it.
    const listed = remote.multiRangeUrl === undefined ? source.journalExists(remote) : undefined;
    if (open.direct === undefined && listed !== undefined && (await listed)) return new Map();
    let journalSaid = false;
    let journalUnsaid = false;
    const readAt = readAtOfSource(this._metadataCache(remote, open));
    // A response of another size or modification time than the first one's: the file changed.
    const accepted = (response: IAsyncRangeResponse, { start, end }: IByteRange): Uint8Array | undefined => {
      open.traffic.bytesReceived += response.received;
      if (response.journal === undefined) journalUnsaid = true;
      else if (response.journal) journalSaid = true;
      if (response.total !== open.cache.length || response.bytes.length !== end - start) return undefined;
      open.modified ??= response.modified;
      return response.modified === open.modified ? response.bytes : undefined;
    };
    const fetchBytes = async (start: number, end: number): Promise<Uint8Array | undefined> =>
      accepted(await source.fetchRange(remote, start, end), { start, end });
    const fetchPieces = async (ranges: readonly IByteRange[]): Promise<Uint8Array[] | undefined> => {
      const responses =
        source.fetchRanges && remote.multiRangeUrl !== undefined
          ? await source.fetchRanges(remote, ranges)
          : await Promise.all(ranges.map(({ start, end }) => source.fetchRange(remote, start, end)));
      const pieces = responses.map((response, i) => accepted(response, ranges[i]));
      return pieces.every(piece => piece !== undefined) ? (pieces as Uint8Array[]) : undefined;
    };
    // Loaded once per version, by whichever chunk comes first (the next is asked for meanwhile).
    open.direct ??= loadDirectFileState(
      this._head(open),
      fetchPieces,
      open.cache.length,
      this.options.limits,
      (offset, length) => open.cache.peek(offset, length)
    ).then(state => state ?? null);
    const state = await open.direct;
    if (state === null) return new Map();
    const read = await readDirectTrials(
      state,
      names,
      fetchPieces,
      fetchBytes,
      readAt,
      open.cache.length,
      this.options.limits
    );
    const journal = journalSaid || (await (listed ?? (journalUnsaid && source.journalExists(remote))));
    if (journal) {
      open.direct = undefined;
      return new Map();
    }
    return read;
  }

  /**
   * Small blocks for direct reads' metadata: the symbol-table nodes h5py puts between the trials'
   * data are read without the 64 KiB around each (the head comes from the file's cache).
   */
  private _metadataCache(remote: IRemoteFile, open: IOpenFile): LruBlockCache {
    if (open.metadata !== undefined) return open.metadata;
    const metadata = new LruBlockCache({
      length: open.cache.length,
      blockSize: METADATA_BLOCK_BYTES,
      maxBlocks: METADATA_BLOCKS,
      fetchRange: (start, end) => {
        const fetched = this._fetchRange(remote, start, end);
        open.traffic.bytesReceived += fetched.received;
        return fetched.bytes;
      }
    });
    metadata.prime(this._head(open));
    open.metadata = metadata;
    return metadata;
  }

  /** The file's first bytes, from its block cache (read when it was opened). */
  private _head(open: IOpenFile): Uint8Array {
    const head = new Uint8Array(Math.min(HEAD_BYTES, open.cache.length));
    open.cache.read(head, 0, head.length, 0);
    return head;
  }

  /** Bytes moved for the file's current version so far (0 when not open). */
  bytesFetched(remote: IRemoteFile): number {
    const open = this._files.get(remote.path);
    return open !== undefined && open.stamp === remote.stamp ? open.traffic.bytesReceived : 0;
  }

  /** Forgets a file (after a failed open, or to free it). */
  close(path: string): void {
    const open = this._files.get(path);
    if (open === undefined) return;
    this._files.delete(path);
    try {
      open.file.close();
    } finally {
      this._h5wasm.FS!.unlink(open.memoryPath);
    }
  }

  private _refusal(open: IOpenFile, name: string, outsideOnly: boolean): string | undefined {
    return datasetRefusalInWorker(
      this._h5wasm.Module,
      open.file.file_id,
      name,
      open.cache,
      this.options.limits,
      outsideOnly
    );
  }

  /** The file opened for this stamp: re-opened (cache dropped) when the file changed. */
  private _open(remote: IRemoteFile): IOpenFile {
    const known = this._files.get(remote.path);
    if (known !== undefined && known.stamp === remote.stamp) {
      this._files.delete(remote.path);
      this._files.set(remote.path, known);
      return known;
    }
    this.close(remote.path);
    const { blockSize, maxBlocks } = this.options;
    const FS = this._h5wasm.FS!;
    // The first request tells the file's size (Content-Range); its whole blocks go in the cache.
    const headBytes = Math.max(blockSize, Math.min(HEAD_BYTES, Math.floor(maxBlocks / 2) * blockSize));
    const head = this._fetchRange(remote, 0, headBytes);
    const traffic = { bytesReceived: head.received };
    const cache = new LruBlockCache({
      length: head.total,
      blockSize,
      maxBlocks,
      fetchRange: (start, end) => {
        const fetched = this._fetchRange(remote, start, end);
        traffic.bytesReceived += fetched.received;
        return fetched.bytes;
      }
    });
    cache.prime(head.bytes);
    const name = `axopy-${nextMemoryFile++}.h5`;
    const memoryPath = `/${name}`;
    const fs = FS as unknown as {
      createLazyFile(parent: string, name: string, url: string, read: boolean, write: boolean): IFsNode;
    };
    const node = fs.createLazyFile('/', name, remote.url, true, false);
    // Emscripten's lazy file would fetch 1 MiB chunks with no headers and keep them all: reads
    // go through the block cache instead.
    node.contents = {
      get length() {
        return cache.length;
      }
    };
    const read = (_stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) =>
      cache.read(buffer, offset, length, position);
    node.stream_ops = { ...node.stream_ops, read };
    let file: H5File;
    try {
      file = new this._h5wasm.File(memoryPath, 'r');
    } catch (error) {
      FS.unlink(memoryPath);
      throw error;
    }
    if (file.file_id < 0n) {
      FS.unlink(memoryPath);
      throw new FormatError(remote.path, 'not an HDF5 file');
    }
    const open: IOpenFile = { stamp: remote.stamp, memoryPath, file, cache, traffic };
    this._files.set(remote.path, open);
    while (this._files.size > MAX_OPEN_FILES) this.close(this._files.keys().next().value as string);
    return open;
  }

  private readonly _files = new Map<string, IOpenFile>();
}
