import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32 } from '../../src/core/zip/index.js';

/** Bytes that no short pattern repeats in. */
function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

test('the JavaScript CRC-32 equals zlib on views of every alignment and on short tails', () => {
  const data = noise(4096 + 64);
  for (const offset of [0, 1, 2, 3, 5, 8]) {
    for (const length of [0, 1, 7, 15, 16, 63, 64, 65, 127, 1000, 4096]) {
      const view = data.subarray(offset, offset + length);
      assert.equal(crc32(view), zlib.crc32(view), `offset ${offset}, length ${length}`);
    }
  }
});

test('the JavaScript CRC-32 continues from a previous value as zlib does', () => {
  const data = noise(1 << 20);
  let chunked = 0;
  for (let at = 0; at < data.length; at += 65_537) {
    chunked = crc32(data.subarray(at, at + 65_537), chunked);
  }
  assert.equal(chunked, zlib.crc32(data));
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926, 'the CRC-32 check value');
});
