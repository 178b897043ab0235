/**
 * The worker's pool of direct-read buffers (src/lab/hdf5/buffer-pool.ts): a buffer given back
 * is taken again for a run that fits it, the smallest that fits first; small reads and views
 * of small buffers are never pooled; at most `maxFree` are kept, the largest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, POOLED_MIN_BYTES, Slots } from '../../src/lab/hdf5/buffer-pool.js';

const MiB = 1024 * 1024;

test('a given-back buffer is taken again for a run that fits, the smallest that fits first', () => {
  const pool = new BufferPool(4);
  const big = pool.take(6 * MiB + 10);
  const small = pool.take(2 * MiB);
  assert.equal(big.length, 6 * MiB + 10);
  assert.equal(big.byteOffset, 0);
  assert.ok(big.buffer.byteLength >= big.length);
  assert.notEqual(big.buffer, small.buffer);
  pool.give([big.buffer, small.buffer, big.buffer]);
  assert.equal(pool.free, 2);
  // 1.5 MiB fits both: the smaller is taken; 6 MiB fits only the larger.
  assert.equal(pool.take(1.5 * MiB).buffer, small.buffer);
  assert.equal(pool.take(6 * MiB).buffer, big.buffer);
  assert.equal(pool.free, 0);
  // Nothing free that fits: a new buffer.
  const fresh = pool.take(3 * MiB);
  assert.ok(fresh.buffer !== big.buffer && fresh.buffer !== small.buffer);
});

test('a run up to an eighth larger than the one a buffer was made for fits it again (the gaps later chunks carry)', () => {
  const pool = new BufferPool(2);
  const first = pool.take(6 * MiB);
  pool.give([first.buffer]);
  const later = pool.take(6 * MiB + (6 * MiB) / 8);
  assert.equal(later.buffer, first.buffer);
  pool.give([later.buffer]);
  assert.notEqual(pool.take(6 * MiB + (6 * MiB) / 8 + 256 * 1024 + 1).buffer, first.buffer);
});

test('small reads are not pooled; at most maxFree buffers are kept, the largest', () => {
  const pool = new BufferPool(2);
  const header = pool.take(1024);
  assert.equal(header.length, 1024);
  pool.give([header.buffer]);
  assert.equal(pool.free, 0);
  const sizes = [POOLED_MIN_BYTES, 3 * MiB, 2 * MiB];
  const buffers = sizes.map(size => pool.take(size).buffer);
  pool.give(buffers);
  assert.equal(pool.free, 2);
  // The 1 MiB one was dropped: a 2.5 MiB run takes the 3 MiB buffer, a 1 MiB run the 2 MiB one.
  assert.equal(pool.take(2.5 * MiB).buffer, buffers[1]);
  assert.equal(pool.take(MiB).buffer, buffers[2]);
});

test('slots: at most `count` held at once, the others granted in the order they asked, each freed once', async () => {
  const slots = new Slots(2);
  const order: string[] = [];
  const frees = new Map<string, () => void>();
  for (const name of ['a', 'b', 'c', 'd'])
    void slots.acquire().then(free => {
      order.push(name);
      frees.set(name, free);
    });
  await new Promise(resolve => setTimeout(resolve, 0));
  assert.deepEqual(order, ['a', 'b']);
  assert.equal(slots.held, 2);
  frees.get('b')!();
  frees.get('b')!(); // a second call frees nothing more
  await new Promise(resolve => setTimeout(resolve, 0));
  assert.deepEqual(order, ['a', 'b', 'c']);
  assert.equal(slots.held, 2);
  frees.get('a')!();
  await new Promise(resolve => setTimeout(resolve, 0));
  assert.deepEqual(order, ['a', 'b', 'c', 'd']);
  frees.get('c')!();
  frees.get('d')!();
  assert.equal(slots.held, 0);
});
