/**
 * Web Worker that writes a ZIP archive with @zip.js/zip.js (the kernel's ZIP library, ZIP64
 * capable) off the main thread: it fetches each planned file from the server's /files/ route
 * as a stream, pipes it into the ZIP writer, and posts the archive back in chunks. The page
 * acknowledges each chunk once its sink has taken it, so at most `maxInFlightBytes` of
 * archive are ever waiting in memory, whatever the dataset size.
 * Messages in: {@link ZipWorkerRequest}; messages out: {@link ZipWorkerMessage}.
 */
type ZipJs = typeof import('@zip.js/zip.js');

/** One file to archive, as planned by `planStorageZip` plus where to fetch it. */
export interface IZipWorkerEntry {
  readonly archivePath: string;
  /** Path from the server root, used in messages. */
  readonly serverPath: string;
  /** Absolute URL of the file under the server's /files/ route. */
  readonly url: string;
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
  /** The page's sink has taken `bytes` of archive. */
  | { readonly type: 'ack'; readonly bytes: number }
  | { readonly type: 'cancel' };

export type ZipWorkerMessage =
  /** The next bytes of the archive (transferred). */
  | { readonly type: 'data'; readonly bytes: Uint8Array }
  | {
      readonly type: 'progress';
      readonly filesDone: number;
      readonly bytesDone: number;
      readonly currentFile: string;
    }
  | { readonly type: 'done'; readonly archiveBytes: number }
  /** `file` names the dataset file involved, when one is. */
  | { readonly type: 'error'; readonly message: string; readonly file?: string; readonly aborted: boolean };

interface IWorkerScope {
  onmessage: ((event: { data: ZipWorkerRequest }) => void) | null;
  postMessage(message: ZipWorkerMessage, transfer?: Transferable[]): void;
}

/** Archive bytes gathered before posting: few messages, and a buffer we own to transfer. */
const OUTPUT_CHUNK_BYTES = 1024 * 1024;
const DEFLATE_LEVEL = 6;
const PROGRESS_INTERVAL_MS = 100;

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
 * The archive's output: gathers zip.js's writes into fresh 1 MiB buffers (zip.js may reuse
 * the ones it passes, so they are never transferred) and posts them, waiting for
 * acknowledgements while too many bytes are unacknowledged.
 */
class OutputChannel {
  constructor(private readonly _maxInFlightBytes: number) {}

  totalBytes = 0;

  writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: chunk => this._write(chunk),
      close: () => this._post()
    });
  }

  acknowledged(bytes: number): void {
    this._inFlight -= bytes;
    if (this._inFlight <= this._maxInFlightBytes) {
      const wake = this._wake;
      this._wake = undefined;
      wake?.();
    }
  }

  private async _write(chunk: Uint8Array): Promise<void> {
    for (let offset = 0; offset < chunk.length; ) {
      const taken = Math.min(chunk.length - offset, OUTPUT_CHUNK_BYTES - this._filled);
      this._buffer.set(chunk.subarray(offset, offset + taken), this._filled);
      this._filled += taken;
      offset += taken;
      if (this._filled === OUTPUT_CHUNK_BYTES) {
        await this._post();
      }
    }
  }

  private async _post(): Promise<void> {
    if (this._filled > 0) {
      const bytes = this._filled === OUTPUT_CHUNK_BYTES ? this._buffer : this._buffer.slice(0, this._filled);
      this._buffer = new Uint8Array(OUTPUT_CHUNK_BYTES);
      this._filled = 0;
      this._inFlight += bytes.length;
      this.totalBytes += bytes.length;
      scope.postMessage({ type: 'data', bytes }, [bytes.buffer]);
    }
    while (this._inFlight > this._maxInFlightBytes) {
      abortController.signal.throwIfAborted();
      await new Promise<void>(resolve => (this._wake = resolve));
    }
  }

  private _buffer = new Uint8Array(OUTPUT_CHUNK_BYTES);
  private _filled = 0;
  private _inFlight = 0;
  private _wake: (() => void) | undefined;
}

/**
 * zip.js, imported on first use: the extension's build shares it through module federation,
 * and a worker's startup cannot wait for a shared module; a dynamic import can.
 */
async function loadZipJs(): Promise<ZipJs> {
  const zipJs = await import('@zip.js/zip.js');
  // Already in a worker: zip.js's own workers would copy every chunk once more. DEFLATE uses
  // the browser's native CompressionStream.
  zipJs.configure({ useWebWorkers: false, useCompressionStream: true, chunkSize: OUTPUT_CHUNK_BYTES });
  return zipJs;
}

async function openFile(entry: IZipWorkerEntry, headers: Record<string, string>): Promise<ReadableStream<Uint8Array>> {
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
  return response.body;
}

async function writeArchive(request: IZipWorkerStart, output: OutputChannel): Promise<void> {
  const zipJs = await loadZipJs();
  const signal = abortController.signal;
  const writer = new zipJs.ZipWriter(output.writable(), {
    zip64: request.zip64,
    useUnicodeFileNames: true,
    signal
  });
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
  for (const entry of request.entries) {
    signal.throwIfAborted();
    report(entry.serverPath, true);
    const body = await openFile(entry, request.headers);
    // A file that grows or shrinks meanwhile (a writer appending trials) is archived as read:
    // zip.js takes sizes and CRC-32 from the bytes themselves.
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytesDone += chunk.length;
          controller.enqueue(chunk);
          report(entry.serverPath, false);
        }
      })
    );
    await writer.add(
      entry.archivePath,
      { readable: counted, size: entry.size },
      {
        lastModDate: new Date(entry.mtime),
        level: entry.method === 'store' ? 0 : DEFLATE_LEVEL,
        signal
      }
    );
    filesDone += 1;
  }
  report('', true);
  await writer.close(undefined, { zip64: request.zip64 });
}

function start(request: IZipWorkerStart): void {
  const output = new OutputChannel(request.maxInFlightBytes);
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
      acknowledge?.(request.bytes);
      break;
    case 'cancel':
      abortController.abort(new DOMException('export cancelled', 'AbortError'));
      // Wake a writer waiting for acknowledgements so it sees the abort.
      acknowledge?.(Number.MAX_SAFE_INTEGER);
      break;
  }
};
