import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Block, DataArray, Design, Trial, hstack, vstack, dstack, promoteDTypes } from '../../src/core/index.js';
import type { NDArray } from '../../src/core/index.js';

const f64 = (shape: number[], values: number[]): NDArray => ({
  dtype: 'float64',
  shape,
  data: Float64Array.from(values)
});

test('addBlock numbers blocks and addTrial sets block and trial attrs', () => {
  const design = new Design();
  const b0 = design.addBlock();
  const b1 = design.addBlock();
  assert.equal(design.length, 2);
  assert.equal(b1.index, 1);
  const t = b1.addTrial({ target: 3 });
  b1.addTrial();
  assert.deepEqual(t.attrs, { target: 3, block: 1, trial: 0 });
  assert.equal(b1[1].attrs.trial, 1);
  assert.equal(b0.length, 0);
  assert.ok([...design].every(b => b instanceof Block));
});

test('derived arrays of a block are plain arrays', () => {
  const block = new Block(0);
  block.addTrial();
  const mapped = block.map(t => t);
  assert.equal(mapped.constructor, Array);
});

test('shuffle without reset keeps trial attrs, with reset renumbers', () => {
  const block = new Block(0);
  for (let i = 0; i < 20; i++) block.addTrial({ id: i });
  block.shuffle({ seed: 1, resetIndex: false });
  assert.notDeepEqual(
    block.map(t => t.attrs.id),
    [...Array(20).keys()]
  );
  assert.deepEqual(
    block.map(t => t.attrs.trial),
    block.map(t => t.attrs.id)
  );
  block.shuffle({ seed: 2 });
  assert.deepEqual(
    block.map(t => t.attrs.trial),
    [...Array(20).keys()]
  );
});

test('DataArray stacks like hstack by default and vstack/dstack on request', () => {
  const a = new DataArray();
  a.stack(f64([2, 2], [1, 2, 3, 4])).stack(f64([2, 1], [5, 6]));
  assert.deepEqual(a.data!.shape, [2, 3]);
  assert.deepEqual([...(a.data!.data as Float64Array)], [1, 2, 5, 3, 4, 6]);
  const rows = new DataArray(null, 0);
  rows.stack(f64([3], [1, 2, 3])).stack(f64([3], [4, 5, 6]));
  assert.deepEqual(rows.data!.shape, [2, 3]);
  const depth = new DataArray(null, 2);
  depth.stack(f64([2], [1, 2])).stack(f64([2], [3, 4]));
  assert.deepEqual(depth.data!.shape, [1, 2, 2]);
  assert.deepEqual([...(depth.data!.data as Float64Array)], [1, 3, 2, 4]);
  depth.clear();
  assert.equal(depth.data, null);
});

test('stacking refuses mismatched shapes with a message naming both', () => {
  assert.throws(() => vstack([f64([2], [1, 2]), f64([3], [1, 2, 3])]), /shape \(1, 3\).*\(1, 2\)/);
});

test('hstack of 1-d arrays concatenates', () => {
  const joined = hstack([f64([1], [1]), f64([2], [2, 3])]);
  assert.deepEqual(joined.shape, [3]);
  assert.deepEqual([...(joined.data as Float64Array)], [1, 2, 3]);
  const depth = dstack([f64([1, 1], [1]), f64([1, 1], [2])]);
  assert.deepEqual(depth.shape, [1, 1, 2]);
  assert.deepEqual([...(depth.data as Float64Array)], [1, 2]);
});

test('promotes dtypes as numpy result_type', () => {
  assert.equal(promoteDTypes('int16', 'float32'), 'float32');
  assert.equal(promoteDTypes('int32', 'float32'), 'float64');
  assert.equal(promoteDTypes('uint8', 'int8'), 'int16');
  assert.equal(promoteDTypes('uint64', 'int64'), 'float64');
  assert.equal(promoteDTypes('bool', 'uint16'), 'uint16');
});

test('Trial.addArray registers a DataArray', () => {
  const trial = new Trial({});
  const emg = trial.addArray('emg');
  assert.equal(trial.arrays.emg, emg);
  assert.equal(emg.data, null);
});
