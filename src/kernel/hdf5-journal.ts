/**
 * Crash-atomic flushes for HDF5 files written through h5wasm, with a journal beside the file.
 *
 * HDF5 updates some metadata in place at every flush: the root group's local heap (its header
 * and its data block, which sit apart once the heap has grown), symbol-table nodes, B-tree nodes,
 * the superblock. Those are separate writes; a process killed between two of them leaves the
 * file inconsistent, and h5py then fails on every dataset ("bad heap free list"), not only on
 * the one being written. Measured: about 1 SIGKILL in 40 broke a file this way.
 *
 * So, for each file open for writing, writes that land below the size the file had at the last
 * flush (in-place updates of what is already committed) are held back in memory, served to
 * HDF5's own reads from there, and at the end of each flush written as one batch, the way
 * SQLite commits: first to `<file>-journal` beside the file (created exclusively, never through
 * a link, mode 0600, one write: complete or detectably torn), then to the file, then the journal
 * is invalidated (removed when the file is closed). Writes beyond that size (new data, new metadata) go straight to the file: nothing
 * committed points at them yet. The journal records the file's identity (device, inode, size,
 * name; core/hdf5-journal.ts). A process killed mid-batch leaves the journal; the next open of
 * the file for writing by this kernel (or `Storage.requireTask`) replays it, if, and only if,
 * it is this user's, complete, and made for that very file; any other journal is removed
 * unreplayed. A small helper process started by the writer replays, once the writer has died,
 * the journals of the files the writer announced to it (no folder is scanned), so h5py reads the
 * file without waiting for the next open. (This guards against the process being killed; with
 * `durability: 'fsync'` the journal and the file are also fsynced, against power loss.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { type JournalWrite, encodeJournal } from '../core/hdf5-journal.js';
import type { H5FsStream, H5Module } from './hdf5-module.js';
import { typedFsError } from './files.js';
import {
  CREATE_EXCLUSIVE,
  WRITE_NO_FOLLOW,
  applyWrites,
  identityOf,
  journalPathFor,
  removeJournal
} from './hdf5-journal-recovery.js';

export { journalPathFor, recoverJournal, type JournalRecovery } from './hdf5-journal-recovery.js';

// ---------------------------------------------------------------------------------------------
// Deterministic crash points for the fault tests: AXOPY_DIE_AT="<step>" or "<step>@<n>" (the
// n-th time the step is reached, 1-based) SIGKILLs the journal helper and this process's whole
// process group there. Unset (always, outside tests) it costs one comparison per step.

// Read at each step (a test child may set it just before the write it dies in).
const stepCounts = new Map<string, number>();

/** Names a step of a write; the fault tests kill the process there (see AXOPY_DIE_AT). */
export function crashPoint(step: string): void {
  const dieAt = process.env.AXOPY_DIE_AT;
  if (dieAt === undefined || !dieAt.startsWith(step)) return;
  const [dieStep, countText] = dieAt.split('@');
  if (dieStep !== step) return;
  const count = (stepCounts.get(step) ?? 0) + 1;
  stepCounts.set(step, count);
  if (count !== (countText === undefined ? 1 : Number(countText))) return;
  if (helper?.pid !== undefined) {
    try {
      process.kill(helper.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  try {
    process.kill(-process.pid, 'SIGKILL'); // the group, when this process leads one
  } catch {
    /* not a group leader */
  }
  process.kill(process.pid, 'SIGKILL');
}

// ---------------------------------------------------------------------------------------------
// The helper: told which files this process writes ("+path" when opened, "-path" when released),
// it replays those files' journals once this process has ended (its stdin closes).

let helper: ChildProcess | undefined;
let helperFailed = false;

function announce(line: string): void {
  if (helperFailed) return;
  if (helper === undefined) {
    try {
      helper = spawn(process.execPath, [nodePath.join(__dirname, 'hdf5-journal-helper.js')], {
        detached: true, // its own process group: it outlives a kill of the writer's group
        stdio: ['pipe', 'ignore', 'ignore']
      });
    } catch {
      helperFailed = true; // without a helper, the next open still recovers
      return;
    }
    helper.on('error', () => (helperFailed = true));
    helper.unref();
    helper.stdin?.on('error', () => (helperFailed = true));
    (helper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  helper.stdin?.write(line + '\n');
}

/** The open files whose in-place writes are held back, by absolute path. */
const guardedFiles = new Map<string, FlushJournal>();
const hookedModules = new WeakSet<H5Module>();

function guardOf(stream: H5FsStream): FlushJournal | undefined {
  if (guardedFiles.size === 0) {
    return undefined;
  }
  // Files are opened by absolute path, so the stream's own path is usually the key as is.
  return guardedFiles.get(stream.path) ?? guardedFiles.get(nodePath.resolve(stream.path));
}

/** Written over a journal's first byte once its batch is in the file. */
const INVALIDATED = Buffer.from([0]);

/** Emscripten's number for EIO (its errno numbers are its own, not Linux's). */
const EMSCRIPTEN_EIO = 29;

/** Routes h5wasm's file writes and reads through the guards (once per module). */
function hookModule(module: H5Module): void {
  if (hookedModules.has(module)) {
    return;
  }
  hookedModules.add(module);
  const { write, read } = module.FS;
  module.FS.write = function (stream, buffer, offset, length, position) {
    const guard = guardOf(stream);
    if (guard === undefined) {
      return write.call(this, stream, buffer, offset, length, position);
    }
    if (guard.discarding) {
      return length; // a rollback closes HDF5's file id: what it would flush is thrown away
    }
    if (typeof position === 'number' && position < guard.committedSize) {
      try {
        return guard.hold(buffer, offset, length, position);
      } catch {
        // As HDF5 expects a failed write to look (a JavaScript error would unwind its C stack);
        // the cause is in guard.failure.
        throw new (module.FS as unknown as { ErrnoError: new (errno: number) => Error }).ErrnoError(EMSCRIPTEN_EIO);
      }
    }
    try {
      return write.call(this, stream, buffer, offset, length, position);
    } catch (error) {
      // HDF5 reports only "write failed"; the cause (ENOSPC, EACCES) is kept for the error.
      guard.failure ??= error;
      throw error;
    }
  };
  module.FS.read = function (stream, buffer, offset, length, position) {
    const start = typeof position === 'number' ? position : (stream as H5FsStream & { position: number }).position;
    const direct = directRead;
    if (
      direct !== undefined &&
      !direct.served &&
      offset === direct.pointer &&
      length === direct.target.length &&
      buffer.buffer === module.HEAPU8.buffer
    ) {
      const count = read.call(this, stream, direct.target, 0, length, position);
      guardOf(stream)?.overlay(direct.target, 0, count, start);
      if (count === length) {
        direct.served = true;
      } else {
        // A short read: HDF5 reads the rest into its buffer, so it must hold this part too.
        buffer.set(direct.target.subarray(0, count), offset);
      }
      return count;
    }
    const count = read.call(this, stream, buffer, offset, length, position);
    guardOf(stream)?.overlay(buffer, offset, count, start);
    return count;
  };
}

/** The read `readDirect` is waiting for, while its `read` callback runs. */
let directRead: { pointer: number; target: Uint8Array; served: boolean } | undefined;

/**
 * Runs `read`, an HDF5 read of a whole dataset into WebAssembly memory at `pointer`; if HDF5
 * reads the bytes from the file in one call straight into that memory (contiguous data, no type
 * conversion, larger than HDF5's sieve buffer), they go into `target` instead, saving a copy
 * out of WebAssembly memory. Returns whether they did; if not, they are at `pointer` as usual.
 * Only for data HDF5 does not convert after reading: it would convert the bytes at `pointer`.
 */
export function readDirect(module: H5Module, pointer: number, target: Uint8Array, read: () => void): boolean {
  hookModule(module);
  const direct = { pointer, target, served: false };
  directRead = direct;
  try {
    read();
  } finally {
    directRead = undefined;
  }
  return direct.served;
}

/** Holds back in-place writes to one file between flushes; see the top of this file. */
export class FlushJournal {
  /** The file's size at the last commit: everything below it is committed state. */
  committedSize: number;
  /** Set while a rollback closes HDF5's file id: its writes are dropped. */
  discarding = false;
  /** The first error a direct write to the file met since the last commit (ENOSPC, ...). */
  failure: unknown;
  private pending: JournalWrite[] = [];
  private readonly absolutePath: string;
  private readonly journalPath: string;
  /** Kept open: a commit costs a handful of syscalls, not opens. */
  private readonly fileFd: number;
  /** The journal, made at the first batch that needs it, kept open until `release`. */
  private journalFd: number | undefined;
  /** The state to go back to if the current trial fails (see `setSavepoint`). */
  private savepoint: { size: number; undo: JournalWrite[] } | undefined;

  constructor(
    module: H5Module,
    readonly path: string,
    private readonly durable = false
  ) {
    hookModule(module);
    this.absolutePath = nodePath.resolve(path);
    this.journalPath = journalPathFor(path);
    try {
      this.fileFd = fs.openSync(this.absolutePath, WRITE_NO_FOLLOW);
    } catch (error) {
      throw typedFsError(error, this.absolutePath);
    }
    this.committedSize = fs.fstatSync(this.fileFd).size;
    guardedFiles.set(this.absolutePath, this);
    announce('+' + this.absolutePath);
  }

  /** Takes a copy of a write (h5wasm reuses its buffer); returns the byte count, as FS.write. */
  hold(buffer: Int8Array | Uint8Array, offset: number, length: number, position: number): number {
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice();
    const split = this.committedSize - position;
    if (split < length) {
      // Straddles the committed end: only the part below it is an in-place update.
      try {
        fs.writeSync(this.fileFd, bytes, split, length - split, this.committedSize);
      } catch (error) {
        this.failure ??= error;
        throw error;
      }
      this.pending.push({ position, bytes: bytes.subarray(0, split) });
    } else {
      this.pending.push({ position, bytes });
    }
    return length;
  }

  /** Lays held-back bytes over what HDF5 just read from the file, later writes last. */
  overlay(buffer: Int8Array | Uint8Array, offset: number, count: number, start: number): void {
    const target = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, count);
    for (const { position, bytes } of this.pending) {
      const from = Math.max(position, start);
      const to = Math.min(position + bytes.byteLength, start + count);
      if (from < to) {
        target.set(bytes.subarray(from - position, to - position), from - start);
      }
    }
  }

  /** The cause of the last failed direct write, as a typed error if it has one; then forgets it. */
  takeFailure(): unknown {
    const failure = this.failure;
    this.failure = undefined;
    return failure === undefined ? undefined : typedFsError(failure, this.absolutePath);
  }

  /**
   * Writes the held-back batch (plus `extra` writes of the caller's own) crash-atomically,
   * then takes the file's current size as committed. DiskFullError/PermissionError naming the
   * journal or the file when the file system refuses.
   */
  commit(extra: readonly JournalWrite[] = []): void {
    const writes = [...this.pending, ...extra];
    this.pending = [];
    if (this.savepoint !== undefined) this.keepUndo(writes);
    try {
      if (writes.length === 1) {
        // One write is atomic already: a killed process never leaves a write half done.
        applyWrites(this.fileFd, writes);
      } else if (writes.length > 1) {
        this.commitThroughJournal(writes);
      }
      if (this.durable) fs.fsyncSync(this.fileFd);
    } catch (error) {
      throw typedFsError(error, this.absolutePath);
    }
    this.committedSize = fs.fstatSync(this.fileFd).size;
  }

  /**
   * Remembers the file's committed state: `rollback` returns to it. Costs a read of the old
   * bytes of each in-place write until `clearSavepoint`.
   */
  setSavepoint(): void {
    this.savepoint = { size: this.committedSize, undo: [] };
  }

  clearSavepoint(): void {
    this.savepoint = undefined;
  }

  /**
   * Returns the file to the savepoint: held-back writes dropped, in-place writes committed since
   * undone (one journaled batch), bytes appended since cut off. The caller has closed HDF5's id
   * with `discarding` set, and reopens it afterwards.
   */
  rollback(): void {
    const savepoint = this.savepoint;
    this.pending = [];
    this.failure = undefined;
    if (savepoint === undefined) return;
    this.savepoint = undefined;
    const undo = savepoint.undo.reverse();
    try {
      this.commit(undo);
    } catch {
      // No room even for the journal (a full disk): in-place writes need no new space, so write
      // them straight; only a kill in these few writes could tear the file.
      applyWrites(this.fileFd, undo);
    }
    try {
      fs.ftruncateSync(this.fileFd, savepoint.size);
    } catch (error) {
      throw typedFsError(error, this.absolutePath);
    }
    this.committedSize = savepoint.size;
  }

  /** Stops holding writes back for this file (after its last commit) and removes its journal. */
  release(): void {
    if (guardedFiles.get(this.absolutePath) === this) {
      guardedFiles.delete(this.absolutePath);
    }
    fs.closeSync(this.fileFd);
    if (this.journalFd !== undefined) {
      fs.closeSync(this.journalFd);
      this.journalFd = undefined;
      fs.rmSync(this.journalPath, { force: true });
    }
    announce('-' + this.absolutePath);
  }

  /**
   * Journal, file, invalidate. The journal file is created once per open file and kept open:
   * each batch is written over the last (a create and unlink per flush cost ~6x as much as two
   * writes in place, measured on ext4), and removed when the file is released.
   */
  private commitThroughJournal(writes: readonly JournalWrite[]): void {
    const journal = encodeJournal(identityOf(this.fileFd, this.absolutePath), writes);
    this.journalFd ??= this.createJournal();
    try {
      let done = 0;
      while (done < journal.length) done += fs.writeSync(this.journalFd, journal, done, journal.length - done, done);
      if (this.durable) fs.fsyncSync(this.journalFd);
    } catch (error) {
      // The batch has not touched the file; the torn journal decodes as nothing.
      throw typedFsError(error, this.journalPath);
    }
    crashPoint('journal-written');
    applyWrites(this.fileFd, writes.slice(0, 1));
    crashPoint('batch-part-applied');
    applyWrites(this.fileFd, writes.slice(1));
    crashPoint('batch-applied');
    if (this.durable) fs.fsyncSync(this.fileFd);
    // A journal without its magic is no journal: the batch is in the file.
    fs.writeSync(this.journalFd, INVALIDATED, 0, 1, 0);
  }

  /** Creates the journal exclusively; anything in its way is recovered or removed once. */
  private createJournal(): number {
    for (let attempt = 0; ; attempt++) {
      try {
        return fs.openSync(this.journalPath, CREATE_EXCLUSIVE, 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          throw typedFsError(error, this.journalPath);
        }
        // Not ours (ours is made once per open file, and the file was recovered on open):
        // planted meanwhile, or left by a failed removal. Never replayed onto the live file.
        removeJournal(this.journalPath, fs.lstatSync(this.journalPath));
      }
    }
  }

  private keepUndo(writes: readonly JournalWrite[]): void {
    const savepoint = this.savepoint!;
    for (const { position, bytes } of writes) {
      const length = Math.min(bytes.byteLength, savepoint.size - position);
      if (length <= 0) continue; // above the savepoint: cut off by the rollback
      const old = Buffer.alloc(length);
      fs.readSync(this.fileFd, old, 0, length, position);
      savepoint.undo.push({ position, bytes: old });
    }
  }
}
