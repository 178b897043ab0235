/**
 * Runs one ZIP export: lists the folder through the Contents API, plans the archive with the
 * core's `planStorageZip` (the same plan as the kernel's `storageToZip`), lets the ZIP worker
 * fetch and compress the files, and feeds its output to a sink with bounded memory.
 */
import { URLExt } from '@jupyterlab/coreutils';
import type { Contents, ServerConnection } from '@jupyterlab/services';
import { planStorageZip, type StorageZipPlan } from '../../core/zip-plan.js';
import type { IZipWorkerEntry, ZipWorkerMessage, ZipWorkerRequest } from './zip.worker.js';
import { listFilesUnder } from './listing.js';
import type { IArchiveSink } from './sinks.js';
import type { IExportTarget } from './target.js';

/** Progress of a running export. */
export interface IExportProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Server path of the file being archived ('' before the first and after the last). */
  readonly currentFile: string;
}

/** Options of {@link exportToZip}. */
export interface IExportOptions {
  readonly contents: Contents.IManager;
  readonly target: IExportTarget;
  /** Where the archive goes; opened by the caller, aborted here on failure or cancel. */
  readonly sink: IArchiveSink;
  /** Archive bytes allowed between the worker and the sink (bounds the page's memory). */
  readonly maxInFlightBytes: number;
  readonly signal?: AbortSignal;
  /** Called with the plan before any file is read. */
  onPlanned?(plan: StorageZipPlan): void;
  onProgress?(progress: IExportProgress): void;
}

/** A written archive: its size and what the user should know about its content. */
export interface IExportResult {
  readonly archiveBytes: number;
  /** Names escaped or left out by the plan, files being written while archived. */
  readonly warnings: readonly string[];
}

/** A failed export; `file` names the dataset file or archive involved when one is. */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly file?: string
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** The headers the worker's requests need to pass the server's authentication. */
function authHeaders(settings: ServerConnection.ISettings): Record<string, string> {
  const headers: Record<string, string> = {};
  if (settings.token !== '') {
    headers.Authorization = `token ${settings.token}`;
  }
  return headers;
}

function abortError(): DOMException {
  return new DOMException('export cancelled', 'AbortError');
}

/**
 * Writes the archive of `target` into `sink`.
 * @returns the archive's size in bytes and the plan's and the worker's warnings.
 * @throws ExportError naming the file when a file cannot be read or the sink fails;
 *   `AbortError` (DOMException) when `signal` aborts. The sink is aborted in both cases.
 */
export async function exportToZip(options: IExportOptions): Promise<IExportResult> {
  const { contents, target, sink, signal } = options;
  let worker: Worker | undefined;
  try {
    const files = await listFilesUnder(contents, target.folderPath, target.prefix, signal);
    const plan = planStorageZip(target.rootName, files);
    options.onPlanned?.(plan);
    const serverPathOf = new Map(files.map(file => [file.relativePath, file.serverPath]));
    const filesBase = URLExt.join(contents.serverSettings.baseUrl, 'files');
    const modelsBase = URLExt.join(contents.serverSettings.baseUrl, 'api/contents');
    const entries: IZipWorkerEntry[] = plan.entries.map(entry => {
      const serverPath = serverPathOf.get(entry.relativePath)!;
      return {
        archivePath: entry.archivePath,
        serverPath,
        url: new URL(URLExt.join(filesBase, URLExt.encodeParts(serverPath)), location.href).href,
        modelUrl: new URL(`${URLExt.join(modelsBase, URLExt.encodeParts(serverPath))}?content=0`, location.href).href,
        size: entry.size,
        mtime: entry.mtime.getTime(),
        method: entry.method
      };
    });
    signal?.throwIfAborted();
    // webpack bundles the worker (with the core ZIP writer) as a chunk of its own from this form.
    worker = new Worker(new URL('./zip.worker.js', import.meta.url));
    const warnings = [...plan.warnings];
    const archiveBytes = await runWorker(worker, options, plan, entries, warning => warnings.push(warning));
    await sink.close();
    return { archiveBytes, warnings };
  } catch (error) {
    worker?.terminate();
    await sink.abort();
    if (signal?.aborted) {
      throw abortError();
    }
    throw error instanceof ExportError || (error instanceof DOMException && error.name === 'AbortError')
      ? error
      : new ExportError(error instanceof Error ? error.message : String(error));
  } finally {
    worker?.terminate();
  }
}

/** Drives the worker: writes its chunks to the sink in order and acknowledges each. */
function runWorker(
  worker: Worker,
  options: IExportOptions,
  plan: StorageZipPlan,
  entries: IZipWorkerEntry[],
  onWarning: (message: string) => void
): Promise<number> {
  const { sink, signal } = options;
  const post = (request: ZipWorkerRequest) => worker.postMessage(request);
  return new Promise<number>((resolve, reject) => {
    // Sink writes run one after another; `done` waits for the last one.
    let writing: Promise<void> = Promise.resolve();
    let failed = false;
    const fail = (error: unknown) => {
      if (!failed) {
        failed = true;
        post({ type: 'cancel' });
        reject(error);
      }
    };
    const onAbort = () => fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    worker.onerror = event => {
      event.preventDefault();
      settle();
      fail(new ExportError(`the ZIP worker failed: ${event.message}`));
    };
    worker.onmessage = (event: MessageEvent<ZipWorkerMessage>) => {
      const message = event.data;
      switch (message.type) {
        case 'data':
          writing = writing.then(async () => {
            if (failed) {
              return;
            }
            try {
              await sink.write(message.chunks);
            } catch (error) {
              fail(new ExportError(error instanceof Error ? error.message : String(error), sink.description));
              return;
            }
            if (sink.copiesOnWrite) {
              const buffers = [...new Set(message.chunks.map(chunk => chunk.buffer as ArrayBuffer))];
              worker.postMessage({ type: 'ack', bytes: message.bytes, buffers } satisfies ZipWorkerRequest, buffers);
            } else {
              post({ type: 'ack', bytes: message.bytes });
            }
          });
          break;
        case 'progress':
          options.onProgress?.({
            filesDone: message.filesDone,
            filesTotal: plan.entries.length,
            bytesDone: message.bytesDone,
            bytesTotal: plan.totalBytes,
            currentFile: message.currentFile
          });
          break;
        case 'done':
          void writing.then(() => {
            settle();
            if (!failed) {
              resolve(message.archiveBytes);
            }
          });
          break;
        case 'warning':
          onWarning(message.message);
          break;
        case 'error':
          settle();
          fail(message.aborted ? abortError() : new ExportError(message.message, message.file));
          break;
      }
    };
    post({
      type: 'start',
      entries,
      zip64: plan.zip64,
      headers: authHeaders(options.contents.serverSettings),
      maxInFlightBytes: options.maxInFlightBytes
    });
  });
}
