/**
 * The byte layout of ZIP records (APPNOTE 6.3): local and central headers, data descriptors,
 * ZIP64 extra fields and end records. Pure functions from numbers to bytes, shared by the
 * kernel's `storageToZip` and the browser's export worker through {@link ZipArchiveWriter}.
 */

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const END_SIGNATURE = 0x06054b50;
const ZIP64_EXTRA_ID = 0x0001;
/** Bit 11: the name is UTF-8. */
const FLAG_UTF8 = 0x0800;
/** Bit 3: CRC-32 and sizes follow the data (written where the output cannot seek back). */
const FLAG_DATA_DESCRIPTOR = 0x0008;
/** 2.0 (deflate) or 4.5 (ZIP64); "made by" Unix so that unzip keeps the permissions below. */
const VERSION_DEFLATE = 20;
const VERSION_ZIP64 = 45;
const MADE_BY_UNIX = 3 << 8;
/** rw-r--r-- regular file, in the Unix half of the external attributes. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;
/** Classic fields hold values below these; the value itself means "see the ZIP64 record". */
export const ZIP_MAX_32 = 0xffffffff;
export const ZIP_MAX_16 = 0xffff;
const METHOD_CODE = { store: 0, deflate: 8 } as const;

/** How an entry is compressed. */
export type ZipMethod = keyof typeof METHOD_CODE;

/** Local header of a stored/deflated entry: the first bytes of `local header + name + extra`. */
export const LOCAL_HEADER_FIXED_BYTES = 30;
/** Offset of the CRC-32 field in a local header (then compressed size, then size). */
export const LOCAL_HEADER_CRC_OFFSET = 14;

/** What the headers of one entry say. */
export interface ZipEntryRecord {
  /** UTF-8 name. */
  name: Uint8Array;
  method: ZipMethod;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts in the archive. */
  offset: number;
  /** Sizes (and the offset, in the central header) in ZIP64 extra fields. */
  zip64: boolean;
  /** CRC-32 and sizes in a data descriptor after the data, zero in the local header. */
  dataDescriptor: boolean;
}

/** Little-endian writes into a fresh buffer; 64-bit values as numbers (exact below 2^53). */
class RecordBytes {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(at: number, value: number): this {
    this.view.setUint16(at, value, true);
    return this;
  }

  u32(at: number, value: number): this {
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }

  u64(at: number, value: number): this {
    this.view.setUint32(at, value % 2 ** 32, true);
    this.view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
    return this;
  }
}

/** DOS date and time (local time, 2 s resolution), as zipfile and unzip read them. */
export function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    dosTime: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate()
  };
}

function versionNeeded(record: ZipEntryRecord): number {
  return record.zip64 ? VERSION_ZIP64 : VERSION_DEFLATE;
}

function flags(record: ZipEntryRecord): number {
  return FLAG_UTF8 | (record.dataDescriptor ? FLAG_DATA_DESCRIPTOR : 0);
}

/**
 * The local header, name and (ZIP64) extra field. With a data descriptor, CRC-32 and sizes
 * are zero here; ZIP64 puts the sizes in the extra field and 0xFFFFFFFF in the classic ones.
 */
export function localHeader(record: ZipEntryRecord): Uint8Array {
  const extraLength = record.zip64 ? 20 : 0;
  const header = new RecordBytes(LOCAL_HEADER_FIXED_BYTES + record.name.length + extraLength)
    .u32(0, LOCAL_HEADER_SIGNATURE)
    .u16(4, versionNeeded(record))
    .u16(6, flags(record))
    .u16(8, METHOD_CODE[record.method])
    .u16(10, record.dosTime)
    .u16(12, record.dosDate)
    .u16(26, record.name.length)
    .u16(28, extraLength);
  header.bytes.set(record.name, LOCAL_HEADER_FIXED_BYTES);
  if (record.zip64) {
    const at = LOCAL_HEADER_FIXED_BYTES + record.name.length;
    header.u16(at, ZIP64_EXTRA_ID).u16(at + 2, 16);
  }
  if (!record.dataDescriptor) {
    header.bytes.set(localHeaderSizes(record).fields, LOCAL_HEADER_CRC_OFFSET);
    if (record.zip64) {
      header.bytes.set(localHeaderSizes(record).zip64Extra!, LOCAL_HEADER_FIXED_BYTES + record.name.length + 4);
    }
  }
  return header.bytes;
}

/**
 * CRC-32 and sizes as the local header holds them, to patch a header written before its data
 * was: `fields` at {@link LOCAL_HEADER_CRC_OFFSET}, `zip64Extra` (the extra field's values) 4
 * bytes after the name.
 */
export function localHeaderSizes(record: ZipEntryRecord): { fields: Uint8Array; zip64Extra?: Uint8Array } {
  const fields = new RecordBytes(12)
    .u32(0, record.crc32)
    .u32(4, record.zip64 ? ZIP_MAX_32 : record.compressedSize)
    .u32(8, record.zip64 ? ZIP_MAX_32 : record.size).bytes;
  if (!record.zip64) {
    return { fields };
  }
  return { fields, zip64Extra: new RecordBytes(16).u64(0, record.size).u64(8, record.compressedSize).bytes };
}

/** The data descriptor after an entry's data: 8-byte sizes when the entry is ZIP64. */
export function dataDescriptor(record: ZipEntryRecord): Uint8Array {
  if (record.zip64) {
    return new RecordBytes(24)
      .u32(0, DATA_DESCRIPTOR_SIGNATURE)
      .u32(4, record.crc32)
      .u64(8, record.compressedSize)
      .u64(16, record.size).bytes;
  }
  return new RecordBytes(16)
    .u32(0, DATA_DESCRIPTOR_SIGNATURE)
    .u32(4, record.crc32)
    .u32(8, record.compressedSize)
    .u32(12, record.size).bytes;
}

/** The entry's central directory header, name and (ZIP64) extra field. */
export function centralHeader(record: ZipEntryRecord): Uint8Array {
  const extraLength = record.zip64 ? 28 : 0;
  const header = new RecordBytes(46 + record.name.length + extraLength)
    .u32(0, CENTRAL_HEADER_SIGNATURE)
    .u16(4, MADE_BY_UNIX | versionNeeded(record))
    .u16(6, versionNeeded(record))
    .u16(8, flags(record))
    .u16(10, METHOD_CODE[record.method])
    .u16(12, record.dosTime)
    .u16(14, record.dosDate)
    .u32(16, record.crc32)
    .u32(20, record.zip64 ? ZIP_MAX_32 : record.compressedSize)
    .u32(24, record.zip64 ? ZIP_MAX_32 : record.size)
    .u16(28, record.name.length)
    .u16(30, extraLength)
    .u32(38, EXTERNAL_ATTRIBUTES)
    .u32(42, record.zip64 ? ZIP_MAX_32 : record.offset);
  header.bytes.set(record.name, 46);
  if (record.zip64) {
    const at = 46 + record.name.length;
    header
      .u16(at, ZIP64_EXTRA_ID)
      .u16(at + 2, 24)
      .u64(at + 4, record.size)
      .u64(at + 12, record.compressedSize)
      .u64(at + 20, record.offset);
  }
  return header.bytes;
}

/**
 * The records after the central directory: with `zip64`, the ZIP64 end record and its locator,
 * then the classic end record pointing to them (0xFFFF/0xFFFFFFFF); else the classic one alone.
 */
export function endRecords(entryCount: number, centralOffset: number, centralSize: number, zip64: boolean): Uint8Array {
  const end = new RecordBytes(22)
    .u32(0, END_SIGNATURE)
    .u16(8, zip64 ? ZIP_MAX_16 : entryCount)
    .u16(10, zip64 ? ZIP_MAX_16 : entryCount)
    .u32(12, zip64 ? ZIP_MAX_32 : centralSize)
    .u32(16, zip64 ? ZIP_MAX_32 : centralOffset).bytes;
  if (!zip64) {
    return end;
  }
  const zip64EndOffset = centralOffset + centralSize;
  const records = new RecordBytes(56 + 20 + 22)
    .u32(0, ZIP64_END_SIGNATURE)
    .u64(4, 44) // size of the rest of this record
    .u16(12, MADE_BY_UNIX | VERSION_ZIP64)
    .u16(14, VERSION_ZIP64)
    .u64(24, entryCount)
    .u64(32, entryCount)
    .u64(40, centralSize)
    .u64(48, centralOffset)
    .u32(56, ZIP64_LOCATOR_SIGNATURE)
    .u64(56 + 8, zip64EndOffset)
    .u32(56 + 16, 1); // total number of disks
  records.bytes.set(end, 56 + 20);
  return records.bytes;
}
