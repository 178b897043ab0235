/**
 * File-system operations the kernel API shares: folder listing in AxoPy's order, `makedirs`,
 * and crash-safe whole-file writes (temp file + rename).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileExistsError, FileNotFoundError, FormatError } from '../core/errors.js';
import { sortIds, validateId } from '../core/layout.js';

/**
 * Creates a folder and its parents (Python AxoPy's `makedirs`). Throws FileExistsError when it
 * exists, unless `existOk`.
 */
export function makedirs(path: string, options: { existOk?: boolean } = {}): void {
  const { existOk = false } = options;
  if (pathExists(path)) {
    if (existOk && statSync(path).isDirectory()) return;
    throw new FileExistsError(path, statSync(path).isDirectory() ? 'folder' : 'file');
  }
  mkdirSync(path, { recursive: true });
}

export function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when `path` (after resolving links) lies inside `root` (after resolving links). */
export function resolvesInside(path: string, root: string): boolean {
  try {
    const rel = relative(realpathSync(root), realpathSync(path));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  } catch {
    return false;
  }
}

function isUsableId(name: string): boolean {
  try {
    validateId(name, 'subject');
    return true;
  } catch {
    return false;
  }
}

/**
 * Sub-folder names sorted by code point, as AxoPy lists subjects and tasks. Left out: hidden
 * folders (".ipynb_checkpoints" that Jupyter creates), names no id may have (a backslash),
 * and links that lead outside `path`: reading through them would leave the storage root.
 */
export function listSubfolders(path: string): string[] {
  if (!isDirectory(path)) return [];
  const names = readdirSync(path, { withFileTypes: true })
    .filter(entry => !entry.name.startsWith('.') && isUsableId(entry.name))
    .filter(entry => {
      if (entry.isDirectory()) return true;
      const target = join(path, entry.name);
      return entry.isSymbolicLink() && isDirectory(target) && resolvesInside(target, path);
    })
    .map(entry => entry.name);
  return sortIds(names);
}

/**
 * Checks that `path` is a readable file of the task folder `taskRoot`: FileNotFoundError when
 * missing, FormatError when it is a folder or a link leading outside the task folder.
 */
export function requireFile(path: string, what = 'file', taskRoot?: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new FileNotFoundError(path, what);
  }
  if (stat.isDirectory()) throw new FormatError(path, `is a folder; expected the ${what}`);
  if (taskRoot !== undefined && !resolvesInside(path, taskRoot)) {
    throw new FormatError(path, `links outside its task folder (${taskRoot}); refused`);
  }
}

/** A temp path beside `path`, on the same file system so rename is atomic. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes a whole file so that `path` holds either its old content or the new one, never a
 * part: write a temp file, flush it to disk, rename it over `path`.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'wx');
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
