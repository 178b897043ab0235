/**
 * The ZIP writer's CRC-32 and DEFLATE from Web standards only: the JavaScript CRC-32 of
 * crc32.ts and `CompressionStream('deflate-raw')` (native zlib in browsers and in Node >= 20,
 * at its default level: the stream takes none). The export worker writes archives with these;
 * Node's shell prefers zlib's native CRC-32, and the tests run these in Node as the browser does.
 */
import { crc32 } from './crc32.js';
import type { ZipCodecs } from './writer.js';

/** Chunks through CompressionStream, fed while its output is read so that neither side stalls. */
async function* deflateRaw(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const compression = new CompressionStream('deflate-raw');
  const input = compression.writable.getWriter();
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) {
        await input.write(chunk as Uint8Array<ArrayBuffer>);
      }
      await input.close();
    } catch (error) {
      await input.abort(error).catch(() => undefined);
      throw error;
    }
  })();
  // Observed now; rethrown below once the output is drained or has failed.
  feeding.catch(() => undefined);
  const reader = compression.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      yield value;
    }
  } catch (error) {
    await feeding;
    throw error;
  }
  await feeding;
}

async function deflateRawBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let length = 0;
  for await (const piece of deflateRaw([bytes])) {
    pieces.push(piece);
    length += piece.length;
  }
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.length;
  }
  return joined;
}

/** CRC-32 and raw DEFLATE for the core ZIP writer where Node's zlib is not at hand. */
export const webZipCodecs: ZipCodecs = {
  crc32,
  deflateRaw: chunks => deflateRaw(chunks),
  deflateRawBytes: bytes => deflateRawBytes(bytes)
};
