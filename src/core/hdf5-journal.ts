/**
 * The HDF5 flush journal's name rule and byte format, pure so that both shells share them: the
 * kernel writes and replays journals, the sidebar tells a file being recovered from its name.
 *
 * A journal sits beside the file it protects, as SQLite's journal does: `emg.hdf5` has
 * `emg.hdf5-journal` while a writer has the file open (each batch of in-place writes is written
 * over the last one, which was invalidated once in the file) and after a crash, until the next
 * open replays or drops it. It records the identity of the file it was written
 * for (device, inode, the size the file had when the batch was journaled, its name), so a journal
 * left by a crash is replayed onto that file only, never onto a file recorded later under the
 * same name. A CRC-32 over everything before the trailer tells a complete journal from a torn one.
 *
 * Layout (little-endian): magic; u64 total length; u64 device; u64 inode; u64 committed size;
 * u32 name length + UTF-8 name; records (u64 position, u32 length, bytes); trailer (u64 total
 * length, u32 CRC-32 of every byte before the trailer, "END\n").
 */
import { crc32 } from './zip/crc32.js';

/** Appended to an array file's name to name its journal. */
export const JOURNAL_SUFFIX = '-journal';

const MAGIC = new TextEncoder().encode('AXOPY-HDF5-JOURNAL-3\n');
const END = new TextEncoder().encode('END\n');
const FIXED_HEADER_BYTES = MAGIC.length + 8 * 4 + 4;
const RECORD_HEADER_BYTES = 12;
const TRAILER_BYTES = 8 + 4 + END.length;

/** The file a journal belongs to, as the file system identifies it. */
export interface JournalTarget {
  /** The file's name (no folder): a journal only ever protects its sibling of that name. */
  readonly name: string;
  readonly device: bigint;
  readonly inode: bigint;
  /** The file's size when the batch was journaled; a crash leaves it so. */
  readonly committedSize: bigint;
}

/** One in-place write of a batch. */
export interface JournalWrite {
  readonly position: number;
  readonly bytes: Uint8Array;
}

/** The journal file name of an array file name (`emg.hdf5` -> `emg.hdf5-journal`). */
export function journalFileName(fileName: string): string {
  return fileName + JOURNAL_SUFFIX;
}

/** The file a journal file name protects, or undefined when the name is no journal's. */
export function fileOfJournalName(journalName: string): string | undefined {
  return journalName.endsWith(JOURNAL_SUFFIX) && journalName.length > JOURNAL_SUFFIX.length
    ? journalName.slice(0, -JOURNAL_SUFFIX.length)
    : undefined;
}

/**
 * The files of a folder listing that have a journal beside them: being written right now, or
 * left by a crash (perhaps mid-flush) and to be recovered when the kernel next opens them.
 * Either way a reader should say "being written / recovering" rather than report what it reads
 * as damage.
 */
export function filesBeingRecovered(folderEntries: Iterable<string>): string[] {
  const names = new Set(folderEntries);
  const recovering: string[] = [];
  for (const name of names) {
    const file = fileOfJournalName(name);
    if (file !== undefined && names.has(file)) recovering.push(file);
  }
  return recovering.sort();
}

/** Serializes a batch as one buffer, written with a single write. */
export function encodeJournal(target: JournalTarget, writes: readonly JournalWrite[]): Uint8Array {
  const name = new TextEncoder().encode(target.name);
  let length = FIXED_HEADER_BYTES + name.length + TRAILER_BYTES;
  for (const { bytes } of writes) length += RECORD_HEADER_BYTES + bytes.byteLength;
  const journal = new Uint8Array(length);
  const view = new DataView(journal.buffer);
  journal.set(MAGIC, 0);
  let at = MAGIC.length;
  for (const value of [BigInt(length), target.device, target.inode, target.committedSize]) {
    view.setBigUint64(at, value, true);
    at += 8;
  }
  view.setUint32(at, name.length, true);
  journal.set(name, at + 4);
  at += 4 + name.length;
  for (const { position, bytes } of writes) {
    view.setBigUint64(at, BigInt(position), true);
    view.setUint32(at + 8, bytes.byteLength, true);
    journal.set(bytes, at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + bytes.byteLength;
  }
  view.setBigUint64(at, BigInt(length), true);
  view.setUint32(at + 8, crc32(journal.subarray(0, at)), true);
  journal.set(END, at + 12);
  return journal;
}

/**
 * Parses a journal; undefined when it is torn (a crash while it was written), invalidated (its
 * first byte zeroed once its batch was in the file), damaged or not a journal at all: such a
 * journal's batch is not to be replayed, so it is discarded. Bytes past its own length are
 * ignored: the tail of an older, longer batch written to the same journal file.
 */
export function decodeJournal(bytes: Uint8Array): { target: JournalTarget; writes: JournalWrite[] } | undefined {
  if (bytes.length < FIXED_HEADER_BYTES + TRAILER_BYTES || !startsWith(bytes, MAGIC, 0)) return undefined;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(MAGIC.length, true);
  if (length > BigInt(bytes.length) || length < BigInt(FIXED_HEADER_BYTES + TRAILER_BYTES)) return undefined;
  const journal = bytes.subarray(0, Number(length));
  const view = new DataView(journal.buffer, journal.byteOffset, journal.byteLength);
  const trailerAt = journal.length - TRAILER_BYTES;
  if (
    view.getBigUint64(trailerAt, true) !== length ||
    !startsWith(journal, END, trailerAt + 12) ||
    view.getUint32(trailerAt + 8, true) !== crc32(journal.subarray(0, trailerAt))
  ) {
    return undefined;
  }
  let at = MAGIC.length + 8;
  const [device, inode, committedSize] = [0, 1, 2].map(i => view.getBigUint64(at + 8 * i, true));
  at += 24;
  const nameLength = view.getUint32(at, true);
  at += 4;
  if (at + nameLength > trailerAt) return undefined;
  const name = new TextDecoder().decode(journal.subarray(at, at + nameLength));
  at += nameLength;
  const writes: JournalWrite[] = [];
  while (at < trailerAt) {
    if (at + RECORD_HEADER_BYTES > trailerAt) return undefined;
    const position = Number(view.getBigUint64(at, true));
    const count = view.getUint32(at + 8, true);
    const end = at + RECORD_HEADER_BYTES + count;
    if (end > trailerAt || position + count > Number(committedSize)) return undefined;
    writes.push({ position, bytes: journal.subarray(at + RECORD_HEADER_BYTES, end) });
    at = end;
  }
  return { target: { name, device, inode, committedSize }, writes };
}

/**
 * Whether a decoded journal may be replayed onto a file: the same name, the same file (device
 * and inode), and still the size it had when journaled (a file recorded anew, even on a reused
 * inode, has grown or shrunk since; replaying onto it would write one file's metadata into
 * another).
 */
export function journalMatchesFile(target: JournalTarget, file: JournalTarget): boolean {
  return (
    target.name === file.name &&
    target.device === file.device &&
    target.inode === file.inode &&
    target.committedSize === file.committedSize
  );
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
