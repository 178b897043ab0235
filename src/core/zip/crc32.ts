/**
 * CRC-32 as ZIP uses it (reflected polynomial 0xEDB88320), in JavaScript for where no native
 * one exists (the browser; Node has `zlib.crc32`). Slicing-by-16: sixteen 256-entry tables
 * let the loop take 16 bytes per step with independent lookups; as fast as the `crc-32`
 * package, and a WebAssembly one is not worth a dependency (the export's time goes to
 * fetching; `npm run bench:zip` prints the figures).
 */

const POLYNOMIAL = 0xedb88320;
const SLICES = 16;

/** Table k (k = 0..15) at [256k, 256k + 256): the CRC of byte b followed by k zero bytes. */
const TABLES: Int32Array = (() => {
  const tables = new Int32Array(256 * SLICES);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    }
    tables[byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    for (let slice = 1; slice < SLICES; slice++) {
      const previous = tables[(slice - 1) * 256 + byte];
      tables[slice * 256 + byte] = (previous >>> 8) ^ tables[previous & 0xff];
    }
  }
  return tables;
})();

/** Whether 32-bit words read from bytes are little-endian (every browser platform in use). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * CRC-32 of `bytes`, continuing from `previous` (the CRC-32 of the bytes before; 0 to start).
 * @returns the CRC-32 as an unsigned 32-bit number.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = TABLES;
  let crc = ~previous;
  let i = 0;
  const length = bytes.length;
  if (LITTLE_ENDIAN && length >= 64) {
    // Words need a 4-byte-aligned view: take the bytes before the first boundary one by one.
    while ((bytes.byteOffset + i) & 3) {
      crc = (crc >>> 8) ^ t[(crc ^ bytes[i++]) & 0xff];
    }
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (length - i) >>> 2);
    const lastBlock = words.length - 4;
    let w = 0;
    for (; w <= lastBlock; w += 4) {
      const a = crc ^ words[w];
      const b = words[w + 1];
      const c = words[w + 2];
      const d = words[w + 3];
      crc =
        t[3840 + (a & 0xff)] ^
        t[3584 + ((a >>> 8) & 0xff)] ^
        t[3328 + ((a >>> 16) & 0xff)] ^
        t[3072 + (a >>> 24)] ^
        t[2816 + (b & 0xff)] ^
        t[2560 + ((b >>> 8) & 0xff)] ^
        t[2304 + ((b >>> 16) & 0xff)] ^
        t[2048 + (b >>> 24)] ^
        t[1792 + (c & 0xff)] ^
        t[1536 + ((c >>> 8) & 0xff)] ^
        t[1280 + ((c >>> 16) & 0xff)] ^
        t[1024 + (c >>> 24)] ^
        t[768 + (d & 0xff)] ^
        t[512 + ((d >>> 8) & 0xff)] ^
        t[256 + ((d >>> 16) & 0xff)] ^
        t[d >>> 24];
    }
    i += w * 4;
  }
  for (; i < length; i++) {
    crc = (crc >>> 8) ^ t[(crc ^ bytes[i]) & 0xff];
  }
  return ~crc >>> 0;
}
