import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandPoints } from '../../src/lab/analysis/band-points.js';

test('an average band is drawn as is up to two points per pixel column', () => {
  const mean = Float64Array.of(1, 2, 3);
  const spread = Float64Array.of(0.5, NaN, 1);
  const points = bandPoints(mean, spread, 2);
  assert.deepEqual(Array.from(points.samples), [0, 1, 2]);
  assert.deepEqual(Array.from(points.lo), [0.5, 2, 2], 'a NaN spread (one trial) draws no band');
  assert.deepEqual(Array.from(points.hi), [1.5, 2, 4]);
});

test('a long average band keeps, per pixel bucket, the mean extremes and the widest band', () => {
  const n = 10_000;
  const mean = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 37) + (i === 4321 ? 5 : 0));
  const spread = Float64Array.from({ length: n }, (_, i) => 0.1 + (i === 777 ? 3 : 0));
  const buckets = 100;
  const points = bandPoints(mean, spread, buckets);
  assert.equal(points.mean.length, 2 * buckets);
  for (let b = 0; b < buckets; b++) {
    const from = (b * n) / buckets,
      to = ((b + 1) * n) / buckets;
    const slice = Array.from(mean.subarray(from, to));
    assert.deepEqual(
      [Math.min(points.mean[2 * b], points.mean[2 * b + 1]), Math.max(points.mean[2 * b], points.mean[2 * b + 1])],
      [Math.min(...slice), Math.max(...slice)],
      `bucket ${b} mean extremes`
    );
    const lows = slice.map((m, k) => m - spread[from + k]);
    const highs = slice.map((m, k) => m + spread[from + k]);
    assert.equal(points.lo[2 * b], Math.min(...lows));
    assert.equal(points.hi[2 * b], Math.max(...highs));
  }
  assert.ok(Math.max(...points.mean) === 5 + Math.sin(4321 / 37), 'the spike stays');
  assert.ok(Math.max(...points.hi) > 3, 'the wide spread at 777 stays');
});
