/**
 * `storageToZip`: Python AxoPy's `storage_to_zip`, streaming, with ZIP64 when needed, the
 * subject/task hierarchy kept and the archive written under a temporary name until complete.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as zlib from 'node:zlib';
import { configure as configureZipJs, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { AxoPyError, FileNotFoundError } from '../core/errors.js';
import { defaultZipPath, planStorageZip, type StorageFileInfo, type ZipEntryPlan } from '../core/zipPlan.js';

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

/** Bytes read per chunk: large enough to keep per-chunk stream overhead low, small for memory. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Chunks read ahead of the ZIP writer; bounds memory to a few MB whatever the dataset size. */
const READ_AHEAD_CHUNKS = 2;
const DEFLATE_LEVEL = 6;
/**
 * Files up to this size are read whole and checksummed/deflated with Node's native zlib, then
 * handed to zip.js as they are ("pass through"): per-entry web-stream codecs cost ~1.5 ms each,
 * which made 65 536 tiny files take 100 s.
 */
const SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Output writes below this size are gathered, so tiny entries do not each cost a write call. */
const OUTPUT_BUFFER_BYTES = 1024 * 1024;
/** Read size of the native CRC-32 pass over a stored file. */
const CRC_READ_BYTES = 4 * 1024 * 1024;
const ZIP_METHOD_STORE = 0;
const ZIP_METHOD_DEFLATE = 8;

function toPosixPath(path: string): string {
  return nodePath.sep === '/' ? path : path.split(nodePath.sep).join('/');
}

function isInside(parent: string, child: string): boolean {
  const relative = nodePath.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !nodePath.isAbsolute(relative);
}

/**
 * Lists the regular files under a root, following symlinks that stay inside it; symlinks that
 * point outside (a copy of someone's home folder in an archive is a surprise) are skipped.
 */
async function listStorageFiles(realRoot: string, warn: (message: string) => void): Promise<StorageFileInfo[]> {
  const files: StorageFileInfo[] = [];
  const visitedFolders = new Set<string>([realRoot]);
  async function walk(folder: string, relativeFolder: string): Promise<void> {
    const children = await fs.promises.readdir(folder, { withFileTypes: true });
    for (const child of children) {
      const childPath = nodePath.join(folder, child.name);
      const relativePath = relativeFolder === '' ? child.name : `${relativeFolder}/${child.name}`;
      let stats: fs.Stats;
      if (child.isSymbolicLink()) {
        const target = await fs.promises.realpath(childPath).catch(() => undefined);
        if (target === undefined || !isInside(realRoot, target)) {
          warn(`storageToZip: skipped ${childPath}: symlink to ${target ?? 'a missing file'} outside the root`);
          continue;
        }
        stats = await fs.promises.stat(target);
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
      } else {
        warn(`storageToZip: skipped ${childPath}: not a regular file`);
      }
    }
  }
  await walk(realRoot, '');
  return files;
}

/** A web stream over a file, reading chunks on demand (Readable.toWeb buffered whole files). */
function fileReadable(file: fs.promises.FileHandle, size: number, onChunk: (bytes: number) => void): ReadableStream<Uint8Array> {
  let position = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const wanted = Math.min(READ_CHUNK_BYTES, size - position);
        // allocUnsafe: the bytes are overwritten by the read, zero-filling 1 MB chunks cost ~10%.
        const chunk = wanted > 0 ? Buffer.allocUnsafe(wanted) : undefined;
        const { bytesRead } = chunk ? await file.read(chunk, 0, wanted, position) : { bytesRead: 0 };
        if (!chunk || bytesRead === 0) {
          // A file that shrank while being read is archived as it was read; the CRC matches that.
          controller.close();
          return;
        }
        position += bytesRead;
        controller.enqueue(bytesRead === wanted ? chunk : chunk.subarray(0, bytesRead));
        onChunk(bytesRead);
      }
    },
    { highWaterMark: READ_AHEAD_CHUNKS }
  );
}

async function writeFully(file: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** A web stream writing to a file, gathering small chunks (headers, tiny entries) into one write. */
function fileWritable(file: fs.promises.FileHandle): WritableStream<Uint8Array> {
  const pending = new Uint8Array(OUTPUT_BUFFER_BYTES);
  let pendingLength = 0;
  async function flush(): Promise<void> {
    if (pendingLength > 0) {
      await writeFully(file, pending.subarray(0, pendingLength));
      pendingLength = 0;
    }
  }
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      const direct = chunk.length >= OUTPUT_BUFFER_BYTES / 2;
      if (direct || pendingLength + chunk.length > OUTPUT_BUFFER_BYTES) {
        await flush();
      }
      if (direct) {
        await writeFully(file, chunk);
      } else {
        pending.set(chunk, pendingLength);
        pendingLength += chunk.length;
      }
    },
    close: flush
  });
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

/** Adds a small file read whole: CRC-32 and DEFLATE by native zlib, zip.js writes the records. */
async function addSmallFile(writer: ZipWriter<unknown>, entry: ZipEntryPlan, content: Buffer, signal?: AbortSignal): Promise<void> {
  const data = entry.method === 'deflate' ? zlib.deflateRawSync(content, { level: DEFLATE_LEVEL }) : content;
  await writer.add(entry.archivePath, new Uint8ArrayReader(data), {
    lastModDate: entry.mtime,
    passThrough: true,
    compressionMethod: entry.method === 'deflate' ? ZIP_METHOD_DEFLATE : ZIP_METHOD_STORE,
    crc32: zlib.crc32(content),
    uncompressedSize: content.length,
    signal
  });
}

/** CRC-32 of a file's first `size` bytes by native zlib (zip.js can only checksum in JavaScript). */
async function fileCrc32(file: fs.promises.FileHandle, size: number, signal?: AbortSignal): Promise<number> {
  const buffer = Buffer.allocUnsafe(CRC_READ_BYTES);
  let crc = 0;
  for (let position = 0; position < size; ) {
    signal?.throwIfAborted();
    const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) {
      break;
    }
    crc = zlib.crc32(buffer.subarray(0, bytesRead), crc);
    position += bytesRead;
  }
  return crc;
}

/**
 * Adds a large file streamed in chunks. Stored files are checksummed first by native zlib and
 * then copied as they are (one more read, from the page cache, costs less than zip.js's
 * JavaScript CRC-32); deflated ones are checksummed by zip.js's native gzip stream on the way.
 */
async function addLargeFile(
  writer: ZipWriter<unknown>,
  entry: ZipEntryPlan,
  file: fs.promises.FileHandle,
  onChunk: (bytes: number) => void,
  signal?: AbortSignal
): Promise<void> {
  if (entry.method === 'deflate') {
    const readable = fileReadable(file, entry.size, onChunk);
    await writer.add(entry.archivePath, { readable, size: entry.size }, { lastModDate: entry.mtime, level: DEFLATE_LEVEL, signal });
    return;
  }
  const crc32 = await fileCrc32(file, entry.size, signal);
  // Created after the CRC pass: a ReadableStream starts reading ahead as soon as it exists.
  const readable = fileReadable(file, entry.size, onChunk);
  await writer.add(
    entry.archivePath,
    { readable, size: entry.size },
    {
      lastModDate: entry.mtime,
      passThrough: true,
      compressionMethod: ZIP_METHOD_STORE,
      crc32,
      uncompressedSize: entry.size,
      signal
    }
  );
  const after = await file.stat();
  if (after.size !== entry.size || after.mtime.getTime() !== entry.mtime.getTime()) {
    // The CRC of the first pass would not match the bytes copied in the second.
    throw new AxoPyError(`storageToZip: ${entry.relativePath} changed while being archived; export again`);
  }
}

async function writeEntries(
  writer: ZipWriter<unknown>,
  realRoot: string,
  entries: ZipEntryPlan[],
  progress: ZipProgress,
  options: StorageToZipOptions
): Promise<void> {
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    progress.currentFile = entry.relativePath;
    const filePath = nodePath.join(realRoot, ...entry.relativePath.split('/'));
    if (entry.size <= SMALL_FILE_BYTES) {
      const content = await fs.promises.readFile(filePath);
      await addSmallFile(writer, entry, content, options.signal);
      progress.bytesDone += content.length;
    } else {
      const file = await fs.promises.open(filePath, 'r');
      try {
        await addLargeFile(writer, entry, file, bytes => {
          progress.bytesDone += bytes;
          options.onProgress?.({ ...progress });
        }, options.signal);
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
  // zip.js re-chunks every entry to its global chunk size (256 KB by default), copying each
  // byte; matching our read size halves its per-chunk overhead. Only affects chunking.
  configureZipJs({ chunkSize: READ_CHUNK_BYTES });
  options.signal?.throwIfAborted();
  const paths = await resolvePaths(path, outfile);
  const files = await listStorageFiles(paths.realRoot, options.onWarning ?? (message => console.warn(message)));
  const plan = planStorageZip(paths.rootName, files, { excludeRelativePath: paths.outfileInRoot });
  const partialPath = `${paths.outfile}.partial-${randomBytes(6).toString('hex')}`;
  const output = await fs.promises.open(partialPath, 'wx');
  let outputClosed = false;
  try {
    const writer = new ZipWriter(fileWritable(output), {
      zip64: plan.zip64 || options.forceZip64 === true,
      useWebWorkers: false,
      useUnicodeFileNames: true,
      signal: options.signal
    });
    const progress: ZipProgress = {
      filesDone: 0,
      filesTotal: plan.entries.length,
      bytesDone: 0,
      bytesTotal: plan.totalBytes,
      currentFile: ''
    };
    await writeEntries(writer, paths.realRoot, plan.entries, progress, options);
    options.signal?.throwIfAborted();
    await writer.close(undefined, { zip64: plan.zip64 || options.forceZip64 === true });
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
    throw error;
  }
}
