/**
 * Crash-atomic flushes for HDF5 files written through h5wasm.
 *
 * HDF5 updates some metadata in place at every flush: the root group's local heap (its header
 * and its data block, which sit apart once the heap has grown), symbol-table nodes, B-tree nodes,
 * the superblock. Those are separate writes; a process killed between two of them leaves the
 * file inconsistent, and h5py then fails on every dataset ("bad heap free list"), not only on
 * the one being written. Measured: about 1 SIGKILL in 40 broke a file this way.
 *
 * So, for each file open for writing, writes that land below the size the file had at the last
 * flush (in-place updates of what is already committed) are held back in memory, served to
 * HDF5's own reads from there, and at the end of each flush written as one batch: first to a
 * journal file (one write: complete or not at all), then to the HDF5 file, then the journal is
 * emptied. Writes beyond that size (new data, new metadata) go straight to the file: nothing
 * committed points at them yet. A helper process that outlives this one (a killed writer cannot
 * finish anything itself) replays a complete journal when this process dies mid-batch; an
 * incomplete journal means the batch never touched the file. Either way the file is in the
 * state of one flush, whole. (This guards against the writer being killed, not against power
 * loss: nothing here calls fsync, and HDF5 itself never does.)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type { H5FsStream, H5Module } from './hdf5-module.js';

/** One held-back write. */
interface PendingWrite {
  readonly position: number;
  readonly bytes: Uint8Array;
}

const JOURNAL_MAGIC = 'AXOPY-HDF5-JOURNAL-1\n';
const JOURNAL_END = 'END\n';

/** The folder of this process's journals, which its helper watches; made on first use. */
export function journalFolderFor(pid: number): string {
  return nodePath.join(os.tmpdir(), `axopy-hdf5-journal-${pid}`);
}

let journalFolder: string | undefined;
let journalCount = 0;

function ensureJournalFolder(): string {
  if (journalFolder === undefined) {
    const folder = journalFolderFor(process.pid);
    // Helper first: were this process killed between the two steps, a folder without a
    // helper would stay behind; a helper without a folder just ends.
    const helper = spawn(process.execPath, [nodePath.join(__dirname, 'hdf5-journal-helper.js'), folder], {
      detached: true, // its own process group: it survives a kill of ours
      stdio: ['pipe', 'ignore', 'ignore']
    });
    helper.on('error', () => undefined); // without a helper, only a kill mid-batch is unprotected
    helper.unref();
    (helper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    fs.mkdirSync(folder, { recursive: true });
    journalFolder = folder;
  }
  return journalFolder;
}

/** Serializes a batch; the trailer holds the total length, so a torn journal is recognisable. */
export function encodeJournal(target: string, writes: readonly PendingWrite[]): Buffer {
  const parts: Buffer[] = [Buffer.from(JOURNAL_MAGIC), Buffer.from(JSON.stringify(target) + '\n')];
  for (const { position, bytes } of writes) {
    const header = Buffer.alloc(12);
    header.writeUIntLE(position, 0, 6);
    header.writeUInt32LE(bytes.byteLength, 8);
    parts.push(header, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  const body = Buffer.concat(parts);
  const trailer = Buffer.alloc(8 + JOURNAL_END.length);
  trailer.writeUIntLE(body.length + trailer.length, 0, 6);
  trailer.write(JOURNAL_END, 8);
  return Buffer.concat([body, trailer]);
}

/** Parses a journal; undefined when it is incomplete or not a journal. */
export function decodeJournal(journal: Buffer): { target: string; writes: PendingWrite[] } | undefined {
  const trailerLength = 8 + JOURNAL_END.length;
  if (journal.length < JOURNAL_MAGIC.length + trailerLength ||
      journal.subarray(0, JOURNAL_MAGIC.length).toString() !== JOURNAL_MAGIC ||
      journal.subarray(journal.length - JOURNAL_END.length).toString() !== JOURNAL_END ||
      journal.readUIntLE(journal.length - trailerLength, 6) !== journal.length) {
    return undefined;
  }
  const targetEnd = journal.indexOf(0x0a, JOURNAL_MAGIC.length);
  const target = JSON.parse(journal.subarray(JOURNAL_MAGIC.length, targetEnd).toString()) as string;
  const writes: PendingWrite[] = [];
  for (let at = targetEnd + 1; at < journal.length - trailerLength;) {
    const position = journal.readUIntLE(at, 6);
    const length = journal.readUInt32LE(at + 8);
    writes.push({ position, bytes: journal.subarray(at + 12, at + 12 + length) });
    at += 12 + length;
  }
  return { target, writes };
}

/** Writes a batch into a file (idempotent: replaying it twice gives the same bytes); for replays. */
export function applyWrites(target: string, writes: readonly PendingWrite[]): void {
  const fd = fs.openSync(target, 'r+');
  try {
    for (const { position, bytes } of writes) {
      fs.writeSync(fd, bytes, 0, bytes.byteLength, position);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The open files whose in-place writes are held back, by absolute path. */
const guardedFiles = new Map<string, FlushJournal>();
const hookedModules = new WeakSet<H5Module>();

function guardOf(stream: H5FsStream): FlushJournal | undefined {
  return guardedFiles.size === 0 ? undefined : guardedFiles.get(nodePath.resolve(stream.path));
}

/** Routes h5wasm's file writes and reads through the guards (once per module). */
function hookModule(module: H5Module): void {
  if (hookedModules.has(module)) {
    return;
  }
  hookedModules.add(module);
  const { write, read } = module.FS;
  module.FS.write = function (stream, buffer, offset, length, position) {
    const guard = guardOf(stream);
    if (guard !== undefined && typeof position === 'number' && position < guard.committedSize) {
      return guard.hold(buffer, offset, length, position);
    }
    return write.call(this, stream, buffer, offset, length, position);
  };
  module.FS.read = function (stream, buffer, offset, length, position) {
    const start = typeof position === 'number' ? position : (stream as H5FsStream & { position: number }).position;
    const count = read.call(this, stream, buffer, offset, length, position);
    guardOf(stream)?.overlay(buffer, offset, count, start);
    return count;
  };
}

/** Holds back in-place writes to one file between flushes; see the top of this file. */
export class FlushJournal {
  /** The file's size at the last commit: everything below it is committed state. */
  committedSize: number;
  private pending: PendingWrite[] = [];
  private readonly absolutePath: string;
  /** Kept open: a commit costs a handful of syscalls, not opens and unlinks. */
  private readonly fileFd: number;
  private journalFd: number | undefined;
  private journalPath: string | undefined;

  constructor(module: H5Module, readonly path: string) {
    hookModule(module);
    this.absolutePath = nodePath.resolve(path);
    this.fileFd = fs.openSync(this.absolutePath, 'r+');
    this.committedSize = fs.fstatSync(this.fileFd).size;
    guardedFiles.set(this.absolutePath, this);
  }

  /** Takes a copy of a write (h5wasm reuses its buffer); returns the byte count, as FS.write. */
  hold(buffer: Int8Array | Uint8Array, offset: number, length: number, position: number): number {
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice();
    const split = this.committedSize - position;
    if (split < length) {
      // Straddles the committed end: only the part below it is an in-place update.
      fs.writeSync(this.fileFd, bytes, split, length - split, this.committedSize);
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

  /**
   * Writes the held-back batch (plus `extra` writes of the caller's own) crash-atomically,
   * then takes the file's current size as committed.
   */
  commit(extra: readonly PendingWrite[] = []): void {
    const writes = [...this.pending, ...extra];
    this.pending = [];
    if (writes.length === 1) {
      // One write is atomic already: a killed process never leaves a write half done.
      fs.writeSync(this.fileFd, writes[0].bytes, 0, writes[0].bytes.byteLength, writes[0].position);
    } else if (writes.length > 1) {
      const journalFd = this.openJournal();
      const journal = encodeJournal(this.absolutePath, writes);
      fs.writeSync(journalFd, journal, 0, journal.length, 0);
      for (const { position, bytes } of writes) {
        fs.writeSync(this.fileFd, bytes, 0, bytes.byteLength, position);
      }
      // An empty journal is no journal: the batch is in the file.
      fs.ftruncateSync(journalFd, 0);
    }
    this.committedSize = fs.fstatSync(this.fileFd).size;
  }

  /** Stops holding writes back for this file (after its last commit) and drops its journal. */
  release(): void {
    if (guardedFiles.get(this.absolutePath) === this) {
      guardedFiles.delete(this.absolutePath);
    }
    fs.closeSync(this.fileFd);
    if (this.journalFd !== undefined) {
      fs.closeSync(this.journalFd);
      fs.rmSync(this.journalPath!, { force: true });
    }
  }

  private openJournal(): number {
    if (this.journalFd === undefined) {
      this.journalPath = nodePath.join(ensureJournalFolder(), `${++journalCount}.journal`);
      this.journalFd = fs.openSync(this.journalPath, 'w+');
    }
    return this.journalFd;
  }
}
