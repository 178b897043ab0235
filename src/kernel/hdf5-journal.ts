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
 * invalidated. Writes beyond that size (new data, new metadata) go straight to the file: nothing
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

const JOURNAL_MAGIC = 'AXOPY-HDF5-JOURNAL-2\n';
const JOURNAL_END = 'END\n';
/** Total length (6 bytes), 2 zero bytes, batch number (4 bytes). */
const JOURNAL_HEADER_BYTES = 12;
const JOURNAL_TRAILER_BYTES = JOURNAL_HEADER_BYTES + JOURNAL_END.length;

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

function lengthAndBatch(length: number, batch: number): Buffer {
  const bytes = Buffer.alloc(JOURNAL_HEADER_BYTES);
  bytes.writeUIntLE(length, 0, 6);
  bytes.writeUInt32LE(batch >>> 0, 8);
  return bytes;
}

/**
 * Serializes a batch as the buffers that make up the journal, in order (the held-back
 * bytes are not copied). The header and the trailer both hold the total
 * length and the batch number: a journal file is reused, so a shorter journal may be followed
 * by the tail of an older one, which this tells apart from its own trailer.
 */
export function encodeJournalParts(target: string, writes: readonly PendingWrite[], batch = 0): Buffer[] {
  const targetLine = Buffer.from(JSON.stringify(target) + '\n');
  let length = JOURNAL_MAGIC.length + JOURNAL_HEADER_BYTES + targetLine.length + JOURNAL_TRAILER_BYTES;
  const recordHeaders = Buffer.alloc(12 * writes.length);
  const records: Buffer[] = [];
  writes.forEach(({ position, bytes }, i) => {
    const header = recordHeaders.subarray(12 * i, 12 * (i + 1));
    header.writeUIntLE(position, 0, 6);
    header.writeUInt32LE(bytes.byteLength, 8);
    records.push(header, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    length += 12 + bytes.byteLength;
  });
  const trailer = Buffer.concat([lengthAndBatch(length, batch), Buffer.from(JOURNAL_END)]);
  return [Buffer.from(JOURNAL_MAGIC), lengthAndBatch(length, batch), targetLine, ...records, trailer];
}

/** Serializes a batch into one buffer; see `encodeJournalParts`. */
export function encodeJournal(target: string, writes: readonly PendingWrite[], batch = 0): Buffer {
  return Buffer.concat(encodeJournalParts(target, writes, batch));
}

/**
 * Parses a journal (bytes past its own trailer are ignored: the tail of an older, longer one);
 * undefined when it is incomplete, invalidated or not a journal.
 */
export function decodeJournal(journal: Buffer): { target: string; writes: PendingWrite[] } | undefined {
  const headerEnd = JOURNAL_MAGIC.length + JOURNAL_HEADER_BYTES;
  if (journal.length < headerEnd + JOURNAL_TRAILER_BYTES ||
      journal.subarray(0, JOURNAL_MAGIC.length).toString() !== JOURNAL_MAGIC) {
    return undefined;
  }
  const length = journal.readUIntLE(JOURNAL_MAGIC.length, 6);
  const batch = journal.readUInt32LE(JOURNAL_MAGIC.length + 8);
  const trailerAt = length - JOURNAL_TRAILER_BYTES;
  if (length > journal.length || trailerAt < headerEnd ||
      journal.readUIntLE(trailerAt, 6) !== length ||
      journal.readUInt32LE(trailerAt + 8) !== batch ||
      journal.subarray(length - JOURNAL_END.length, length).toString() !== JOURNAL_END) {
    return undefined;
  }
  const targetEnd = journal.indexOf(0x0a, headerEnd);
  if (targetEnd < 0 || targetEnd >= trailerAt) {
    return undefined;
  }
  const target = JSON.parse(journal.subarray(headerEnd, targetEnd).toString()) as string;
  const writes: PendingWrite[] = [];
  for (let at = targetEnd + 1; at < trailerAt;) {
    const position = journal.readUIntLE(at, 6);
    const count = journal.readUInt32LE(at + 8);
    writes.push({ position, bytes: journal.subarray(at + 12, at + 12 + count) });
    at += 12 + count;
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

/** Written over a journal's first byte once its batch is in the file. */
const INVALIDATED_MAGIC = Buffer.from([0]);

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
    const direct = directRead;
    if (direct !== undefined && !direct.served && offset === direct.pointer && length === direct.target.length &&
        buffer.buffer === module.HEAPU8.buffer) {
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
  private pending: PendingWrite[] = [];
  private readonly absolutePath: string;
  /** Kept open: a commit costs a handful of syscalls, not opens and unlinks. */
  private readonly fileFd: number;
  private journalFd: number | undefined;
  private journalPath: string | undefined;
  /** Batches journaled so far: tells a journal's own trailer from an older one's. */
  private batches = 0;
  private journalBuffer = Buffer.alloc(0);

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
      const journal = this.encode(writes);
      fs.writeSync(journalFd, journal, 0, journal.length, 0);
      for (const { position, bytes } of writes) {
        fs.writeSync(this.fileFd, bytes, 0, bytes.byteLength, position);
      }
      // A journal without its magic is no journal: the batch is in the file. One byte written
      // in place costs less than truncating the file and growing it again at the next flush.
      fs.writeSync(journalFd, INVALIDATED_MAGIC, 0, 1, 0);
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

  /** Encodes a batch into a buffer reused from flush to flush (no allocation per flush). */
  private encode(writes: readonly PendingWrite[]): Buffer {
    const parts = encodeJournalParts(this.absolutePath, writes, ++this.batches);
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    if (this.journalBuffer.length < length) {
      this.journalBuffer = Buffer.allocUnsafe(Math.max(length, 2 * this.journalBuffer.length));
    }
    let at = 0;
    for (const part of parts) {
      at += part.copy(this.journalBuffer, at);
    }
    return this.journalBuffer.subarray(0, length);
  }

  private openJournal(): number {
    if (this.journalFd === undefined) {
      this.journalPath = nodePath.join(ensureJournalFolder(), `${++journalCount}.journal`);
      this.journalFd = fs.openSync(this.journalPath, 'w+');
    }
    return this.journalFd;
  }
}
