import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectHeaderError, readDatasetStorageFacts } from '../../src/core/hdf5-object-header.js';
import { datasetReadRefusal } from '../../src/core/hdf5-containment.js';

/** A version-0 superblock (8-byte offsets and lengths, base address 0) and room after it. */
function fileWithSuperblock(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  bytes[13] = 8;
  bytes[14] = 8;
  return bytes;
}

const reader = (bytes: Uint8Array) => (offset: number, length: number) => bytes.subarray(offset, offset + length);

/** A version-1 object header at `at` whose one message is `type` with `data` (8-byte aligned). */
function v1Header(bytes: Uint8Array, at: number, type: number, data: number[]): void {
  const view = new DataView(bytes.buffer);
  bytes[at] = 1;
  view.setUint16(at + 2, 1, true);
  view.setUint32(at + 8, 8 + data.length, true);
  view.setUint16(at + 16, type, true);
  view.setUint16(at + 18, data.length, true);
  bytes.set(data, at + 24);
}

test('reads the layout class of a version-1 header (contiguous, version-3 layout message)', () => {
  const bytes = fileWithSuperblock(256);
  v1Header(bytes, 96, 0x0008, [3, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(readDatasetStorageFacts(reader(bytes), 96), { layout: 'contiguous', externalFiles: undefined });
});

test('a continuation chain that loops, or a header without a layout, is an error, not a hang or a pass', () => {
  const bytes = fileWithSuperblock(256);
  const view = new DataView(bytes.buffer);
  // A continuation message pointing at its own block: [offset 112, length 24].
  v1Header(bytes, 96, 0x0010, new Array(16).fill(0));
  view.setUint16(96 + 2, 1000, true);
  view.setBigUint64(96 + 24, 112n, true);
  view.setBigUint64(96 + 32, 24n, true);
  assert.throws(() => readDatasetStorageFacts(reader(bytes), 96), ObjectHeaderError);
  const empty = fileWithSuperblock(256);
  v1Header(empty, 96, 0x0000, new Array(8).fill(0));
  assert.throws(() => readDatasetStorageFacts(reader(empty), 96), /no data layout message/);
  assert.throws(() => readDatasetStorageFacts(reader(new Uint8Array(64)), 0), /no HDF5 superblock/);
});

test('the rule refuses a header it could not check, and sizes beyond 2^53', () => {
  const base = { filters: [], shape: [4], elementBytes: 8 };
  assert.match(
    datasetReadRefusal({ ...base, storage: { layout: 'unknown', externalFiles: undefined, unreadable: 'x' } }, 1000) ??
      '',
    /cannot check/
  );
  assert.equal(
    datasetReadRefusal({ ...base, storage: { layout: 'contiguous', externalFiles: undefined } }, 1000),
    undefined
  );
  assert.match(datasetReadRefusal({ ...base, shape: [2 ** 40, 2 ** 40] }, 1000) ?? '', /more than 2\^53 bytes/);
  assert.equal(
    datasetReadRefusal({ ...base, storage: { layout: 'contiguous', externalFiles: ['/etc/passwd'] } }, 1000, {
      allowExternalData: true
    }),
    undefined
  );
});
