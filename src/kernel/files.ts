/**
 * File-system operations the kernel API shares: folder listing in AxoPy's order, `makedirs`,
 * and crash-safe whole-file writes (temp file + rename).
 */
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  AxoPyError,
  DiskFullError,
  FileExistsError,
  FileNotFoundError,
  FormatError,
  PermissionError,
  TaskLockedError
} from '../core/errors.js';
import { TASK_LOCK_NAME, formatTaskLock, parseTaskLock, type TaskLockHolder } from '../core/task-lock.js';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync
} from 'node:fs';
import { hostname } from 'node:os';
import { isUsableId, sortIds } from '../core/layout.js';

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

/** Flushes a folder's entries to disk (after creating or renaming a file in it). */
export function fsyncFolder(fileInFolder: string): void {
  const fd = openSync(dirname(fileInFolder), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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

/**
 * The typed error for a file-system failure on `path`: DiskFullError for ENOSPC/EDQUOT/EFBIG,
 * PermissionError for EACCES/EPERM/EROFS; other errors (and typed ones) as they are.
 */
export function typedFsError(error: unknown, path: string): unknown {
  if (error instanceof AxoPyError) return error; // typed already, naming its own file
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return new DiskFullError(path, code);
  if (code === 'ELOOP') return new PermissionError(path, 'is a symbolic link; the writer does not write through links');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new PermissionError(path, `this user may not write it (${code}); nothing of this write was kept`);
  }
  return error;
}

/** Locks this process holds, removed when it exits (a killed process leaves a stale one). */
const heldLocks = new Set<string>();
let exitHookInstalled = false;

/** A lock older than this whose content is torn (its writer died creating it) is stale. */
const TORN_LOCK_STALE_MS = 5000;

/**
 * Takes the writer lock of a task folder (core/task-lock.ts): TaskLockedError naming the holder
 * when a live process has it. A lock whose holder has ended (same host, no such process) is
 * taken over. Returns the lock's path, for `releaseTaskLock`.
 */
export function acquireTaskLock(taskFolder: string): string {
  const lockPath = join(taskFolder, TASK_LOCK_NAME);
  const me: TaskLockHolder = { pid: process.pid, host: hostname(), since: Date.now() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw typedFsError(error, lockPath);
      const holder = staleOrHolder(lockPath);
      if (holder !== undefined || attempt >= 2) {
        const known = holder ?? { pid: 0, host: 'unknown' };
        throw new TaskLockedError(taskFolder, known, known.pid === process.pid && known.host === hostname());
      }
      continue; // the stale lock was removed
    }
    try {
      writeSync(fd, formatTaskLock(me));
    } finally {
      closeSync(fd);
    }
    heldLocks.add(lockPath);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const path of heldLocks) releaseTaskLock(path);
      });
    }
    return lockPath;
  }
}

/** Removes a lock this process holds (no-op when it does not hold it any more). */
export function releaseTaskLock(lockPath: string): void {
  if (!heldLocks.delete(lockPath)) return;
  try {
    const fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    let holder;
    try {
      holder = parseTaskLock(readFileSync(fd, 'utf8'));
    } finally {
      closeSync(fd);
    }
    if (holder?.pid === process.pid) unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

/**
 * The live holder of an existing lock, or undefined after removing it as stale: its process
 * has ended (same host), it is torn and old, or it is not a file at all (planted). A lock from
 * another host is never stale here: there is no telling whether its process lives.
 */
function staleOrHolder(lockPath: string): { pid: number; host: string } | undefined {
  let stat;
  try {
    stat = lstatSync(lockPath);
  } catch {
    return undefined; // released meanwhile
  }
  let holder: TaskLockHolder | undefined;
  if (stat.isFile()) {
    try {
      const fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        if (fstatSync(fd).ino === stat.ino) holder = parseTaskLock(readFileSync(fd, 'utf8'));
      } finally {
        closeSync(fd);
      }
    } catch {
      return undefined;
    }
    if (holder === undefined && Date.now() - stat.mtimeMs < TORN_LOCK_STALE_MS) {
      return { pid: 0, host: 'a writer starting' };
    }
    if (holder !== undefined && (holder.host !== hostname() || processIsAlive(holder.pid))) {
      return holder;
    }
  }
  try {
    if (stat.isDirectory()) rmdirSync(lockPath);
    else unlinkSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PermissionError(
        lockPath,
        `a stale or foreign lock is in the way and cannot be removed (${(error as NodeJS.ErrnoException).code})`
      );
    }
  }
  return undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
