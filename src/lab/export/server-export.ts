/**
 * The server path of "Export as ZIP": the page lists and plans the archive with the core's
 * `planStorageZip` (the same plan as the browser path and the kernel's `storageToZip`), sends
 * the plan to the jupyterlab_axopy server extension, which reads the files and writes the
 * archive at disk speed, as a download or beside the folder; the page follows its progress
 * and can cancel it.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection, type Contents } from '@jupyterlab/services';
import { planStorageZip, readFirst, type StorageZipPlan } from '../../core/zip-plan.js';
import { ExportError, type IExportProgress } from './exporter.js';
import { listFilesUnder } from './listing.js';
import { startBrowserDownload } from './sinks.js';
import type { IExportTarget } from './target.js';

/** Where the server puts the archive. */
export type ServerDestination = 'download' | 'server';

/** One planned entry as the server reads it (jupyterlab_axopy/export_zip.py `parse_plan`). */
export interface IServerPlanEntry {
  archivePath: string;
  relativePath: string;
  size: number;
  /** Milliseconds since the epoch. */
  mtime: number;
  method: 'store' | 'deflate';
  /** Read before every other file (core `readFirst`): a task's rows before its arrays. */
  readFirst: boolean;
}

/** A job as the server reports it (`ExportJob.model`). */
interface IServerJob {
  id: string;
  state: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  archiveBytes: number;
  currentFile: string;
  warnings: string[];
  error: string | null;
  errorFile: string | null;
}

/** What an export on the server gave. */
export interface IServerExportResult {
  archiveBytes: number;
  /** Files the server left out (symlinks, non-regular files) or saw written while archiving, one message each. */
  warnings: string[];
}

/** Options of {@link exportOnServer}. */
export interface IServerExportOptions {
  readonly contents: Contents.IManager;
  readonly target: IExportTarget;
  readonly destination: ServerDestination;
  /** Replace the archive already on the server (the user confirmed). */
  readonly replace: boolean;
  readonly signal?: AbortSignal;
  onPlanned?(plan: StorageZipPlan): void;
  onProgress?(progress: IExportProgress): void;
}

/** How often the page asks the server for progress. */
const POLL_INTERVAL_MS = 250;
/** A download the browser has not asked for within this time was blocked: give up on it. */
const DOWNLOAD_START_TIMEOUT_MS = 30_000;

/**
 * Whether the jupyterlab_axopy server extension runs: it says so in the page config when it
 * loads, so finding out costs no request (and no 404 where it is disabled).
 */
export function serverExportAvailable(): boolean {
  return PageConfig.getOption('axopyServerExport') === '1';
}

/** The storage root's folder from the server root: the exported folder less the plan's prefix. */
export function planBase(target: IExportTarget): string {
  const folder = target.folderPath.split('/').filter(part => part !== '');
  const depth = target.prefix.split('/').filter(part => part !== '').length;
  return folder.slice(0, folder.length - depth).join('/');
}

/** The plan as data for the server: nothing of the rules, only their outcome. */
export function serverPlanEntries(plan: StorageZipPlan): IServerPlanEntry[] {
  return plan.entries.map(entry => ({
    archivePath: entry.archivePath,
    relativePath: entry.relativePath,
    size: entry.size,
    mtime: entry.mtime.getTime(),
    method: entry.method,
    readFirst: readFirst(entry)
  }));
}

function abortError(): DOMException {
  return new DOMException('export cancelled', 'AbortError');
}

async function request(settings: ServerConnection.ISettings, path: string, init: RequestInit): Promise<Response> {
  const url = URLExt.join(settings.baseUrl, 'jupyterlab-axopy/export', path);
  const response = await ServerConnection.makeRequest(url, init, settings);
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let message = `HTTP ${response.status}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message || message;
    } catch {
      // Not JSON: keep the status.
    }
    throw new ExportError(`the server refused the export: ${message}`);
  }
  return response;
}

/** Starts the browser's download of a job's archive (its own download manager streams it to disk). */
function startDownload(settings: ServerConnection.ISettings, jobId: string, fileName: string): void {
  // A navigation carries the login cookie (as JupyterLab's own file downloads rely on), and
  // no token in the URL, where the browser's download history would keep it.
  startBrowserDownload(URLExt.join(settings.baseUrl, 'jupyterlab-axopy/export/jobs', jobId, 'archive'), fileName);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Exports `target` through the server extension.
 * @throws ExportError naming the file when the server could not archive one; `AbortError`
 *   when `signal` aborts (the server then removes its partial file, or cuts the download).
 */
export async function exportOnServer(options: IServerExportOptions): Promise<IServerExportResult> {
  const { contents, target, signal } = options;
  const settings = contents.serverSettings;
  const files = await listFilesUnder(contents, target.folderPath, target.prefix, signal);
  const plan = planStorageZip(target.rootName, files);
  options.onPlanned?.(plan);
  signal?.throwIfAborted();
  const body = {
    destination: options.destination,
    base: planBase(target),
    archivePath: target.archivePath,
    archiveName: target.archiveName,
    replace: options.replace,
    zip64: plan.zip64,
    entries: serverPlanEntries(plan)
  };
  let job = (await (
    await request(settings, 'jobs', { method: 'POST', body: JSON.stringify(body) })
  ).json()) as IServerJob;
  const jobPath = `jobs/${job.id}`;
  let cancelling = false;
  const cancel = () => {
    cancelling = true;
    void request(settings, jobPath, { method: 'DELETE' }).catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (options.destination === 'download') {
      startDownload(settings, job.id, target.archiveName);
    }
    const startedAt = Date.now();
    while (job.state === 'pending' || job.state === 'running') {
      if (job.state === 'pending' && Date.now() - startedAt > DOWNLOAD_START_TIMEOUT_MS) {
        await request(settings, jobPath, { method: 'DELETE' }).catch(() => undefined);
        throw new ExportError('the browser did not start the download (blocked by a download setting?)');
      }
      await sleep(POLL_INTERVAL_MS);
      job = (await (await request(settings, jobPath, { method: 'GET' })).json()) as IServerJob;
      options.onProgress?.({
        filesDone: job.filesDone,
        filesTotal: job.filesTotal,
        bytesDone: job.bytesDone,
        bytesTotal: job.bytesTotal,
        currentFile: job.currentFile
      });
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
  if (job.state === 'cancelled' || cancelling) {
    throw abortError();
  }
  if (job.state === 'failed') {
    throw new ExportError(job.error ?? 'the server could not write the archive', job.errorFile ?? undefined);
  }
  return { archiveBytes: job.archiveBytes, warnings: job.warnings };
}
