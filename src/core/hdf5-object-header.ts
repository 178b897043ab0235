/**
 * Just enough of the HDF5 file format to tell where a dataset's raw data lives, which h5wasm
 * does not report: a dataset created with external storage (h5py's `external=`) looks like any
 * contiguous dataset through its API, and HDF5 then reads whatever file the header names. The
 * header is read here from the file's bytes, through a read function the shell provides (Node
 * fs in the kernel, the HTTP block cache in the browser worker).
 *
 * Format reference: "HDF5 File Format Specification Version 3.0", sections II.A (superblock),
 * III.D (local heap), IV.A.1 (object headers), IV.A.2.g/i/q (external files, layout,
 * continuation messages).
 */

/** Reads up to `length` bytes at absolute `offset`; fewer (or none) past the end of the file. */
export type ReadBytesAt = (offset: number, length: number) => Uint8Array;

/** Where a dataset's elements are stored, from its data layout message. */
export type StorageLayout = 'compact' | 'contiguous' | 'chunked' | 'virtual' | 'unknown';

/** What a dataset's object header says about its raw data. */
export interface DatasetStorageFacts {
  readonly layout: StorageLayout;
  /**
   * Files named by an External Data Files message (raw data kept outside this file), or
   * undefined when the header has none. A name the heap does not hold is given as "?".
   */
  readonly externalFiles: readonly string[] | undefined;
  /** Why the header could not be read here (then nothing above is known). */
  readonly unreadable?: string;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const EXTERNAL_FILES_MESSAGE = 0x0007;
const LAYOUT_MESSAGE = 0x0008;
const CONTINUATION_MESSAGE = 0x0010;
/** Continuation blocks followed at most: a hostile header could chain them in a cycle. */
const MAX_HEADER_BLOCKS = 64;
const MAX_NAME_BYTES = 4096;
const LAYOUT_CLASSES: readonly StorageLayout[] = ['compact', 'contiguous', 'chunked', 'virtual'];

/** The superblock fields addresses are read with; the same for the life of a file. */
export interface Superblock {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly baseAddress: number;
  /** The root group's object header, relative to the base address (Infinity if undefined). */
  readonly rootObjectAddress?: number;
}

/** A damaged or unexpected header: the caller reports it as it reports HDF5's own errors. */
export class ObjectHeaderError extends Error {}

/**
 * Thrown by a {@link ReadBytesAt} that has not got those bytes yet: a shell that fetches
 * asynchronously (the browser worker) collects the ranges a parse needs, fetches them together
 * and parses again. A parse that can go on past a miss (the siblings of a B-tree node) gathers
 * every range it needs into one.
 */
export class BytesNotRead extends Error {
  constructor(readonly ranges: readonly { readonly start: number; readonly end: number }[]) {
    super(`${ranges.length} byte ranges not read yet`);
  }
}

/**
 * The storage facts of the dataset whose object header is at `objectAddress` (relative to the
 * file's base address, as HDF5 object references hold it).
 */
export function readDatasetStorageFacts(
  readAt: ReadBytesAt,
  objectAddress: number,
  superblock = readSuperblock(readAt)
): DatasetStorageFacts {
  const reader = new FieldReader(readAt, superblock);
  let layout: StorageLayout = 'unknown';
  let externalFiles: string[] | undefined;
  for (const message of headerMessages(reader, superblock.baseAddress + objectAddress)) {
    if (message.type === LAYOUT_MESSAGE) {
      layout = layoutOfMessage(reader, message.dataAt);
    } else if (message.type === EXTERNAL_FILES_MESSAGE) {
      externalFiles = [...(externalFiles ?? []), ...externalFileNames(reader, message.dataAt)];
    }
  }
  if (layout === 'unknown')
    throw new ObjectHeaderError(
      `no data layout message in the object header at byte ${superblock.baseAddress + objectAddress}`
    );
  return { layout, externalFiles };
}

/** The object header address an HDF5 object reference holds (8 bytes, little-endian). */
export function addressOfReference(reference: ArrayLike<number>): number {
  let address = 0;
  for (let i = 7; i >= 0; i--) address = address * 256 + (reference[i] ?? 0);
  return address;
}

/** The file's superblock (ObjectHeaderError when there is none). */
export function readSuperblock(readAt: ReadBytesAt): Superblock {
  // The superblock is at 0 or, after a user block, at 512, 1024, 2048, ...
  for (let at = 0; at <= 1 << 30; at = at === 0 ? 512 : at * 2) {
    const head = readAt(at, 32);
    if (head.length < 32) break;
    if (!SIGNATURE.every((byte, i) => head[i] === byte)) continue;
    const version = head[8];
    if (version === 0 || version === 1) {
      const offsetBytes = head[13];
      const baseAt = version === 0 ? 24 : 28;
      // Base, free-space, end-of-file and driver addresses, then the root group's symbol table
      // entry: its link name offset, then its object header address.
      const fields = readAt(at + baseAt, 6 * offsetBytes);
      return {
        offsetBytes,
        lengthBytes: head[14],
        baseAddress: unsigned(fields, 0, offsetBytes),
        rootObjectAddress: fields.length >= 6 * offsetBytes ? unsigned(fields, 5 * offsetBytes, offsetBytes) : undefined
      };
    }
    // Versions 2 and 3: base, superblock extension, end-of-file and root object header addresses.
    const offsetBytes = head[9];
    const fields = readAt(at + 12, 4 * offsetBytes);
    return {
      offsetBytes,
      lengthBytes: head[10],
      baseAddress: unsigned(fields, 0, offsetBytes),
      rootObjectAddress: fields.length >= 4 * offsetBytes ? unsigned(fields, 3 * offsetBytes, offsetBytes) : undefined
    };
  }
  throw new ObjectHeaderError('no HDF5 superblock found');
}

/** One message of an object header: where its data starts, its size and flags (bit 1: shared). */
export interface HeaderMessage {
  readonly type: number;
  readonly dataAt: number;
  readonly size: number;
  readonly flags: number;
}

/** Every message of the object header at absolute `address`, continuation blocks included. */
export function headerMessages(reader: FieldReader, address: number): HeaderMessage[] {
  const messages: HeaderMessage[] = [];
  const first = reader.bytes(address, 16);
  const isVersion2 = first[0] === 0x4f && first[1] === 0x48 && first[2] === 0x44 && first[3] === 0x52; // "OHDR"
  const blocks: { start: number; end: number }[] = [];
  let flags = 0;
  let expected = Infinity;
  if (isVersion2) {
    flags = first[5];
    let at = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 0x03);
    const size = unsigned(reader.bytes(address + at, sizeBytes), 0, sizeBytes);
    at += sizeBytes;
    blocks.push({ start: address + at, end: address + at + size });
  } else if (first[0] === 1) {
    expected = first[2] | (first[3] << 8);
    const size = unsigned(first, 8, 4);
    blocks.push({ start: address + 16, end: address + 16 + size });
  } else {
    throw new ObjectHeaderError(`unknown object header version at byte ${address}`);
  }
  const messageHeaderBytes = isVersion2 ? 4 + (flags & 0x04 ? 2 : 0) : 8;
  for (let index = 0; index < blocks.length; index++) {
    if (index >= MAX_HEADER_BLOCKS)
      throw new ObjectHeaderError(
        `object header at byte ${address} has more than ${MAX_HEADER_BLOCKS} continuation blocks`
      );
    const { start, end } = blocks[index];
    const block = reader.bytes(start, end - start);
    if (block.length < end - start)
      throw new ObjectHeaderError(`object header block at byte ${start} runs past the end of the file`);
    for (let at = 0; at + messageHeaderBytes <= block.length && messages.length < expected;) {
      const type = isVersion2 ? block[at] : block[at] | (block[at + 1] << 8);
      const size = isVersion2 ? block[at + 1] | (block[at + 2] << 8) : block[at + 2] | (block[at + 3] << 8);
      const messageFlags = isVersion2 ? block[at + 3] : block[at + 4];
      const dataAt = start + at + messageHeaderBytes;
      messages.push({ type, dataAt, size, flags: messageFlags });
      if (type === CONTINUATION_MESSAGE) {
        const offset = reader.offset(dataAt);
        const length = reader.length(dataAt + reader.superblock.offsetBytes);
        const target = reader.superblock.baseAddress + offset;
        // Version-2 continuation blocks start with "OCHK" and end with a checksum.
        blocks.push(
          isVersion2 ? { start: target + 4, end: target + length - 4 } : { start: target, end: target + length }
        );
      }
      at += messageHeaderBytes + size;
    }
  }
  return messages;
}

function layoutOfMessage(reader: FieldReader, dataAt: number): StorageLayout {
  const head = reader.bytes(dataAt, 3);
  // Versions 1 and 2 put the class after the dimensionality; versions 3 and 4 first.
  const layoutClass = head[0] <= 2 ? head[2] : head[1];
  return LAYOUT_CLASSES[layoutClass] ?? 'unknown';
}

function externalFileNames(reader: FieldReader, dataAt: number): string[] {
  const head = reader.bytes(dataAt, 8);
  const usedSlots = head[6] | (head[7] << 8);
  const heapAddress = reader.superblock.baseAddress + reader.offset(dataAt + 8);
  const heap = reader.bytes(heapAddress, 8);
  const isHeap = heap[0] === 0x48 && heap[1] === 0x45 && heap[2] === 0x41 && heap[3] === 0x50; // "HEAP"
  const { lengthBytes, offsetBytes } = reader.superblock;
  const segment = isHeap ? reader.superblock.baseAddress + reader.offset(heapAddress + 8 + 2 * lengthBytes) : -1;
  const names: string[] = [];
  const slotsAt = dataAt + 8 + offsetBytes;
  for (let slot = 0; slot < usedSlots && slot < 1024; slot++) {
    const nameOffset = reader.length(slotsAt + slot * 3 * lengthBytes);
    names.push(segment < 0 ? '?' : reader.cString(segment + nameOffset));
  }
  return names;
}

/** Reads the superblock's sized fields; numbers beyond 2^53 (undefined addresses) are Infinity. */
export class FieldReader {
  constructor(
    private readonly readAt: ReadBytesAt,
    readonly superblock: Superblock
  ) {}

  bytes(at: number, length: number): Uint8Array {
    if (!Number.isFinite(at) || at < 0 || length < 0 || length > 1 << 26) {
      throw new ObjectHeaderError(`object header points at byte ${at}, outside the file`);
    }
    return this.readAt(at, length);
  }

  offset(at: number): number {
    return unsigned(this.bytes(at, this.superblock.offsetBytes), 0, this.superblock.offsetBytes);
  }

  length(at: number): number {
    return unsigned(this.bytes(at, this.superblock.lengthBytes), 0, this.superblock.lengthBytes);
  }

  cString(at: number): string {
    const bytes = this.bytes(at, MAX_NAME_BYTES);
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
  }
}

/** A little-endian unsigned integer of `size` bytes; Infinity beyond 2^53 or past the bytes. */
export function unsigned(bytes: Uint8Array, at: number, size: number): number {
  if (at + size > bytes.length) throw new ObjectHeaderError('object header field runs past the end of the file');
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i];
  return value > Number.MAX_SAFE_INTEGER ? Infinity : value;
}
