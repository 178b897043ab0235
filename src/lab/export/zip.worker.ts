/**
 * Web Worker that writes a ZIP archive off the main thread with the core's ZipArchiveWriter,
 * the same writer as the kernel's `storageToZip` (ZIP64 capable): it fetches each planned file
 * from the server's /files/ route as a stream, checksums it with the core's JavaScript CRC-32,
 * deflates text with the browser's native CompressionStream, and posts the archive back in
 * chunks (transferred, not copied). The page acknowledges each chunk once its sink has taken
 * it, so at most `maxInFlightBytes` of archive are ever waiting in memory, whatever the
 * dataset size. The output cannot seek back, so streamed entries end with data descriptors.
 * Messages in: {@link ZipWorkerRequest}; messages out: {@link ZipWorkerMessage}.
 */
import { readFirst } from '../../core/zip-plan.js';
import { isCompleteTrialsText } from '../../core/live-reading.js';
import {
  arraysMayLagRows,
  type FileVersion,
  RECORDING_RECENT_MS,
  sameFileVersion,
  servedVersionMismatch,
  type ServedVersion
} from '../../core/zip-snapshot.js';
import { webZipCodecs, ZipArchiveWriter, type ZipOutput } from '../../core/zip/index.js';

/** One file to archive, as planned by `planStorageZip` plus where to fetch it. */
export interface IZipWorkerEntry {
  readonly archivePath: string;
  /** Path from the server root, used in messages. */
  readonly serverPath: string;
  /** Absolute URL of the file under the server's /files/ route. */
  readonly url: string;
  /** Absolute URL of the file's Contents API model without content (to list it again). */
  readonly modelUrl: string;
  readonly size: number;
  /** Modification time, milliseconds since the epoch. */
  readonly mtime: number;
  readonly method: 'store' | 'deflate';
}

/** Starts an export (one per worker). */
export interface IZipWorkerStart {
  readonly type: 'start';
  readonly entries: readonly IZipWorkerEntry[];
  readonly zip64: boolean;
  /** Headers for the /files/ requests (authorization token). */
  readonly headers: Record<string, string>;
  /** Archive bytes posted but not yet acknowledged before the worker waits. */
  readonly maxInFlightBytes: number;
}

export type ZipWorkerRequest =
  | IZipWorkerStart
  /**
   * The page's sink has taken `bytes` of archive; `buffers` (transferred back) are the data
   * message's buffers when the sink copied their bytes, for the worker to read into again.
   */
  | { readonly type: 'ack'; readonly bytes: number; readonly buffers?: ArrayBuffer[] }
  | { readonly type: 'cancel' };

export type ZipWorkerMessage =
  /** The next bytes of the archive, in pieces (transferred: the page owns them), `bytes` long. */
  | { readonly type: 'data'; readonly chunks: Uint8Array[]; readonly bytes: number }
  | {
      readonly type: 'progress';
      readonly filesDone: number;
      readonly bytesDone: number;
      readonly currentFile: string;
    }
  | { readonly type: 'done'; readonly archiveBytes: number }
  /** A file archived as it was while being written (the task was recording), and why. */
  | { readonly type: 'warning'; readonly message: string }
  /** `file` names the dataset file involved, when one is. */
  | { readonly type: 'error'; readonly message: string; readonly file?: string; readonly aborted: boolean };

interface IWorkerScope {
  onmessage: ((event: { data: ZipWorkerRequest }) => void) | null;
  postMessage(message: ZipWorkerMessage, transfer?: Transferable[]): void;
}

/** Archive bytes per message to the page: few messages, few Blob parts or requests. */
const POST_GROUP_BYTES = 8 * 1024 * 1024;
/**
 * The writer gathers writes below half of this (headers, small files) into one buffer; body
 * chunks from fetch (~64 KiB to 1 MiB) pass through as they are.
 */
const GATHER_BYTES = 64 * 1024;
/** Files up to this size are fetched whole: CRC-32 and sizes then go in the local header. */
const SMALL_FILE_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;
/**
 * Opens of a file that is not the version listed before the export fails naming it; a file
 * written within RECORDING_RECENT_MS (a writer recording, changing it between listing and
 * opening) gets more, until RECORDING_WAIT_MS: a link stays different however long.
 */
const IDENTITY_ATTEMPTS = 3;
/** Reads of a recently written small file that changed meanwhile, before it is archived with a warning. */
const SETTLE_ATTEMPTS = 3;
const SETTLE_PAUSE_MS = 50;
/** How long a task's trials.csv is read again while cut by a rewrite, and its arrays awaited. */
const RECORDING_WAIT_MS = 2_000;
/** Bytes of each buffer a large file is read into (and that goes to the page and comes back). */
const READ_BUFFER_BYTES = 1024 * 1024;

const scope = self as unknown as IWorkerScope;
const abortController = new AbortController();
let acknowledge: ((bytes: number) => void) | undefined;

/** An error about one dataset file; the page names the file in what it shows. */
class FileReadError extends Error {
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message);
  }
}

/**
 * Buffers that large files are read into, handed back by the page once its sink has copied
 * them. Without it every chunk fetched would be a fresh ArrayBuffer that the page drops after
 * copying it into a Blob: garbage that V8 lets pile up on a large export before collecting it.
 * With it, the memory in use stays about `maxInFlightBytes`.
 */
class ReadBufferPool {
  constructor(private readonly _maxKept: number) {}

  /** A buffer to read into: one handed back, or a new one. */
  take(): ArrayBuffer {
    const buffer = this._free.pop() ?? new ArrayBuffer(READ_BUFFER_BYTES);
    this._own.add(buffer);
    return buffer;
  }

  /** Whether `buffer` is one of the pool's (it may then go to the page whole, as read into). */
  owns(buffer: ArrayBufferLike): boolean {
    return this._own.has(buffer as ArrayBuffer);
  }

  /** Takes back buffers the page is done with. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === READ_BUFFER_BYTES && this._free.length < this._maxKept) {
        this._free.push(buffer);
      }
    }
  }

  private readonly _free: ArrayBuffer[] = [];
  /** Buffers handed out (a BYOB read returns its memory in a new ArrayBuffer: tracked too). */
  private readonly _own = new WeakSet<ArrayBuffer>();

  /** Notes the ArrayBuffer a read returned the taken memory in. */
  adopt(buffer: ArrayBufferLike): void {
    this._own.add(buffer as ArrayBuffer);
  }
}

let readBuffers = new ReadBufferPool(0);

/**
 * The archive's output: collects the buffers the writer hands over (it never touches them
 * again) and posts them in groups of `POST_GROUP_BYTES`, transferred, not copied; waits for
 * acknowledgements while too many bytes are unacknowledged. The page turns each group into a
 * Blob part or a request body. Measured on a 1 GB export: gathering into 1 MiB buffers first
 * cost a copy, and making the Blobs here held up the worker (the copy into the browser's blob
 * storage is synchronous); the page does it meanwhile.
 */
class OutputChannel implements ZipOutput {
  constructor(private readonly _maxInFlightBytes: number) {}

  totalBytes = 0;

  acknowledged(bytes: number): void {
    this._inFlight -= bytes;
    if (this._inFlight <= this._maxInFlightBytes) {
      const wake = this._wake;
      this._wake = undefined;
      wake?.();
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    // Only a view of a whole buffer can be transferred as it is; a part of one (the writer's
    // gathered headers) is copied out, so no bytes outside the archive are sent or detached.
    // A read buffer goes whole even when partly filled (a file's last bytes): all it holds
    // beyond the view is earlier bytes of this archive, and the page hands it back.
    const whole =
      chunk.byteOffset === 0 && (chunk.byteLength === chunk.buffer.byteLength || readBuffers.owns(chunk.buffer));
    this._chunks.push(whole ? chunk : chunk.slice());
    this._chunksBytes += chunk.length;
    if (this._chunksBytes >= POST_GROUP_BYTES) {
      await this.flush();
    }
  }

  /** Posts what is collected (the archive's last bytes when it is finished). */
  async flush(): Promise<void> {
    if (this._chunksBytes > 0) {
      const chunks = this._chunks;
      const bytes = this._chunksBytes;
      this._chunks = [];
      this._chunksBytes = 0;
      this._inFlight += bytes;
      this.totalBytes += bytes;
      const buffers = new Set(chunks.map(chunk => chunk.buffer as ArrayBuffer));
      scope.postMessage({ type: 'data', chunks, bytes }, [...buffers]);
    }
    while (this._inFlight > this._maxInFlightBytes) {
      abortController.signal.throwIfAborted();
      await new Promise<void>(resolve => (this._wake = resolve));
    }
  }

  private _chunks: Uint8Array[] = [];
  private _chunksBytes = 0;
  private _inFlight = 0;
  private _wake: (() => void) | undefined;
}

async function openFile(entry: IZipWorkerEntry, headers: Record<string, string>): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(entry.url, { headers, cache: 'no-store', signal: abortController.signal });
  } catch (error) {
    abortController.signal.throwIfAborted();
    throw new FileReadError(entry.serverPath, `cannot read ${entry.serverPath}: ${String(error)}`);
  }
  if (response.status === 404) {
    throw new FileReadError(entry.serverPath, `${entry.serverPath} disappeared during the export`);
  }
  if (response.status === 403) {
    throw new FileReadError(entry.serverPath, `permission denied reading ${entry.serverPath}`);
  }
  if (!response.ok || response.body === null) {
    throw new FileReadError(entry.serverPath, `cannot read ${entry.serverPath}: HTTP ${response.status}`);
  }
  return response;
}

/**
 * A response body's bytes in chunks, each counted as it arrives; a failed read names the file.
 * Read into the pool's buffers (a "bring your own buffer" reader) where the browser offers one,
 * else as the body's own chunks.
 */
async function* bodyChunks(
  entry: IZipWorkerEntry,
  body: ReadableStream<Uint8Array>,
  onChunk: (bytes: number) => void
): AsyncGenerator<Uint8Array> {
  const failed = (error: unknown): never => {
    abortController.signal.throwIfAborted();
    throw new FileReadError(entry.serverPath, `cannot read ${entry.serverPath}: ${String(error)}`);
  };
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = undefined;
  }
  if (byob === undefined) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read().catch(failed);
        if (done) return;
        onChunk(value.length);
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  try {
    for (let finished = false; !finished;) {
      let buffer: ArrayBufferLike = readBuffers.take();
      let filled = 0;
      while (filled < READ_BUFFER_BYTES) {
        const target: Uint8Array<ArrayBuffer> = new Uint8Array(
          buffer as ArrayBuffer,
          filled,
          READ_BUFFER_BYTES - filled
        );
        const result: ReadableStreamReadResult<Uint8Array<ArrayBuffer>> = await byob.read(target).catch(failed);
        const done: boolean = result.done;
        const value: Uint8Array<ArrayBuffer> | undefined = result.value;
        if (value === undefined) {
          // The stream was cancelled: the buffer is gone with it.
          return;
        }
        // A read hands the memory back in a new ArrayBuffer (the one read into is detached).
        buffer = value.buffer;
        readBuffers.adopt(buffer);
        filled += value.byteLength;
        onChunk(value.byteLength);
        if (done) {
          finished = true;
          break;
        }
      }
      if (filled > 0) {
        yield new Uint8Array(buffer, 0, filled);
      }
    }
  } finally {
    byob.releaseLock();
  }
}

function pause(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The server's clock (the listing's times are the server's), else ours. */
let serverNowOffsetMs = 0;
function serverNow(): number {
  return Date.now() + serverNowOffsetMs;
}

/** What the response's headers say about the file served. */
function servedVersionOf(response: Response): ServedVersion {
  const length = response.headers.get('Content-Length');
  const modified = response.headers.get('Last-Modified');
  const date = response.headers.get('Date');
  if (date !== null && !Number.isNaN(Date.parse(date))) serverNowOffsetMs = Date.parse(date) - Date.now();
  return {
    // An encoded body's length is not the file's.
    size: length !== null && response.headers.get('Content-Encoding') === null ? Number(length) : undefined,
    lastModifiedMs: modified !== null && !Number.isNaN(Date.parse(modified)) ? Date.parse(modified) : undefined
  };
}

/** The file's version as the Contents API lists it now. */
async function listAgain(entry: IZipWorkerEntry, headers: Record<string, string>): Promise<FileVersion> {
  let response: Response;
  try {
    response = await fetch(entry.modelUrl, { headers, cache: 'no-store', signal: abortController.signal });
  } catch (error) {
    abortController.signal.throwIfAborted();
    throw new FileReadError(entry.serverPath, `cannot list ${entry.serverPath}: ${String(error)}`);
  }
  if (response.status === 404) {
    throw new FileReadError(entry.serverPath, `${entry.serverPath} disappeared during the export`);
  }
  if (!response.ok) {
    throw new FileReadError(entry.serverPath, `cannot list ${entry.serverPath}: HTTP ${response.status}`);
  }
  const model = (await response.json()) as { type?: string; size?: number | null; last_modified?: string };
  if (model.type === 'directory' || typeof model.size !== 'number' || typeof model.last_modified !== 'string') {
    throw new FileReadError(entry.serverPath, `${entry.serverPath} is no longer a file`);
  }
  return { size: model.size, mtimeMs: Date.parse(model.last_modified) };
}

/**
 * Opens the entry's file checked to be the version listed (size and time from the response's
 * headers); when it is not, lists it again and reopens it. A file that stays different (a
 * link: listed as itself, served as its target) fails the export, naming the file.
 */
async function openListedVersion(
  entry: IZipWorkerEntry,
  headers: Record<string, string>,
  opening: Promise<Response>,
  listed: FileVersion
): Promise<{ response: Response; version: FileVersion }> {
  let version = listed;
  let response = await opening;
  const deadline = Date.now() + RECORDING_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    const mismatch = servedVersionMismatch(version, servedVersionOf(response));
    if (mismatch === undefined) return { response, version };
    await response.body?.cancel().catch(() => undefined);
    const recording = serverNow() - version.mtimeMs <= RECORDING_RECENT_MS && Date.now() < deadline;
    if (attempt >= IDENTITY_ATTEMPTS && !recording) {
      throw new FileReadError(
        entry.serverPath,
        `${entry.serverPath} is not the file listed (${mismatch}): a link, or a file replaced during the export; not archived`
      );
    }
    await pause(SETTLE_PAUSE_MS * Math.min(attempt, IDENTITY_ATTEMPTS));
    version = await listAgain(entry, headers);
    response = await openFile(entry, headers);
  }
}

/**
 * A small file's bytes, of a version that did not change while read when it was written
 * recently (a writer may be recording); a trials.csv is also read again while a rewrite has it
 * empty or cut inside a line. Warns when it does not settle.
 */
async function readSmallFile(
  entry: IZipWorkerEntry,
  headers: Record<string, string>,
  opening: Promise<Response>,
  listed: FileVersion,
  warn: (message: string) => void
): Promise<{ content: Uint8Array; version: FileVersion }> {
  const trials = entry.archivePath.endsWith('/trials.csv');
  const deadline = Date.now() + RECORDING_WAIT_MS;
  let opened = await openListedVersion(entry, headers, opening, listed);
  for (let attempt = 1; ; attempt++) {
    const version = opened.version;
    const content = await bodyUnlessCut(entry, opened.response, version, deadline);
    if (content !== undefined && serverNow() - version.mtimeMs > RECORDING_RECENT_MS) return { content, version };
    const now = await listAgain(entry, headers);
    if (content !== undefined) {
      const complete = !trials || isCompleteTrialsText(content);
      if (sameFileVersion(now, version) && complete) return { content, version };
      if (attempt >= SETTLE_ATTEMPTS && (complete || Date.now() >= deadline)) {
        warn(
          complete
            ? `${entry.serverPath} was being written while archived; its copy may be inconsistent`
            : `${entry.serverPath} was being rewritten while archived; its last row may be cut`
        );
        return { content, version };
      }
    }
    await pause(SETTLE_PAUSE_MS);
    opened = await openListedVersion(entry, headers, openFile(entry, headers), now);
  }
}

/**
 * The response's body; undefined when a rewrite truncated the file under the server's read
 * (the response ends early) while it was written recently and `deadline` has not passed: then
 * it is read again. Otherwise a failed read fails the export, naming the file.
 */
async function bodyUnlessCut(
  entry: IZipWorkerEntry,
  response: Response,
  version: FileVersion,
  deadline: number
): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    abortController.signal.throwIfAborted();
    if (serverNow() - version.mtimeMs > RECORDING_RECENT_MS || Date.now() >= deadline)
      throw new FileReadError(entry.serverPath, `cannot read ${entry.serverPath}: ${String(error)}`);
    return undefined;
  }
}

/**
 * For an array file of a task being recorded: waits until it was written after the task's
 * trials.csv as archived (Python AxoPy writes a trial's row, then its arrays); warns when it
 * is not. Returns the version to read.
 */
async function awaitArraysOfRows(
  entry: IZipWorkerEntry,
  headers: Record<string, string>,
  listed: FileVersion,
  trials: FileVersion,
  warn: (message: string) => void
): Promise<FileVersion> {
  let version = listed;
  const deadline = Date.now() + RECORDING_WAIT_MS;
  while (arraysMayLagRows(version, trials, serverNow())) {
    if (Date.now() >= deadline) {
      warn(
        `${entry.serverPath} was last written before its task's trials.csv: the task was being recorded, ` +
          'the newest rows may lack their datasets'
      );
      break;
    }
    await pause(SETTLE_PAUSE_MS);
    version = await listAgain(entry, headers);
  }
  return version;
}

/**
 * Starts the request of every entry one file ahead of the writer: the next file's headers and
 * first bytes arrive while the current one is checksummed, hiding one round trip per file.
 */
function prefetchingResponses(
  entries: readonly IZipWorkerEntry[],
  headers: Record<string, string>,
  alreadyRead: ReadonlyMap<number, unknown>
): (index: number) => Promise<Response> {
  const started = new Map<number, Promise<Response>>();
  const start = (index: number) => {
    if (index < entries.length && !started.has(index) && !alreadyRead.has(index)) {
      const response = openFile(entries[index], headers);
      // Observed now: a failure ahead is reported when the writer reaches that file.
      response.catch(() => undefined);
      started.set(index, response);
    }
  };
  return index => {
    start(index);
    start(index + 1);
    const response = started.get(index)!;
    started.delete(index);
    return response;
  };
}

async function writeArchive(request: IZipWorkerStart, output: OutputChannel): Promise<void> {
  const signal = abortController.signal;
  const writer = new ZipArchiveWriter(output, webZipCodecs, { zip64: request.zip64, gatherBytes: GATHER_BYTES });
  let filesDone = 0;
  let bytesDone = 0;
  let lastReport = 0;
  const report = (currentFile: string, force: boolean) => {
    const now = Date.now();
    if (force || now - lastReport >= PROGRESS_INTERVAL_MS) {
      lastReport = now;
      scope.postMessage({ type: 'progress', filesDone, bytesDone, currentFile });
    }
  };
  const warn = (message: string) => scope.postMessage({ type: 'warning', message });
  const folderOf = (archivePath: string) => archivePath.slice(0, archivePath.lastIndexOf('/'));
  // Each task's trials.csv is read before any array (core readFirst): rows archived during a
  // recording then have their datasets in the archived arrays.
  const readFirstContents = new Map<number, { content: Uint8Array; version: FileVersion }>();
  const trialsVersions = new Map<string, FileVersion>();
  for (const [index, entry] of request.entries.entries()) {
    if (!readFirst({ relativePath: entry.archivePath, size: entry.size })) continue;
    signal.throwIfAborted();
    const listed = { size: entry.size, mtimeMs: entry.mtime };
    const read = await readSmallFile(entry, request.headers, openFile(entry, request.headers), listed, warn);
    readFirstContents.set(index, read);
    trialsVersions.set(folderOf(entry.archivePath), read.version);
  }
  const responseOf = prefetchingResponses(request.entries, request.headers, readFirstContents);
  for (const [index, entry] of request.entries.entries()) {
    signal.throwIfAborted();
    report(entry.serverPath, true);
    const readAhead = readFirstContents.get(index);
    if (readAhead !== undefined) {
      await writer.addBytes(entry.archivePath, readAhead.content, entry.method, new Date(readAhead.version.mtimeMs));
      bytesDone += readAhead.content.length;
      filesDone += 1;
      continue;
    }
    let listed: FileVersion = { size: entry.size, mtimeMs: entry.mtime };
    let opening = responseOf(index);
    const trials = trialsVersions.get(folderOf(entry.archivePath));
    if (trials !== undefined && entry.archivePath.endsWith('.hdf5')) {
      const awaited = await awaitArraysOfRows(entry, request.headers, listed, trials, warn);
      if (!sameFileVersion(awaited, listed)) {
        void opening.then(response => response.body?.cancel()).catch(() => undefined);
        listed = awaited;
        opening = openFile(entry, request.headers);
      }
    }
    // A file that grows or shrinks meanwhile (a writer appending trials) is archived as read:
    // the writer takes sizes and CRC-32 from the bytes themselves.
    if (entry.size <= SMALL_FILE_BYTES) {
      const { content, version } = await readSmallFile(entry, request.headers, opening, listed, warn);
      await writer.addBytes(entry.archivePath, content, entry.method, new Date(version.mtimeMs));
      bytesDone += content.length;
    } else {
      const { response, version } = await openListedVersion(entry, request.headers, opening, listed);
      const chunks = bodyChunks(entry, response.body!, bytes => {
        bytesDone += bytes;
        report(entry.serverPath, false);
      });
      await writer.addStream(entry.archivePath, chunks, entry.method, new Date(version.mtimeMs));
      // Streamed, it cannot be read again: said, at least.
      if (
        serverNow() - version.mtimeMs <= RECORDING_RECENT_MS &&
        !sameFileVersion(await listAgain(entry, request.headers), version)
      ) {
        warn(`${entry.serverPath} was being written while archived; its copy may be inconsistent`);
      }
    }
    filesDone += 1;
  }
  report('', true);
  await writer.finish();
  await output.flush();
}

function start(request: IZipWorkerStart): void {
  const output = new OutputChannel(request.maxInFlightBytes);
  // Enough buffers for what may be in flight, plus the ones being read into.
  readBuffers = new ReadBufferPool(Math.ceil(request.maxInFlightBytes / READ_BUFFER_BYTES) + 4);
  acknowledge = bytes => output.acknowledged(bytes);
  writeArchive(request, output).then(
    () => scope.postMessage({ type: 'done', archiveBytes: output.totalBytes }),
    (error: unknown) => {
      const aborted = abortController.signal.aborted;
      scope.postMessage({
        type: 'error',
        aborted,
        message: error instanceof Error ? error.message : String(error),
        file: error instanceof FileReadError ? error.file : undefined
      });
    }
  );
}

scope.onmessage = event => {
  const request = event.data;
  switch (request.type) {
    case 'start':
      start(request);
      break;
    case 'ack':
      readBuffers.give(request.buffers ?? []);
      acknowledge?.(request.bytes);
      break;
    case 'cancel':
      abortController.abort(new DOMException('export cancelled', 'AbortError'));
      // Wake a writer waiting for acknowledgements so it sees the abort.
      acknowledge?.(Number.MAX_SAFE_INTEGER);
      break;
  }
};
