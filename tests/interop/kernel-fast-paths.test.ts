/**
 * The paths added for speed: files reopened every few hundred datasets while written, reads
 * straight into a caller's array, array() reading into one output, reused flush journals.
 * Each is checked against h5py or against the slower path it replaces.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetError, type NDArray } from '../../src/core/index.js';
import { vstack } from '../../src/core/array-ops.js';
import { Hdf5File } from '../../src/kernel/hdf5.js';
import { Design, Storage } from '../../src/kernel/index.js';
import { runPythonJson } from '../helpers/python.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-fast-paths-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function rowArray(row: number): NDArray {
  return { dtype: 'float64', shape: [2, 3], data: Float64Array.from({ length: 6 }, (_, k) => row * 10 + k) };
}

test('a file written past several reopens (450 datasets, bools among them) reads back whole in h5py', async () => {
  const file = path.join(tmp, 'many.hdf5');
  const h5 = await Hdf5File.open(file, 'a');
  for (let row = 0; row < 450; row++) {
    h5.create(String(row), rowArray(row));
    if (row % 150 === 7) h5.create(`b${row}`, { dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) });
    h5.flush();
  }
  h5.close();
  const seen = runPythonJson<{ count: number; bad: string[]; bools: Record<string, string> }>(
    `import h5py, json, sys, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    bad = [k for k in f if not k.startswith("b") and not np.array_equal(f[k][()], int(k) * 10 + np.arange(6.0).reshape(2, 3))]
    bools = {k: str(f[k].dtype) + str(f[k][()].tolist()) for k in f if k.startswith("b")}
    print(json.dumps({"count": len(f), "bad": bad, "bools": bools}))`,
    [file]
  );
  assert.equal(seen.count, 453);
  assert.deepEqual(seen.bad, []);
  assert.deepEqual(seen.bools, { b7: 'bool[True, False]', b157: 'bool[True, False]', b307: 'bool[True, False]' });
});

test('create refuses a taken name with DatasetError and leaves the file writable', async () => {
  const file = path.join(tmp, 'taken.hdf5');
  const h5 = await Hdf5File.open(file, 'a');
  h5.create('0', rowArray(0));
  assert.throws(
    () => h5.create('0', rowArray(9)),
    (error: Error) => error instanceof DatasetError && /already exists/.test(error.message)
  );
  h5.create('1', rowArray(1));
  h5.close();
  const reader = await Hdf5File.open(file, 'r');
  assert.deepEqual([...(reader.read('0').data as Float64Array)], [...(rowArray(0).data as Float64Array)]);
  assert.deepEqual([...(reader.read('1').data as Float64Array)], [...(rowArray(1).data as Float64Array)]);
  reader.close();
});

test('readInto fills a slice of a larger array and refuses one of the wrong type or size', async () => {
  const file = path.join(tmp, 'into.hdf5');
  const h5 = await Hdf5File.open(file, 'a');
  h5.create('a', rowArray(3));
  h5.close();
  const reader = await Hdf5File.open(file, 'r');
  const out = new Float64Array(10).fill(-1);
  reader.readInto('a', out.subarray(2, 8));
  assert.deepEqual([...out], [-1, -1, 30, 31, 32, 33, 34, 35, -1, -1]);
  assert.throws(() => reader.readInto('a', new Float64Array(5)), DatasetError);
  assert.throws(() => reader.readInto('a', new Float32Array(6)), DatasetError);
  assert.throws(() => reader.readInto('missing', new Float64Array(6)), DatasetError);
  reader.close();
});

test('array() stacks as vstack of iterArray does: one dtype, mixed dtypes, and shapes that do not stack', async () => {
  const storage = new Storage(path.join(tmp, 'root'));
  storage.subjectId = 's1';
  const writer = storage.createTask('t');
  const block = new Design().addBlock();
  for (let row = 0; row < 5; row++) {
    const trial = block.addTrial({ row });
    trial.addArray('same', rowArray(row));
    trial.addArray(
      'mixed',
      row % 2 === 0
        ? { dtype: 'int16', shape: [3], data: Int16Array.of(row, -row, 7) }
        : { dtype: 'float32', shape: [3], data: Float32Array.of(row, 0.5, -1) }
    );
    trial.addArray('ragged', { dtype: 'float64', shape: [row + 1], data: new Float64Array(row + 1) });
    await writer.write(trial);
  }
  await writer.close();
  const reader = storage.requireTask('t');
  for (const name of ['same', 'mixed']) {
    const parts: NDArray[] = [];
    for await (const part of reader.iterArray(name)) parts.push(part);
    const expected = vstack(parts);
    const stacked = await reader.array(name);
    assert.equal(stacked.dtype, expected.dtype, name);
    assert.deepEqual(stacked.shape, expected.shape, name);
    assert.deepEqual([...stacked.data], [...expected.data], name);
  }
  await assert.rejects(
    reader.array('ragged'),
    (error: Error) => error instanceof DatasetError && /cannot be stacked/.test(error.message)
  );
  await assert.rejects(reader.array('nothing'), /nothing\.hdf5/);
});
