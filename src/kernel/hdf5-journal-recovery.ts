/**
 * Recovery of the HDF5 flush journal (hdf5-journal.ts) left beside a file by a crash: replayed
 * only when it is this user's, complete and made for that very file, removed otherwise (never
 * followed if it is a link). Used when a file is opened for writing, by `Storage.requireTask`,
 * and by the helper process, which therefore loads nothing of the writer.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  type JournalTarget,
  type JournalWrite,
  decodeJournal,
  journalFileName,
  journalMatchesFile
} from '../core/hdf5-journal.js';
import { PermissionError } from '../core/errors.js';

/** Flags of a journal: created here or not at all, never through a link. */
export const CREATE_EXCLUSIVE =
  fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
const READ_NO_FOLLOW = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;
export const WRITE_NO_FOLLOW = fs.constants.O_RDWR | fs.constants.O_NOFOLLOW;

/** The journal path of a file (beside it; the name rule is core's). */
export function journalPathFor(path: string): string {
  const absolute = nodePath.resolve(path);
  return nodePath.join(nodePath.dirname(absolute), journalFileName(nodePath.basename(absolute)));
}

/** The identity a journal records, of an open file. */
export function identityOf(fd: number, path: string): JournalTarget {
  const stat = fs.fstatSync(fd, { bigint: true });
  return { name: nodePath.basename(path), device: stat.dev, inode: stat.ino, committedSize: stat.size };
}

/** What `recoverJournal` found beside a file. */
export type JournalRecovery = 'none' | 'replayed' | 'discarded';

/**
 * Replays the journal beside `path` if a crash left one that is this user's, complete, and made
 * for this very file (same device, inode, size and name); removes any other journal (torn, stale
 * after the file was recorded anew, forged by another user, a link or a folder) without reading
 * it into the file. PermissionError when such a journal cannot be removed.
 */
export function recoverJournal(path: string): JournalRecovery {
  const journalPath = journalPathFor(path);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(journalPath);
  } catch {
    return 'none';
  }
  const ours = stat.isFile() && stat.nlink === 1 && stat.uid === process.getuid?.();
  const batch = ours ? readJournal(journalPath, stat) : undefined;
  let replayed = false;
  if (batch !== undefined) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(nodePath.resolve(path), WRITE_NO_FOLLOW);
      const fileStat = fs.fstatSync(fd);
      if (
        fileStat.isFile() &&
        fileStat.uid === process.getuid?.() &&
        journalMatchesFile(batch.target, identityOf(fd, path))
      ) {
        applyWrites(fd, batch.writes);
        replayed = true;
      }
    } catch {
      // no such file (removed since), or a link: nothing to replay onto
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  removeJournal(journalPath, stat);
  return replayed ? 'replayed' : 'discarded';
}

function readJournal(journalPath: string, stat: fs.Stats): ReturnType<typeof decodeJournal> {
  const bytes = readJournalBytes(journalPath, stat);
  return bytes === undefined ? undefined : decodeJournal(bytes);
}

/**
 * The bytes of the journal at `journalPath` if it is a regular file (`seen`: its lstat, when
 * already taken), read without following a link; undefined when there is none, it is anything
 * else, or it was swapped between the look and the read.
 */
export function readJournalBytes(journalPath: string, seen?: fs.Stats): Buffer | undefined {
  let stat = seen;
  if (stat === undefined) {
    try {
      stat = fs.lstatSync(journalPath);
    } catch {
      return undefined;
    }
  }
  if (!stat.isFile()) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(journalPath, READ_NO_FOLLOW);
    const opened = fs.fstatSync(fd);
    if (opened.ino !== stat.ino || opened.dev !== stat.dev) return undefined; // swapped meanwhile
    const bytes = Buffer.allocUnsafe(opened.size);
    let read = 0;
    while (read < bytes.length) {
      const count = fs.readSync(fd, bytes, read, bytes.length - read, read);
      if (count === 0) break;
      read += count;
    }
    return bytes.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function removeJournal(journalPath: string, stat: fs.Stats): void {
  try {
    if (stat.isDirectory()) fs.rmdirSync(journalPath);
    else fs.unlinkSync(journalPath); // a link itself, never what it points to
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new PermissionError(
      journalPath,
      `is in the way of this file's journal and cannot be removed (${(error as NodeJS.ErrnoException).code}); remove it`
    );
  }
}

/** Writes a batch into an open file (idempotent: replaying it twice gives the same bytes). */
export function applyWrites(fd: number, writes: readonly JournalWrite[]): void {
  for (const { position, bytes } of writes) {
    let done = 0;
    while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
  }
}
