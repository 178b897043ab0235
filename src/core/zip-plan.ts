/**
 * What goes into the ZIP export of a storage root, and how: pure, so the Node kernel and a
 * browser Web Worker plan archives the same way and only differ in how they read bytes.
 *
 * Python AxoPy's `storage_to_zip` flattens every file to `<rootname>/<filename>`, so the
 * `trials.csv` of every task collide; here the hierarchy is kept under the top folder.
 */
import { compareCodePoints } from './layout.js';

/** A file found under a storage root. */
export interface StorageFileInfo {
  /** Path relative to the root, components separated by "/" (no leading or trailing "/"). */
  relativePath: string;
  /** Size in bytes. */
  size: number;
  /** Last modification time, kept in the archive (ZIP stores it with 2 s resolution). */
  mtime: Date;
}

/** One archive entry to write. */
export interface ZipEntryPlan {
  /** Name inside the archive: `<rootName>/<relativePath>`, each component escaped if unsafe. */
  archivePath: string;
  relativePath: string;
  size: number;
  mtime: Date;
  /** `store` for dense or already compressed data, `deflate` for text and small files. */
  method: 'store' | 'deflate';
}

/** The whole archive to write. */
export interface StorageZipPlan {
  /** Entries in the order to write them (deterministic: by path components, code point order). */
  entries: ZipEntryPlan[];
  /** Files whose names were escaped in the archive, or left out; one message each. */
  warnings: string[];
  /** Sum of the entries' sizes (uncompressed). */
  totalBytes: number;
  /** Whether the archive needs ZIP64 records (sizes, offsets or entry count beyond classic ZIP). */
  zip64: boolean;
}

/** Classic ZIP fields hold sizes and offsets below 0xFFFFFFFF; that value itself means "see ZIP64". */
export const ZIP32_MAX_BYTES = 0xffffffff;
/** Classic ZIP counts entries in 16 bits; 0xFFFF itself means "see ZIP64". */
export const ZIP32_MAX_ENTRIES = 0xffff;
/**
 * Files above this size are stored even when their type would be deflated: DEFLATE runs ~10x
 * slower than copying, and big non-HDF5 files in a storage root are rare and usually binary.
 */
export const DEFLATE_MAX_BYTES = 64 * 1024 * 1024;

/** Extensions whose content is dense or already compressed: deflating gains little and costs time. */
const STORE_EXTENSIONS = new Set(['.hdf5', '.h5', '.zip', '.gz', '.bz2', '.xz', '.npz', '.png', '.jpg', '.jpeg']);

/**
 * Upper bound of the bytes an entry adds besides its data: local header (30) + central
 * header (46) + the name twice + ZIP64/timestamp extra fields in both headers + data descriptor.
 */
const utf8 = new TextEncoder();

function entryOverheadBytes(archivePath: string): number {
  return 30 + 46 + 2 * utf8.encode(archivePath).length + 2 * 64 + 24;
}

/** The compression method for a file, by its extension and size. */
export function zipMethodFor(relativePath: string, size: number): 'store' | 'deflate' {
  const fileName = relativePath.slice(relativePath.lastIndexOf('/') + 1).toLowerCase();
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot) : '';
  if (STORE_EXTENSIONS.has(extension) || size > DEFLATE_MAX_BYTES) {
    return 'store';
  }
  return 'deflate';
}

function comparePathComponents(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareCodePoints(left[i], right[i]);
    if (order !== 0) {
      return order;
    }
  }
  return left.length - right.length;
}

/**
 * Characters an extractor could read as a path separator, a drive or stream (`C:`, `x:ads`),
 * or that Windows refuses in names; '%' too, once a name needs escaping, so the escaped name
 * cannot pass for another file's.
 */
const UNSAFE_NAME_CHARACTERS = /[\\:*?"<>|\u0000-\u001f\u007f]/;
const ESCAPED_CHARACTERS = /[\\:*?"<>|\u0000-\u001f\u007f%]/g;

/**
 * The archive name of one path component: unchanged when no extractor can read it as more
 * than one file name; else percent-escaped (`..\..\evil` becomes `..%5C..%5Cevil`), and
 * `.`/`..` (which a listing never gives, a hostile provider might) become `%2E`/`%2E%2E`.
 * No extractor then writes outside its target folder, Windows ones included.
 */
export function archiveNameComponent(component: string): string {
  if (component === '.' || component === '..') return component.replace(/\./g, '%2E');
  if (!UNSAFE_NAME_CHARACTERS.test(component)) return component;
  return component.replace(
    ESCAPED_CHARACTERS,
    character => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  );
}

function normaliseRelativePath(relativePath: string): string {
  return relativePath.replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
}

/**
 * Plans the ZIP export of a storage root: every file under `<rootName>/<relativePath>`,
 * STORE for `.hdf5` (dense) and DEFLATE for `.csv`, `.pkl` and other small files, sorted by
 * path components so the same folder gives the same archive; ZIP64 when any entry, the
 * archive or the entry count exceeds what classic ZIP records hold.
 *
 * @param rootName - The root folder's own name: the archive's top folder.
 * @param files - The files found under the root.
 * @param options.excludeRelativePath - The archive being written, when it lies inside the root
 *   (Python AxoPy includes a partial copy of its own output there).
 */
export function planStorageZip(
  rootName: string,
  files: StorageFileInfo[],
  options: { excludeRelativePath?: string } = {}
): StorageZipPlan {
  const topFolder = rootName.replace(/^\/+|\/+$/g, '');
  if (topFolder === '' || topFolder === '.' || topFolder === '..' || topFolder.includes('/')) {
    throw new RangeError(`planStorageZip: root name must be one folder name, got ${JSON.stringify(rootName)}`);
  }
  const excluded =
    options.excludeRelativePath === undefined ? undefined : normaliseRelativePath(options.excludeRelativePath);
  const warnings: string[] = [];
  const taken = new Set<string>();
  const topName = archiveNameComponent(topFolder);
  const entries = files
    .map(file => ({ ...file, relativePath: normaliseRelativePath(file.relativePath) }))
    .filter(file => file.relativePath !== '' && file.relativePath !== excluded)
    .sort((a, b) => comparePathComponents(a.relativePath, b.relativePath))
    .flatMap((file): ZipEntryPlan[] => {
      const archivePath = [topName, ...file.relativePath.split('/').map(archiveNameComponent)].join('/');
      if (taken.has(archivePath)) {
        warnings.push(`${file.relativePath}: left out, its escaped name ${archivePath} is another file's`);
        return [];
      }
      taken.add(archivePath);
      if (archivePath !== `${topFolder}/${file.relativePath}`) {
        warnings.push(
          `${file.relativePath}: archived as ${archivePath} (characters an extractor could take for a path escaped)`
        );
      }
      const entry: ZipEntryPlan = {
        archivePath,
        relativePath: file.relativePath,
        size: file.size,
        mtime: file.mtime,
        method: zipMethodFor(file.relativePath, file.size)
      };
      return [entry];
    });
  let totalBytes = 0;
  let archiveBytes = 22;
  let largestEntry = 0;
  for (const entry of entries) {
    totalBytes += entry.size;
    archiveBytes += entry.size + entryOverheadBytes(entry.archivePath);
    largestEntry = Math.max(largestEntry, entry.size);
  }
  const zip64 =
    largestEntry >= ZIP32_MAX_BYTES || archiveBytes >= ZIP32_MAX_BYTES || entries.length >= ZIP32_MAX_ENTRIES;
  return { entries, warnings, totalBytes, zip64 };
}

/**
 * The default archive path of a storage root, as Python AxoPy picks it: `<parent>/<rootname>.zip`
 * ("/"-joined). Trailing slashes are dropped first, so `data/` gives `data.zip` beside the root,
 * not `data/.zip` inside it (AxoPy's bug).
 */
export function defaultZipPath(rootPath: string): string {
  const normalised = rootPath.replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
  const slash = normalised.lastIndexOf('/');
  const rootName = normalised.slice(slash + 1);
  if (rootName === '' || rootName === '.' || rootName === '..') {
    throw new RangeError(
      `defaultZipPath: ${JSON.stringify(rootPath)} does not end in a folder name; resolve it to an absolute path first`
    );
  }
  return `${normalised.slice(0, slash + 1)}${rootName}.zip`;
}

/** Largest trials.csv read ahead of the other files (see {@link readFirst}). */
export const SNAPSHOT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Whether an entry is read before all others, though written in its place: the trials.csv of
 * each task. A task being recorded then has its rows archived as they were before its arrays
 * are read, so each archived row's dataset is in the archived arrays (this package's writer
 * writes a trial's datasets before its row; Python AxoPy writes them just after, in the same
 * call); read in archive order, arrays come first and the newest rows lose their datasets.
 */
export function readFirst(entry: Pick<ZipEntryPlan, 'relativePath' | 'size'>): boolean {
  const name = entry.relativePath.slice(entry.relativePath.lastIndexOf('/') + 1);
  return name === 'trials.csv' && entry.size <= SNAPSHOT_MAX_BYTES;
}
