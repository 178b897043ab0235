import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vstack, vstackLayout } from '../../src/core/array-ops.js';
import type { NDArray } from '../../src/core/ndarray.js';

function f64(shape: number[], start = 0): NDArray {
  const count = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float64', shape, data: Float64Array.from({ length: count }, (_, i) => start + i) };
}

test('vstackLayout gives the dtype and shape vstack gives, without the data', () => {
  const cases: NDArray[][] = [
    [f64([2, 3]), f64([4, 3], 10)],
    [f64([3]), f64([3], 5), f64([3], 9)],
    [f64([]), f64([])],
    [f64([0, 2]), f64([1, 2])],
    [{ dtype: 'int16', shape: [2], data: Int16Array.of(1, 2) }, f64([2])]
  ];
  for (const parts of cases) {
    const stacked = vstack(parts);
    const layout = vstackLayout(parts.map(({ dtype, shape }) => ({ dtype, shape })));
    assert.deepEqual({ dtype: layout.dtype, shape: layout.shape }, { dtype: stacked.dtype, shape: stacked.shape });
    assert.equal(
      layout.sameDType,
      parts.every(p => p.dtype === parts[0].dtype)
    );
  }
});

test('vstackLayout refuses what vstack refuses, with the same message', () => {
  const parts = [f64([2, 3]), f64([2, 4])];
  const vstackError = (() => {
    try {
      vstack(parts);
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  })();
  assert.throws(
    () => vstackLayout(parts),
    (error: Error) => error instanceof RangeError && error.message === vstackError
  );
  assert.throws(() => vstackLayout([]), RangeError);
});
