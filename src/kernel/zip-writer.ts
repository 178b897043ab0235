/**
 * The Node shell of the core's ZIP writer: Node's native zlib for CRC-32 and DEFLATE, and an
 * archive file written with positioned writes, so local headers are patched in place as
 * Python's zipfile does (no data descriptors).
 *
 * Why native: a JavaScript CRC-32 or a second read for zlib's would keep a stored export slower
 * than Python's zipfile; `zlib.crc32` (Node >= 20.15) is native code.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import type { ZipCodecs, ZipOutput } from '../core/zip/index.js';

/** CRC-32 and DEFLATE from Node's zlib. */
export const nodeZipCodecs: ZipCodecs = {
  crc32: (bytes, previous) => zlib.crc32(bytes, previous),
  deflateRaw: (chunks, level) =>
    // pipeline() destroys the returned stream on a source error, so iterating it rethrows.
    pipeline(Readable.from(chunks, { objectMode: false }), zlib.createDeflateRaw({ level }), () => undefined),
  deflateRawBytes: (bytes, level) => zlib.deflateRawSync(bytes, { level })
};

/** An archive file open for writing, written from its start; the caller closes it. */
export function fileZipOutput(file: FileHandle): ZipOutput {
  let position = 0;
  const writeAt = async (bytes: Uint8Array, at: number): Promise<void> => {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await file.write(bytes, done, bytes.length - done, at + done);
      done += bytesWritten;
    }
  };
  return {
    write: async bytes => {
      const at = position;
      position += bytes.length;
      await writeAt(bytes, at);
    },
    patch: (at, bytes) => writeAt(bytes, at)
  };
}
