/**
 * One-pass ZIP archive writer shared by the kernel's `storageToZip` (Node, a file it can seek
 * in) and the JupyterLab export worker (browser, an append-only stream of chunks): STORE and
 * DEFLATE entries, ZIP64 records, UTF-8 names, file times.
 *
 * The writer owns the archive's layout; each shell injects what differs: the output (with or
 * without seeking back), CRC-32 and raw DEFLATE (Node's native zlib; the browser's
 * CompressionStream and a JavaScript CRC-32). With a seekable output the local header is
 * patched once the data is written, as Python's zipfile does; without one, CRC-32 and sizes go
 * in a data descriptor after the data, which zipfile and `unzip` read from the central directory.
 */
import { AxoPyError } from '../errors.js';
import {
  centralHeader,
  dataDescriptor,
  dosDateTime,
  endRecords,
  localHeader,
  localHeaderSizes,
  LOCAL_HEADER_CRC_OFFSET,
  LOCAL_HEADER_FIXED_BYTES,
  ZIP_MAX_16,
  ZIP_MAX_32,
  type ZipEntryRecord,
  type ZipMethod
} from './records.js';

export type { ZipMethod } from './records.js';

/** Where the archive's bytes go. */
export interface ZipOutput {
  /**
   * Appends bytes to the archive. The writer never reads or changes `bytes` once passed, so
   * the output may keep or transfer them; it awaits each write before the next.
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Overwrites bytes written earlier, at `position` from the archive's start. Outputs that
   * can seek provide it: local headers then get their CRC-32 and sizes in place (no data
   * descriptors).
   */
  patch?(position: number, bytes: Uint8Array): Promise<void>;
}

/** The checksum and compression the writer uses, from the platform. */
export interface ZipCodecs {
  /** CRC-32 (ZIP's, reflected 0xEDB88320) of `bytes`, continuing from `previous` (0 to start). */
  crc32(bytes: Uint8Array, previous: number): number;
  /** Raw DEFLATE (no zlib header) of a stream of chunks. */
  deflateRaw(chunks: AsyncIterable<Uint8Array>, level: number): AsyncIterable<Uint8Array>;
  /** Raw DEFLATE of bytes held whole in memory (small files). */
  deflateRawBytes(bytes: Uint8Array, level: number): Uint8Array | Promise<Uint8Array>;
}

/** Options of {@link ZipArchiveWriter}. */
export interface ZipArchiveWriterOptions {
  /**
   * Write ZIP64 records for every entry and at the end (needed past 4 GiB or 65 535 entries;
   * without it, an archive that turns out to need them fails).
   */
  zip64: boolean;
  /** DEFLATE level for entries that do not say. Default 6 (zlib's and zipfile's). */
  level?: number;
  /**
   * Writes smaller than half of this are gathered into one buffer of this size (headers,
   * small entries, small chunks): fewer output calls. Default 1 MiB.
   */
  gatherBytes?: number;
}

/** What an added entry came to. */
export interface ZipEntryResult {
  size: number;
  compressedSize: number;
  crc32: number;
}

/** The archive needs ZIP64 records that were not planned (files grew during the export). */
export class ZipLimitError extends AxoPyError {
  constructor() {
    super('the archive grew beyond classic ZIP limits (4 GiB, 65 535 entries) while being written; export again');
    this.name = 'ZipLimitError';
  }
}

const utf8 = new TextEncoder();
const DEFAULT_LEVEL = 6;
const DEFAULT_GATHER_BYTES = 1024 * 1024;

/**
 * Writes a ZIP archive to a {@link ZipOutput}, from its start: add entries one at a time
 * (await each), then {@link finish}.
 */
export class ZipArchiveWriter {
  private readonly records: ZipEntryRecord[] = [];
  /** Bytes of the archive so far, gathered ones included. */
  private size = 0;
  private readonly gatherBytes: number;
  private pending: Uint8Array;
  private pendingLength = 0;
  private readonly seekable: boolean;

  constructor(
    private readonly output: ZipOutput,
    private readonly codecs: ZipCodecs,
    private readonly options: ZipArchiveWriterOptions
  ) {
    this.gatherBytes = options.gatherBytes ?? DEFAULT_GATHER_BYTES;
    this.pending = new Uint8Array(this.gatherBytes);
    this.seekable = output.patch !== undefined;
  }

  /** Bytes of the archive written or gathered so far. */
  get archiveBytes(): number {
    return this.size;
  }

  /** Adds an entry whose whole content is in memory: CRC-32 and sizes go in its local header. */
  async addBytes(
    name: string,
    content: Uint8Array,
    method: ZipMethod,
    mtime: Date,
    level?: number
  ): Promise<ZipEntryResult> {
    const record = this.openEntry(name, method, mtime, false);
    const data =
      method === 'deflate'
        ? await this.codecs.deflateRawBytes(content, level ?? this.options.level ?? DEFAULT_LEVEL)
        : content;
    record.crc32 = this.codecs.crc32(content, 0);
    record.size = content.length;
    record.compressedSize = data.length;
    this.checkLimits(record);
    await this.append(localHeader(record));
    await this.append(data);
    this.records.push(record);
    return { size: record.size, compressedSize: record.compressedSize, crc32: record.crc32 };
  }

  /**
   * Adds an entry from a stream of chunks, checksummed as they pass: archived as read, so a
   * file that grows or shrinks meanwhile still gives a consistent entry. The next chunk is
   * asked for only once the previous one is written (a source may reuse its buffer when
   * storing).
   */
  async addStream(
    name: string,
    chunks: AsyncIterable<Uint8Array>,
    method: ZipMethod,
    mtime: Date,
    level?: number
  ): Promise<ZipEntryResult> {
    const record = this.openEntry(name, method, mtime, !this.seekable);
    await this.append(localHeader(record));
    const codecs = this.codecs;
    const checksummed = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunks) {
        record.crc32 = codecs.crc32(chunk, record.crc32);
        record.size += chunk.length;
        yield chunk;
      }
    };
    const data =
      method === 'deflate'
        ? codecs.deflateRaw(checksummed(), level ?? this.options.level ?? DEFAULT_LEVEL)
        : checksummed();
    for await (const piece of data) {
      record.compressedSize += piece.length;
      await this.append(piece);
    }
    this.checkLimits(record);
    if (record.dataDescriptor) {
      await this.append(dataDescriptor(record));
    } else {
      await this.patchLocalHeader(record);
    }
    this.records.push(record);
    return { size: record.size, compressedSize: record.compressedSize, crc32: record.crc32 };
  }

  /** Writes the central directory and the end records, and hands over the last bytes. */
  async finish(): Promise<void> {
    const centralOffset = this.size;
    for (const record of this.records) {
      await this.append(centralHeader(record));
    }
    const centralSize = this.size - centralOffset;
    if (!this.options.zip64 && (this.records.length >= ZIP_MAX_16 || this.size >= ZIP_MAX_32)) {
      throw new ZipLimitError();
    }
    await this.append(endRecords(this.records.length, centralOffset, centralSize, this.options.zip64));
    await this.flushPending();
  }

  private openEntry(name: string, method: ZipMethod, mtime: Date, dataDescriptor: boolean): ZipEntryRecord {
    const encoded = utf8.encode(name);
    if (encoded.length > ZIP_MAX_16) {
      throw new AxoPyError(`ZIP entry name too long (${encoded.length} bytes): ${name}`);
    }
    return {
      name: encoded,
      method,
      ...dosDateTime(mtime),
      crc32: 0,
      compressedSize: 0,
      size: 0,
      offset: this.size,
      zip64: this.options.zip64,
      dataDescriptor
    };
  }

  private checkLimits(record: ZipEntryRecord): void {
    if (
      !record.zip64 &&
      (record.size >= ZIP_MAX_32 || record.compressedSize >= ZIP_MAX_32 || record.offset >= ZIP_MAX_32)
    ) {
      throw new ZipLimitError();
    }
  }

  /** Patches CRC-32 and sizes into a local header written before its data. */
  private async patchLocalHeader(record: ZipEntryRecord): Promise<void> {
    const { fields, zip64Extra } = localHeaderSizes(record);
    await this.patch(record.offset + LOCAL_HEADER_CRC_OFFSET, fields);
    if (zip64Extra !== undefined) {
      await this.patch(record.offset + LOCAL_HEADER_FIXED_BYTES + record.name.length + 4, zip64Extra);
    }
  }

  /** Appends bytes: small ones gathered, large ones handed over as they are. */
  private async append(bytes: Uint8Array): Promise<void> {
    if (bytes.length >= this.gatherBytes / 2) {
      await this.flushPending();
      this.size += bytes.length;
      await this.output.write(bytes);
      return;
    }
    if (this.pendingLength + bytes.length > this.gatherBytes) {
      await this.flushPending();
    }
    this.pending.set(bytes, this.pendingLength);
    this.pendingLength += bytes.length;
    this.size += bytes.length;
  }

  /** Hands the gathered bytes over, and gathers into a fresh buffer (the output may keep them). */
  private async flushPending(): Promise<void> {
    if (this.pendingLength > 0) {
      const gathered = this.pending.subarray(0, this.pendingLength);
      this.pending = new Uint8Array(this.gatherBytes);
      this.pendingLength = 0;
      await this.output.write(gathered);
    }
  }

  /** Overwrites bytes already appended: in the gathered bytes if still there, else in the output. */
  private async patch(position: number, bytes: Uint8Array): Promise<void> {
    const pendingStart = this.size - this.pendingLength;
    if (position >= pendingStart) {
      this.pending.set(bytes, position - pendingStart);
    } else {
      await this.output.patch!(position, bytes);
    }
  }
}
