/**
 * Writing numpy bool the way h5py does: an HDF5 enum {FALSE = 0, TRUE = 1} over int8.
 *
 * h5wasm can create integer, float, string, reference and compound datasets, not enums, and its
 * WebAssembly build exports no H5T/H5D function we could call to make one. So the writer creates
 * the dataset with a placeholder type of the same memory layout (a compound of one int8 member,
 * whose datatype message is larger than the enum's), flushes, and rewrites that datatype message
 * in the file into the enum message h5py itself writes, byte for byte; the space left over
 * becomes a NULL message, which the HDF5 format defines as padding. The data bytes (0/1) are
 * already right. This needs a version-1 object header, which every dataset gets in files opened
 * with the earliest-format lower bound (as this package opens them for writing).
 */
import * as fs from 'node:fs';
import { FormatError } from '../core/errors.js';
import type { H5WriteMetadata } from './hdf5-module.js';

/** Name of the placeholder compound's one member; no AxoPy file holds a compound type. */
const PLACEHOLDER_MEMBER = 'axopy_bool_placeholder';

const DATATYPE_MESSAGE = 0x0003;
const NULL_MESSAGE = 0x0000;
const V1_PREFIX_BYTES = 16;
const V1_MESSAGE_HEADER_BYTES = 8;
/** Datatype message byte 0 of a version-1 compound (class 6). */
const COMPOUND_V1_CLASS_BYTE = 0x16;

/**
 * The datatype message h5py 3.7 (HDF5 1.10) writes for numpy bool, 40 bytes: enum class,
 * version 1, two members, size 1; base type int8 little-endian signed (offset 0, precision 8);
 * names "FALSE", "TRUE" NUL-padded to 8 bytes; values 0, 1; 2 bytes of alignment.
 */
const H5PY_BOOL_ENUM_MESSAGE = Uint8Array.from([
  0x18, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
  0x00, 0x46, 0x41, 0x4c, 0x53, 0x45, 0x00, 0x00, 0x00, 0x54, 0x52, 0x55, 0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00
]);

/** create_dataset metadata of the placeholder: one int8 member at offset 0, 1 byte per element. */
export function boolPlaceholderMetadata(shape: readonly number[], elementCount: number): H5WriteMetadata {
  const int8 = { type: 0, size: 1, signed: true, littleEndian: true, vlen: false, total_size: 1 };
  return {
    type: 6,
    size: 1,
    signed: false,
    littleEndian: true,
    vlen: false,
    total_size: elementCount,
    shape: shape.map(n => BigInt(n)),
    maxshape: null,
    chunks: null,
    compound_type: {
      nmembers: 1,
      members: [{ ...int8, name: PLACEHOLDER_MEMBER, offset: 0, shape: null, maxshape: null }]
    }
  };
}

/**
 * The writes that turn the placeholder datatype message of the dataset whose object header is
 * at `headerAddress` into h5py's bool enum (message, then the header's message count). The
 * header must be on disk (flushed), and HDF5 must not write it back later: the caller reopens.
 */
export function boolEnumPatch(
  path: string,
  dataset: string,
  headerAddress: number
): Array<{ position: number; bytes: Uint8Array }> {
  const fail = (problem: string): never => {
    throw new FormatError(path, `dataset "${dataset}": cannot store bool as h5py's enum: ${problem}`);
  };
  const fd = fs.openSync(path, 'r');
  let prefix: Buffer;
  let chunk: Buffer;
  try {
    prefix = Buffer.alloc(V1_PREFIX_BYTES);
    fs.readSync(fd, prefix, 0, V1_PREFIX_BYTES, headerAddress);
    chunk = Buffer.alloc(prefix[0] === 1 ? prefix.readUInt32LE(8) : 0);
    fs.readSync(fd, chunk, 0, chunk.length, headerAddress + V1_PREFIX_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  if (prefix[0] !== 1) {
    fail(`object header version ${prefix[0]}, expected 1`);
  }
  const at = findPlaceholderMessage(chunk) ?? fail('placeholder datatype message not found');
  const dataBytes = chunk.readUInt16LE(at + 2);
  const spare = dataBytes - H5PY_BOOL_ENUM_MESSAGE.length;
  if (spare !== 0 && spare < V1_MESSAGE_HEADER_BYTES) {
    fail(`placeholder message of ${dataBytes} bytes cannot hold the enum`);
  }
  // Same message type and flags (constant); only the size and the data change.
  const message = Buffer.alloc(V1_MESSAGE_HEADER_BYTES + dataBytes);
  chunk.copy(message, 0, at, at + V1_MESSAGE_HEADER_BYTES);
  message.writeUInt16LE(H5PY_BOOL_ENUM_MESSAGE.length, 2);
  message.set(H5PY_BOOL_ENUM_MESSAGE, V1_MESSAGE_HEADER_BYTES);
  const writes = [{ position: headerAddress + V1_PREFIX_BYTES + at, bytes: message as Uint8Array }];
  if (spare > 0) {
    const nullAt = V1_MESSAGE_HEADER_BYTES + H5PY_BOOL_ENUM_MESSAGE.length;
    message.writeUInt16LE(NULL_MESSAGE, nullAt);
    message.writeUInt16LE(spare - V1_MESSAGE_HEADER_BYTES, nullAt + 2);
    const count = Buffer.alloc(2);
    count.writeUInt16LE(prefix.readUInt16LE(2) + 1);
    writes.push({ position: headerAddress + 2, bytes: count });
  }
  return writes;
}

/** Offset in a v1 header chunk of the datatype message that is our placeholder compound. */
function findPlaceholderMessage(chunk: Buffer): number | undefined {
  const name = Buffer.from(PLACEHOLDER_MEMBER + '\0', 'latin1');
  for (let at = 0; at + V1_MESSAGE_HEADER_BYTES <= chunk.length;) {
    const type = chunk.readUInt16LE(at);
    const dataBytes = chunk.readUInt16LE(at + 2);
    const data = chunk.subarray(at + V1_MESSAGE_HEADER_BYTES, at + V1_MESSAGE_HEADER_BYTES + dataBytes);
    // A v1 compound message: 8 bytes of header, then the first member's NUL-terminated name.
    if (
      type === DATATYPE_MESSAGE &&
      data[0] === COMPOUND_V1_CLASS_BYTE &&
      data.subarray(8, 8 + name.length).equals(name)
    ) {
      return at;
    }
    at += V1_MESSAGE_HEADER_BYTES + dataBytes;
  }
  return undefined;
}
