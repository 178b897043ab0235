/**
 * `storageToZip`: Python AxoPy's `storage_to_zip`, streaming, with ZIP64 when needed, the
 * subject/task hierarchy kept and the archive written under a temporary name until complete.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { FileNotFoundError } from '../core/errors.js';
import { RECORDING_RECENT_MS } from '../core/zip-snapshot.js';
import { decodeJournal } from '../core/hdf5-journal.js';
import { journalPathFor, readJournalBytes } from './hdf5-journal-recovery.js';
import {
  defaultZipPath,
  planStorageZip,
  readFirst,
  type StorageFileInfo,
  type ZipEntryPlan
} from '../core/zip-plan.js';
import { ZipArchiveWriter, ZipLimitError } from '../core/zip/index.js';
import { fileZipOutput, nodeZipCodecs } from './zip-writer.js';
import { LIVE_READ_ATTEMPTS, isCompleteTrialsText, liveRetryPauseMs } from '../core/live-reading.js';
import { countTrialsCsvRows } from '../core/csv/reader.js';
import { arrayNameOfFile, datasetNameForRow } from '../core/layout.js';
import { Hdf5File } from './hdf5.js';

/** Progress of a running export, reported after every chunk written. */
export interface ZipProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Relative path (from the root) of the file being written. */
  currentFile: string;
}

/** Options of {@link storageToZip}. */
export interface StorageToZipOptions {
  onProgress?: (progress: ZipProgress) => void;
  /** Aborting removes the partial archive and rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Told about files left out (symlinks leaving the root, sockets, ...). Default: `console.warn`. */
  onWarning?: (message: string) => void;
  /** Write ZIP64 records even when the archive would fit classic ZIP (for tests and picky tools). */
  forceZip64?: boolean;
}

/** Bytes read per chunk of a streamed file: few calls per file, a few MB of memory at most. */
const READ_CHUNK_BYTES = 1024 * 1024;
const DEFLATE_LEVEL = 6;
/** Files up to this size are read whole (one read call); larger ones are streamed in chunks. */
const SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Reads of a small file that changed while read, before it is archived with a warning. */
const SETTLE_ATTEMPTS = 3;
const SETTLE_PAUSE_MS = 20;
/** How long an array file is waited for to receive the dataset of the newest archived row. */
const ROW_DATASET_WAIT_MS = 2_000;

function toPosixPath(path: string): string {
  return nodePath.sep === '/' ? path : path.split(nodePath.sep).join('/');
}

function isInside(parent: string, child: string): boolean {
  const relative = nodePath.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !nodePath.isAbsolute(relative);
}

/**
 * Where a listed file is opened and which file it was when listed: a file swapped between the
 * listing and the read (for a symlink to /etc/shadow, say) is then not archived.
 */
interface ListedFile {
  /** The path opened: the file itself, or the target of a symlink inside the root. */
  readonly openPath: string;
  readonly dev: number;
  readonly ino: number;
}

/** A listed file that cannot be archived as listed: left out with a warning. */
class SkippedFileError extends Error {}

/**
 * Lists the regular files under a root, following symlinks that stay inside it; symlinks that
 * point outside (a copy of someone's home folder in an archive is a surprise) are skipped.
 * `listed` receives where each file is opened and its identity.
 */
async function listStorageFiles(
  realRoot: string,
  warn: (message: string) => void,
  listed: Map<string, ListedFile>
): Promise<StorageFileInfo[]> {
  const files: StorageFileInfo[] = [];
  const visitedFolders = new Set<string>([realRoot]);
  async function walk(folder: string, relativeFolder: string): Promise<void> {
    const children = await fs.promises.readdir(folder, { withFileTypes: true });
    for (const child of children) {
      const childPath = nodePath.join(folder, child.name);
      const relativePath = relativeFolder === '' ? child.name : `${relativeFolder}/${child.name}`;
      let stats: fs.Stats;
      let openPath = childPath;
      if (child.isSymbolicLink()) {
        const target = await fs.promises.realpath(childPath).catch(() => undefined);
        if (target === undefined || !isInside(realRoot, target)) {
          warn(`storageToZip: skipped ${childPath}: symlink to ${target ?? 'a missing file'} outside the root`);
          continue;
        }
        stats = await fs.promises.stat(target);
        openPath = target;
        if (stats.isDirectory()) {
          if (visitedFolders.has(target)) {
            warn(`storageToZip: skipped ${childPath}: symlink loop`);
            continue;
          }
          visitedFolders.add(target);
        }
      } else {
        stats = await fs.promises.lstat(childPath);
      }
      if (stats.isDirectory()) {
        await walk(childPath, relativePath);
      } else if (stats.isFile()) {
        files.push({ relativePath, size: stats.size, mtime: stats.mtime });
        listed.set(relativePath, { openPath, dev: stats.dev, ino: stats.ino });
      } else {
        warn(`storageToZip: skipped ${childPath}: not a regular file`);
      }
    }
  }
  await walk(realRoot, '');
  return files;
}

function abortError(outfile: string, signal: AbortSignal): DOMException {
  const error = new DOMException(`storageToZip aborted; ${outfile} was not written`, 'AbortError');
  return Object.assign(error, { cause: signal.reason });
}

interface ResolvedPaths {
  realRoot: string;
  rootName: string;
  outfile: string;
  /** The outfile's path relative to the root, when it lies inside it. */
  outfileInRoot?: string;
}

async function resolvePaths(path: string, outfile: string | undefined): Promise<ResolvedPaths> {
  const absoluteRoot = nodePath.resolve(path);
  const rootStats = await fs.promises.stat(absoluteRoot).catch(() => undefined);
  if (!rootStats?.isDirectory()) {
    // Python AxoPy writes an empty archive here; a typo in the root deserves an error.
    throw new FileNotFoundError(path, 'storage root folder');
  }
  const realRoot = await fs.promises.realpath(absoluteRoot);
  const rootName = nodePath.basename(absoluteRoot);
  const lastComponent = nodePath.basename(nodePath.normalize(path));
  const chosenOutfile =
    outfile ?? defaultZipPath(toPosixPath(lastComponent === '.' || lastComponent === '..' ? absoluteRoot : path));
  const absoluteOutfile = nodePath.resolve(chosenOutfile);
  const outFolder = await fs.promises.realpath(nodePath.dirname(absoluteOutfile)).catch(() => {
    throw new FileNotFoundError(nodePath.dirname(chosenOutfile), 'folder for the archive');
  });
  const realOutfile = nodePath.join(outFolder, nodePath.basename(absoluteOutfile));
  const outfileInRoot = isInside(realRoot, realOutfile)
    ? toPosixPath(nodePath.relative(realRoot, realOutfile))
    : undefined;
  return { realRoot, rootName, outfile: chosenOutfile, outfileInRoot };
}

/**
 * The first `size` bytes of a file in chunks, fewer if it shrank meanwhile (archived as read).
 * A stored chunk is written before the next is read, so one buffer serves; zlib may still hold
 * earlier chunks when it asks for the next, so DEFLATE gets a fresh buffer each time.
 */
async function* readChunks(
  file: fs.promises.FileHandle,
  size: number,
  method: ZipEntryPlan['method'],
  signal: AbortSignal | undefined,
  onChunk: (bytes: number) => void
): AsyncGenerator<Buffer> {
  const reused = method === 'store' ? Buffer.allocUnsafe(READ_CHUNK_BYTES) : undefined;
  for (let position = 0; position < size;) {
    signal?.throwIfAborted();
    const buffer = reused ?? Buffer.allocUnsafe(READ_CHUNK_BYTES);
    const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) {
      return;
    }
    position += bytesRead;
    onChunk(bytesRead);
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * Opens a listed file without following a symlink in its last component, and checks it is
 * the file listed (device and inode): SkippedFileError otherwise.
 */
async function openListed(entry: ZipEntryPlan, listed: ListedFile | undefined): Promise<fs.promises.FileHandle> {
  if (listed === undefined) throw new SkippedFileError(`${entry.relativePath}: not listed`);
  let file: fs.promises.FileHandle;
  try {
    file = await fs.promises.open(listed.openPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ELOOP'
        ? 'replaced by a symlink since it was listed'
        : code === 'ENOENT'
          ? 'removed since it was listed'
          : String(error);
    throw new SkippedFileError(`${listed.openPath}: ${why}`);
  }
  const stats = await file.stat();
  if (!stats.isFile() || stats.dev !== listed.dev || stats.ino !== listed.ino) {
    await file.close();
    throw new SkippedFileError(`${listed.openPath}: replaced by another file since it was listed`);
  }
  return file;
}

/** Size and modification time, which change while a writer writes the file. */
function versionOf(stats: fs.Stats): string {
  return `${stats.size}|${stats.mtimeMs}`;
}

/**
 * The flush journal beside `path` as it is now: "none", "batch" while a batch of in-place
 * writes is being applied (a journal that decodes), else its bytes. Our writer writes each
 * batch over the last one in the same journal, so a batch applied during a read changes this
 * even when it changes neither the file's size nor its modification time (the kernel's clock
 * ticks every few ms; a batch takes microseconds).
 */
function journalStateOf(path: string): string {
  // Not through a link, and only a regular file: a journal planted by another user is read as
  // the recovery reads it.
  const bytes = readJournalBytes(journalPathFor(path));
  if (bytes === undefined) return 'none';
  return decodeJournal(bytes) !== undefined ? 'batch' : bytes.toString('base64');
}

/** The file's bytes from its start to its end (which may have moved past `expected`). */
async function readToEnd(file: fs.promises.FileHandle, expected: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let position = 0;
  for (let size = expected + 1; ; size = READ_CHUNK_BYTES) {
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await file.read(buffer, 0, size, position);
    if (bytesRead > 0) chunks.push(buffer.subarray(0, bytesRead));
    position += bytesRead;
    if (bytesRead < size) break;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Reads a small file whole until a read sees it unchanged (a writer may be flushing it). */
async function readSettled(
  file: fs.promises.FileHandle,
  path: string,
  warn: (message: string) => void
): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    const stats = await file.stat();
    const before = versionOf(stats);
    const journalBefore = journalStateOf(path);
    const content = await readToEnd(file, stats.size);
    const journalAfter = journalStateOf(path);
    if (versionOf(await file.stat()) === before && journalBefore === journalAfter && journalAfter !== 'batch')
      return content;
    if (attempt >= SETTLE_ATTEMPTS) {
      warn(`storageToZip: ${path} was being written while archived; its copy may be inconsistent`);
      return content;
    }
    await new Promise(resolve => setTimeout(resolve, SETTLE_PAUSE_MS * attempt));
  }
}

/** The files the plan reads before the others (core `readFirst`: each task's trials.csv). */
async function snapshotTrialsFiles(
  entries: ZipEntryPlan[],
  listed: Map<string, ListedFile>,
  warn: (message: string) => void
): Promise<Map<string, Buffer>> {
  const snapshots = new Map<string, Buffer>();
  for (const entry of entries) {
    if (!readFirst(entry)) continue;
    try {
      const file = await openListed(entry, listed.get(entry.relativePath));
      try {
        const path = listed.get(entry.relativePath)!.openPath;
        let content = await readSettled(file, path, warn);
        // A rewrite by Python AxoPy caught between its truncate and its write: read again, for
        // as long as a recording task's newest dataset is waited for (a loaded machine can
        // stretch that gap well past the live-reading retries).
        const deadline = Date.now() + ROW_DATASET_WAIT_MS;
        for (
          let attempt = 2;
          !isCompleteTrialsText(content) && (attempt <= LIVE_READ_ATTEMPTS || Date.now() < deadline);
          attempt++
        ) {
          await new Promise(resolve => setTimeout(resolve, Math.min(100, liveRetryPauseMs(attempt))));
          content = await readSettled(file, path, warn);
        }
        if (!isCompleteTrialsText(content) && content.length > 0) {
          warn(`storageToZip: ${path} was being rewritten while archived; its last row may be cut`);
        } else if (content.length === 0) {
          warn(`storageToZip: ${path} was being rewritten while archived (empty)`);
        }
        snapshots.set(entry.relativePath, content);
      } finally {
        await file.close();
      }
    } catch (error) {
      if (!(error instanceof SkippedFileError)) throw error;
      // Left for writeEntries, which meets the same problem and reports it.
    }
  }
  return snapshots;
}

/**
 * Waits, for an array file of a task being recorded, until it holds the dataset of the last
 * row archived from the task's trials.csv: Python AxoPy writes a trial's row, then its arrays,
 * so the newest row's dataset may be a moment behind it. Warns when it does not come.
 */
async function awaitRowDataset(path: string, rows: number, warn: (message: string) => void): Promise<void> {
  const dataset = datasetNameForRow(rows - 1);
  const deadline = Date.now() + ROW_DATASET_WAIT_MS;
  for (;;) {
    try {
      const file = await Hdf5File.open(path, 'r');
      try {
        if (file.has(dataset)) return;
      } finally {
        file.close();
      }
    } catch {
      // Caught in the middle of a write: look again.
    }
    if (Date.now() >= deadline) {
      warn(
        `storageToZip: ${path} has no dataset "${dataset}" for row ${rows - 1} of its trials.csv: the task was being recorded`
      );
      return;
    }
    await new Promise(resolve => setTimeout(resolve, SETTLE_PAUSE_MS));
  }
}

/** Complete rows of each task's trials.csv read first, by task folder, for tasks being recorded. */
function rowsOfRecordingTasks(entries: ZipEntryPlan[], snapshots: Map<string, Buffer>): Map<string, number> {
  const rows = new Map<string, number>();
  const now = Date.now();
  for (const entry of entries) {
    const snapshot = snapshots.get(entry.relativePath);
    if (snapshot === undefined || now - entry.mtime.getTime() > RECORDING_RECENT_MS) continue;
    let count: number;
    try {
      count = countTrialsCsvRows(snapshot, entry.relativePath, { ignoreIncompleteLastLine: true });
    } catch {
      continue; // not a trials.csv pandas reads: the archive takes it as it is
    }
    if (count > 0) rows.set(nodePath.posix.dirname(entry.relativePath), count);
  }
  return rows;
}

async function writeEntries(
  writer: ZipArchiveWriter,
  listed: Map<string, ListedFile>,
  entries: ZipEntryPlan[],
  progress: ZipProgress,
  options: StorageToZipOptions,
  warn: (message: string) => void
): Promise<void> {
  const snapshots = await snapshotTrialsFiles(entries, listed, warn);
  const recordingRows = rowsOfRecordingTasks(entries, snapshots);
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    progress.currentFile = entry.relativePath;
    const snapshot = snapshots.get(entry.relativePath);
    if (snapshot !== undefined) {
      await writer.addBytes(entry.archivePath, snapshot, entry.method, entry.mtime, DEFLATE_LEVEL);
      progress.bytesDone += snapshot.length;
      progress.filesDone += 1;
      options.onProgress?.({ ...progress });
      continue;
    }
    const rows = recordingRows.get(nodePath.posix.dirname(entry.relativePath));
    const listedFile = listed.get(entry.relativePath);
    if (
      rows !== undefined &&
      listedFile !== undefined &&
      arrayNameOfFile(nodePath.posix.basename(entry.relativePath)) !== undefined
    ) {
      await awaitRowDataset(listedFile.openPath, rows, warn);
    }
    let file: fs.promises.FileHandle;
    try {
      file = await openListed(entry, listedFile);
    } catch (error) {
      if (!(error instanceof SkippedFileError)) throw error;
      warn(`storageToZip: skipped ${error.message}`);
      progress.filesDone += 1;
      continue;
    }
    if (entry.size <= SMALL_FILE_BYTES) {
      try {
        const content = await readSettled(file, listed.get(entry.relativePath)!.openPath, warn);
        await writer.addBytes(entry.archivePath, content, entry.method, entry.mtime, DEFLATE_LEVEL);
        progress.bytesDone += content.length;
      } finally {
        await file.close();
      }
    } else {
      try {
        const chunks = readChunks(file, entry.size, entry.method, options.signal, bytes => {
          progress.bytesDone += bytes;
          options.onProgress?.({ ...progress });
        });
        const openPath = listed.get(entry.relativePath)!.openPath;
        const before = versionOf(await file.stat());
        const journalBefore = journalStateOf(openPath);
        await writer.addStream(entry.archivePath, chunks, entry.method, entry.mtime, DEFLATE_LEVEL);
        // Streamed, it cannot be read again: said, at least.
        const journalAfter = journalStateOf(openPath);
        if (versionOf(await file.stat()) !== before || journalBefore !== journalAfter || journalAfter === 'batch') {
          warn(
            `storageToZip: ${listed.get(entry.relativePath)!.openPath} was being written while archived; its copy may be inconsistent`
          );
        }
      } finally {
        await file.close();
      }
    }
    progress.filesDone += 1;
    options.onProgress?.({ ...progress });
  }
}

/**
 * Creates a ZIP archive of a storage root, like Python AxoPy's `storage_to_zip`: the archive's
 * top folder is the root folder's own name, every file under it at its path relative to the
 * root (`<root>/<subject>/<task>/trials.csv`, where AxoPy flattens and collides names).
 *
 * Files are streamed (memory stays a few MB whatever the dataset size); `.hdf5` is stored,
 * text and small files deflated; ZIP64 is used when sizes or the entry count need it. The
 * archive is written as `<outfile>.partial-<random>` and renamed when complete, so an error or
 * an abort never leaves a partial archive under the final name. Modification times are kept.
 *
 * @param path - The storage root folder.
 * @param outfile - The archive to write (replaced if it exists). Default: `<parent>/<rootname>.zip`.
 * @returns The archive's path (`outfile`, or the default one).
 * @throws FileNotFoundError when the root is not a folder (AxoPy writes an empty archive) or
 *   the archive's folder does not exist; `AbortError` (DOMException) when `signal` aborts.
 */
export async function storageToZip(path: string, outfile?: string, options: StorageToZipOptions = {}): Promise<string> {
  options.signal?.throwIfAborted();
  const paths = await resolvePaths(path, outfile);
  const warn = options.onWarning ?? (message => console.warn(message));
  const listed = new Map<string, ListedFile>();
  const files = await listStorageFiles(paths.realRoot, warn, listed);
  const plan = planStorageZip(paths.rootName, files, { excludeRelativePath: paths.outfileInRoot });
  for (const warning of plan.warnings) warn(`storageToZip: ${warning}`);
  const partialPath = `${paths.outfile}.partial-${randomBytes(6).toString('hex')}`;
  const output = await fs.promises.open(partialPath, 'wx');
  let outputClosed = false;
  try {
    const writer = new ZipArchiveWriter(fileZipOutput(output), nodeZipCodecs, {
      zip64: plan.zip64 || options.forceZip64 === true,
      level: DEFLATE_LEVEL
    });
    const progress: ZipProgress = {
      filesDone: 0,
      filesTotal: plan.entries.length,
      bytesDone: 0,
      bytesTotal: plan.totalBytes,
      currentFile: ''
    };
    await writeEntries(writer, listed, plan.entries, progress, options, warn);
    options.signal?.throwIfAborted();
    await writer.finish();
    await output.close();
    outputClosed = true;
    options.signal?.throwIfAborted();
    await fs.promises.rename(partialPath, paths.outfile);
    return paths.outfile;
  } catch (error) {
    if (!outputClosed) {
      await output.close().catch(() => undefined);
    }
    await fs.promises.rm(partialPath, { force: true });
    if (options.signal?.aborted) {
      throw abortError(paths.outfile, options.signal);
    }
    if (error instanceof ZipLimitError) {
      error.message = `storageToZip: ${error.message}`;
    }
    throw error;
  }
}
