/**
 * Direct reads of plain HDF5 datasets: the root group's links and each dataset's object header
 * are parsed here from the file's bytes, so that a contiguous, unfiltered numeric dataset (what
 * AxoPy, h5py by default and our writer store) is read by the shell with one positioned read
 * straight into the output, without HDF5. Whatever is not understood here (chunked or compact
 * layouts, filters, compound or string types, shared datatypes, unallocated data) yields no
 * plan, and groups of the newer format no links: the shell then asks HDF5.
 *
 * Format reference: "HDF5 File Format Specification Version 3.0": version 1 B-trees, symbol
 * table nodes, local heaps, and the dataspace, datatype, external files, data layout, filter
 * pipeline, link info, link and symbol table header messages.
 */
import { type DType } from './ndarray.js';
import { Hdf5TypeClass, dtypeForHdf5Type } from './dtype.js';
import {
  type ReadBytesAt,
  type Superblock,
  BytesNotRead,
  FieldReader,
  ObjectHeaderError,
  headerMessages,
  unsigned
} from './hdf5-object-header.js';
import { type Hdf5ReadLimits, datasetReadRefusal } from './hdf5-containment.js';

const DATASPACE_MESSAGE = 0x0001;
const LINK_INFO_MESSAGE = 0x0002;
const DATATYPE_MESSAGE = 0x0003;
const LINK_MESSAGE = 0x0006;
const EXTERNAL_FILES_MESSAGE = 0x0007;
const LAYOUT_MESSAGE = 0x0008;
const FILTER_PIPELINE_MESSAGE = 0x000b;
const SYMBOL_TABLE_MESSAGE = 0x0011;
const SHARED_MESSAGE_FLAG = 0x02;
/** B-tree levels followed at most (a group of millions of links needs a handful). */
const MAX_BTREE_LEVEL = 32;
/** Links listed at most; a larger (or cyclic) group is left to HDF5. */
const MAX_LINKS = 10_000_000;
/** A local heap's data segment read whole up to this size (names of a million trials fit). */
const MAX_HEAP_BYTES = 64 * 1024 * 1024;

/**
 * The root group's hard links, name to object header address (relative to the base address),
 * when it is a symbol-table group (superblock 0 and 1: what h5py writes by default, AxoPy and
 * this writer); undefined for a group of the newer format (link messages, compact or dense),
 * whose datasets the caller finds through HDF5. Soft links are left out (HDF5 resolves them).
 * ObjectHeaderError for bytes that are not what they claim (a damaged or torn file).
 */
export function readRootLinks(readAt: ReadBytesAt, superblock: Superblock): Map<string, number> | undefined {
  const root = superblock.rootObjectAddress;
  if (root === undefined || !Number.isFinite(root)) return undefined;
  const reader = new FieldReader(readAt, superblock);
  let symbolTable: { btree: number; heap: number } | undefined;
  for (const message of headerMessages(reader, superblock.baseAddress + root)) {
    if (message.type === LINK_INFO_MESSAGE || message.type === LINK_MESSAGE) return undefined;
    if (message.type === SYMBOL_TABLE_MESSAGE) {
      symbolTable = {
        btree: reader.offset(message.dataAt),
        heap: reader.offset(message.dataAt + superblock.offsetBytes)
      };
    }
  }
  if (symbolTable === undefined) return undefined;
  const links = new Map<string, number>();
  const { btree, heap } = symbolTable;
  const missing = new MissingBytes();
  const names = missing.attempt(() => heapDataSegment(reader, heap));
  missing.attempt(() => collectSymbolTableLinks(reader, btree, names, links, 0, new Set(), missing));
  missing.throwIfAny();
  return links;
}

/**
 * The byte ranges missing from one pass over a group's tree: a node whose bytes are not read
 * yet is noted and its siblings still visited, so that a shell fetching asynchronously gets a
 * whole level of the tree in one batch (a walk of 2000 links is then four batches, not hundreds
 * of requests one after another).
 */
class MissingBytes {
  attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof BytesNotRead)) throw error;
      this._ranges.push(...error.ranges);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this._ranges.length > 0) throw new BytesNotRead(this._ranges);
  }

  private readonly _ranges: { start: number; end: number }[] = [];
}

/** The data segment of the local heap at `heapAddress` (relative), holding the link names. */
function heapDataSegment(reader: FieldReader, heapAddress: number): Uint8Array {
  const { baseAddress, lengthBytes } = reader.superblock;
  const at = baseAddress + heapAddress;
  const head = reader.bytes(at, 8);
  if (!(head[0] === 0x48 && head[1] === 0x45 && head[2] === 0x41 && head[3] === 0x50))
    throw new ObjectHeaderError(`no local heap at byte ${at}`); // "HEAP"
  const size = reader.length(at + 8);
  if (size > MAX_HEAP_BYTES) throw new ObjectHeaderError(`local heap at byte ${at} declares ${size} bytes`);
  const segment = baseAddress + reader.offset(at + 8 + 2 * lengthBytes);
  const bytes = reader.bytes(segment, size);
  if (bytes.length < size) throw new ObjectHeaderError(`local heap at byte ${at} runs past the end of the file`);
  return bytes;
}

/** Walks a group's v1 B-tree (node type 0) down to its symbol table nodes, adding their entries. */
function collectSymbolTableLinks(
  reader: FieldReader,
  nodeAddress: number,
  names: Uint8Array | undefined,
  links: Map<string, number>,
  depth: number,
  seen: Set<number>,
  missing: MissingBytes
): void {
  const { baseAddress, offsetBytes, lengthBytes } = reader.superblock;
  const at = baseAddress + nodeAddress;
  if (depth > MAX_BTREE_LEVEL || seen.has(at)) throw new ObjectHeaderError(`group B-tree loops at byte ${at}`);
  seen.add(at);
  const head = reader.bytes(at, 8);
  if (!(head[0] === 0x54 && head[1] === 0x52 && head[2] === 0x45 && head[3] === 0x45) || head[4] !== 0)
    throw new ObjectHeaderError(`no group B-tree node at byte ${at}`); // "TREE"
  const level = head[5];
  const entries = head[6] | (head[7] << 8);
  const childrenAt = at + 8 + 2 * offsetBytes;
  const stride = lengthBytes + offsetBytes;
  const body = reader.bytes(childrenAt, entries * stride + lengthBytes);
  for (let entry = 0; entry < entries; entry++) {
    const child = unsigned(body, entry * stride + lengthBytes, offsetBytes);
    missing.attempt(() =>
      level > 0
        ? collectSymbolTableLinks(reader, child, names, links, depth + 1, seen, missing)
        : collectSymbolNodeLinks(reader, child, names, links)
    );
  }
}

/** Adds the entries of the symbol table node at `nodeAddress` (relative); reads it only while the names are not read. */
function collectSymbolNodeLinks(
  reader: FieldReader,
  nodeAddress: number,
  names: Uint8Array | undefined,
  links: Map<string, number>
): void {
  const { baseAddress, offsetBytes } = reader.superblock;
  const at = baseAddress + nodeAddress;
  const head = reader.bytes(at, 8);
  if (!(head[0] === 0x53 && head[1] === 0x4e && head[2] === 0x4f && head[3] === 0x44))
    throw new ObjectHeaderError(`no symbol table node at byte ${at}`); // "SNOD"
  const count = head[6] | (head[7] << 8);
  const entryBytes = 2 * offsetBytes + 24;
  const body = reader.bytes(at + 8, count * entryBytes);
  if (body.length < count * entryBytes)
    throw new ObjectHeaderError(`symbol table node at byte ${at} runs past the end of the file`);
  if (names === undefined) return;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let entry = 0; entry < count; entry++) {
    const entryAt = entry * entryBytes;
    const nameOffset = unsigned(body, entryAt, offsetBytes);
    const address = unsigned(body, entryAt + offsetBytes, offsetBytes);
    // Cache type 2: a soft link; its target is not an object header address.
    if (view.getUint32(entryAt + 2 * offsetBytes, true) === 2) continue;
    const end = names.indexOf(0, nameOffset);
    if (nameOffset >= names.length || end < 0)
      throw new ObjectHeaderError(`symbol table node at byte ${at} names a link outside its heap`);
    if (links.size >= MAX_LINKS) throw new ObjectHeaderError(`group holds more than ${MAX_LINKS} links`);
    links.set(new TextDecoder().decode(names.subarray(nameOffset, end)), address);
  }
}

/** How to read a dataset directly: where its bytes are and what they hold. */
export interface DirectReadPlan {
  readonly dtype: DType;
  readonly shape: number[];
  /** Absolute position of the first byte of data in the file. */
  readonly position: number;
  readonly byteCount: number;
  readonly elementBytes: number;
  readonly bigEndian: boolean;
}

/**
 * The plan for reading the dataset whose object header is at `objectAddress` (relative), or
 * undefined when it is not a contiguous, unfiltered, allocated dataset of plain integers or
 * IEEE floats. Containment (core/hdf5-containment.ts) is applied as for any read: `refusal` is
 * set instead when the rule refuses the dataset (external storage, a size the file cannot hold).
 */
export function planDirectRead(
  readAt: ReadBytesAt,
  superblock: Superblock,
  objectAddress: number,
  fileBytes: number,
  limits: Hdf5ReadLimits = {}
): { plan?: DirectReadPlan; refusal?: string } {
  const reader = new FieldReader(readAt, superblock);
  let shape: number[] | null | undefined;
  let type: { dtype: DType; elementBytes: number; bigEndian: boolean } | undefined;
  let typeUnsupported = false;
  let contiguous: { address: number; size: number } | undefined;
  let layoutSeen = false;
  let filtered = false;
  let external = false;
  for (const message of headerMessages(reader, superblock.baseAddress + objectAddress)) {
    if (message.type === DATASPACE_MESSAGE) {
      shape = dataspaceShape(reader, message.dataAt);
    } else if (message.type === DATATYPE_MESSAGE) {
      type = message.flags & SHARED_MESSAGE_FLAG ? undefined : plainNumberType(reader.bytes(message.dataAt, 24));
      typeUnsupported = type === undefined;
    } else if (message.type === LAYOUT_MESSAGE) {
      layoutSeen = true;
      contiguous = contiguousStorage(reader, message.dataAt);
    } else if (message.type === FILTER_PIPELINE_MESSAGE) {
      filtered = true;
    } else if (message.type === EXTERNAL_FILES_MESSAGE) {
      external = true;
    }
  }
  if (!layoutSeen) return {}; // a group or a named datatype: HDF5 says what it is
  if (external || filtered || typeUnsupported || type === undefined || contiguous === undefined || !shape) return {};
  const elementCount = shape.reduce((product, extent) => product * extent, 1);
  const byteCount = elementCount * type.elementBytes;
  // The bomb rule first, with the facts the header gives, as the HDF5 path applies it.
  const refusal = datasetReadRefusal(
    {
      filters: [],
      shape,
      elementBytes: type.elementBytes,
      storage: { layout: 'contiguous', externalFiles: undefined }
    },
    fileBytes,
    limits
  );
  if (refusal !== undefined) return { refusal };
  if (byteCount === 0) return { plan: { ...type, shape, position: 0, byteCount: 0 } };
  // Unallocated storage (fill values) or a size that disagrees with the shape: HDF5 decides.
  if (!Number.isFinite(contiguous.address) || contiguous.size !== byteCount) return {};
  const position = superblock.baseAddress + contiguous.address;
  if (position + byteCount > fileBytes) return {};
  return { plan: { ...type, shape, position, byteCount } };
}

/** The dataspace's extents ([] for a scalar), or null for a null dataspace. */
function dataspaceShape(reader: FieldReader, dataAt: number): number[] | null {
  const head = reader.bytes(dataAt, 8);
  const version = head[0];
  const rank = head[1];
  if (version === 2 && head[3] === 2) return null;
  if (version !== 1 && version !== 2)
    throw new ObjectHeaderError(`dataspace message version ${version} at byte ${dataAt}`);
  const extentsAt = dataAt + (version === 1 ? 8 : 4);
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(reader.length(extentsAt + axis * reader.superblock.lengthBytes));
  return shape;
}

/** An IEEE float or a whole-byte integer type without padding; undefined for anything else. */
function plainNumberType(bytes: Uint8Array): { dtype: DType; elementBytes: number; bigEndian: boolean } | undefined {
  if (bytes.length < 12) return undefined;
  const typeClass = bytes[0] & 0x0f;
  const bits = bytes[1];
  const size = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  const bitOffset = bytes[8] | (bytes[9] << 8);
  const precision = bytes[10] | (bytes[11] << 8);
  if (bitOffset !== 0 || precision !== size * 8) return undefined;
  const bigEndian = (bits & 0x01) === 1;
  if (typeClass === Hdf5TypeClass.integer) {
    // Bits 1-2: padding (irrelevant with no padding bits); bit 3: signed.
    const dtype = dtypeForHdf5Type({ typeClass, size, signed: (bits & 0x08) !== 0 } as Parameters<
      typeof dtypeForHdf5Type
    >[0]);
    return dtype === undefined ? undefined : { dtype, elementBytes: size, bigEndian };
  }
  if (typeClass === Hdf5TypeClass.float && bytes.length >= 20) {
    // Bit 6 with bit 0: VAX order; bits 4-5: mantissa normalisation (2: implied bit, IEEE).
    if (bits & 0x40 || ((bits >> 4) & 0x03) !== 2) return undefined;
    const exponentBits = bytes[13];
    const mantissaBits = bytes[15];
    const bias = bytes[16] | (bytes[17] << 8) | (bytes[18] << 16) | (bytes[19] << 24);
    const ieee =
      (size === 8 && exponentBits === 11 && mantissaBits === 52 && bias === 1023) ||
      (size === 4 && exponentBits === 8 && mantissaBits === 23 && bias === 127);
    return ieee ? { dtype: size === 8 ? 'float64' : 'float32', elementBytes: size, bigEndian } : undefined;
  }
  return undefined;
}

/** The data's address and size when the layout is contiguous (versions 3 and 4); else undefined. */
function contiguousStorage(reader: FieldReader, dataAt: number): { address: number; size: number } | undefined {
  const head = reader.bytes(dataAt, 2);
  if ((head[0] !== 3 && head[0] !== 4) || head[1] !== 1) return undefined;
  return { address: reader.offset(dataAt + 2), size: reader.length(dataAt + 2 + reader.superblock.offsetBytes) };
}

/** Reverses the byte order of each `elementBytes`-sized element of `bytes`, in place. */
export function swapByteOrder(bytes: Uint8Array, elementBytes: number): void {
  if (elementBytes === 1) return;
  for (let at = 0; at + elementBytes <= bytes.length; at += elementBytes) {
    for (let low = at, high = at + elementBytes - 1; low < high; low++, high--) {
      const byte = bytes[low];
      bytes[low] = bytes[high];
      bytes[high] = byte;
    }
  }
}
