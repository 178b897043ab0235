import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage, Design, TaskExistsError, TaskNotFoundError, InvalidIdError, NoSubjectError, DatasetError, FileNotFoundError } from '../../src/kernel/index.js';
import { errorNaming } from '../helpers/errors.js';
import type { AttrValue, NDArray } from '../../src/kernel/index.js';
import { makeTempDir, runPython, runPythonJson } from '../helpers/python.js';

const AXOPY_LIKE = join(__dirname, '..', '..', '..', 'tests', 'python', 'axopy_like.py');

interface Dump {
  columns: string[];
  dtypes: Record<string, string>;
  values: Record<string, unknown[]>;
  arrays: Record<string, Record<string, { dtype: string; shape: number[]; values: string[] }>>;
}

function dump(task: string, arrays: string[]): Dump {
  return runPythonJson<Dump>(readFileSync(AXOPY_LIKE, 'utf8'), ['dump', task, ...arrays]);
}

function isUnsafeInt(value: unknown): boolean {
  const int = (value as { int?: string } | null)?.int;
  if (int === undefined) return false;
  const big = BigInt(int);
  return big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER);
}

/** The values pandas read, as this project's reader gives them: an int64 column holding any
 *  value beyond 2^53 is all BigInt, else numbers. */
function expectedColumn(values: unknown[]): unknown[] {
  const asBigInt = values.some(isUnsafeInt);
  return values.map(value => {
    if (value !== null && typeof value === 'object') {
      const v = value as { float?: string; int?: string };
      if (v.float !== undefined) return v.float === 'nan' ? NaN : v.float === 'inf' ? Infinity : v.float === '-inf' ? -Infinity : Number(v.float);
      return asBigInt ? BigInt(v.int!) : Number(v.int);
    }
    return value;
  });
}

function flatStrings(array: NDArray): string[] {
  const floats = array.dtype === 'float32' || array.dtype === 'float64';
  return Array.from(array.data as ArrayLike<number | bigint>, x => {
    if (!floats) return String(x);
    const n = x as number;
    // h5py side printed Python repr; compare through the number they denote.
    return Object.is(n, -0) ? '-0.0' : String(n);
  });
}

function pyReprToComparable(s: string): string {
  if (s === '-0.0') return s;
  return String(Number(s));
}

test('reads what Python AxoPy writes: trials typed as pandas, arrays exactly', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    runPython(readFileSync(AXOPY_LIKE, 'utf8'), ['write-corpus', dir]);
    const storage = new Storage(dir);
    assert.deepEqual(storage.subjectIds, ['s1']);
    storage.subjectId = 's1';
    assert.deepEqual(storage.taskIds, ['corpus']);
    const reader = storage.requireTask('corpus');
    const expected = dump(reader.root, ['emg', 'force', 'flags']);
    const table = reader.trials;
    assert.deepEqual(table.columnNames(), expected.columns);
    for (const column of expected.columns) {
      const actual = table.array(column) as unknown[];
      assert.deepEqual(Array.from(actual), expectedColumn(expected.values[column]), `column ${column}`);
    }
    for (const name of ['emg', 'force']) {
      let row = 0;
      for await (const array of reader.iterArray(name)) {
        const py = expected.arrays[name][String(row)];
        assert.equal(array.dtype, py.dtype, `${name} ${row} dtype`);
        assert.deepEqual(array.shape, py.shape, `${name} ${row} shape`);
        assert.deepEqual(flatStrings(array), py.values.map(pyReprToComparable), `${name} ${row} values`);
        row++;
      }
      assert.equal(row, 12);
    }
    const stacked = await reader.array('emg');
    assert.deepEqual(stacked.shape, [96, 50]);
    const task = join(dir, 's1', 'corpus');
    await assert.rejects(reader.array('flags'), errorNaming(DatasetError, join(task, 'flags.hdf5'), /"3".*missing.*trial 3/s));
    await assert.rejects(reader.array('nothing'), errorNaming(FileNotFoundError, join(task, 'nothing.hdf5'), /No such array file/));
  } finally {
    cleanup();
  }
});

test('writes what Python reads equal, and trials.csv byte-equal to pandas', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    runPython(readFileSync(AXOPY_LIKE, 'utf8'), ['write-corpus', join(dir, 'py')]);
    const source = new Storage(join(dir, 'py'));
    source.subjectId = 's1';
    const reader = source.requireTask('corpus');
    const arrays: Record<string, NDArray[]> = {};
    for (const name of ['emg', 'force']) {
      arrays[name] = [];
      for await (const a of reader.iterArray(name)) arrays[name].push(a);
    }
    const flags = dump(reader.root, ['flags']).arrays.flags;

    const target = new Storage(join(dir, 'ts'));
    target.subjectId = 's1';
    const writer = target.createTask('corpus', { columnDTypes: { value: 'float64' } });
    const block = new Design().addBlock();
    const rows = reader.trials.objects() as Record<string, AttrValue>[];
    for (const [i, row] of rows.entries()) {
      const trial = block.addTrial({ ...row });
      trial.attrs.block = row.block;
      trial.attrs.trial = row.trial;
      trial.addArray('emg').stack(arrays.emg[i]);
      trial.addArray('force', arrays.force[i]);
      const f = flags[String(i)];
      if (f) trial.addArray('flags', { dtype: 'uint8', shape: f.shape, data: Uint8Array.from(f.values.map(Number)) });
      await writer.write(trial);
      assert.equal(trial.arrays.emg.data, null, 'arrays are cleared after write');
    }
    await writer.close();
    const written = join(dir, 'ts', 's1', 'corpus');
    assert.equal(
      readFileSync(join(written, 'trials.csv'), 'utf8'),
      readFileSync(join(reader.root, 'trials.csv'), 'utf8'),
      'trials.csv is byte-equal to what pandas wrote'
    );
    assert.deepEqual(dump(written, ['emg', 'force', 'flags']), dump(reader.root, ['emg', 'force', 'flags']));
  } finally {
    cleanup();
  }
});

test('keeps every row when later trials add or drop columns (AxoPy raises)', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const storage = new Storage(dir);
    storage.subjectId = 'p1';
    const writer = storage.createTask('late');
    const block = new Design().addBlock();
    await writer.write(block.addTrial({ a: 1 }));
    await writer.write(block.addTrial({ a: 2, extra: 'x' }));
    await writer.write(block.addTrial({}));
    const py = dump(join(dir, 'p1', 'late'), []);
    assert.deepEqual(py.columns, ['a', 'block', 'trial', 'extra']);
    assert.deepEqual(py.values.extra, [null, 'x', null]);
    assert.deepEqual(py.values.trial, [{ int: '0' }, { int: '1' }, { int: '2' }]);
    assert.deepEqual(expectedColumn(py.values.a), [1, 2, NaN]);
  } finally {
    cleanup();
  }
});

test('refuses bad task operations with AxoPy messages and writes nothing outside the root', () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const storage = new Storage(join(dir, 'root'));
    assert.throws(() => storage.createTask('t'), NoSubjectError);
    assert.deepEqual(storage.taskIds, []);
    storage.subjectId = 's';
    storage.createTask('t');
    assert.throws(() => storage.createTask('t'), TaskExistsError);
    assert.throws(() => storage.createTask('t'), /Subject s has already started "t"\. Only unique task names are allowed\./);
    assert.throws(() => storage.requireTask('u'), TaskNotFoundError);
    assert.throws(() => storage.requireTask('u'), /Subject s has not started "u" yet/);
    for (const bad of ['../escape', 'a/b', '..', 'nul\0x']) {
      assert.throws(() => storage.createTask(bad), InvalidIdError);
      assert.throws(() => {
        storage.subjectId = bad;
      }, InvalidIdError);
    }
    assert.deepEqual(runPythonJson<string[]>('import os,sys,json; print(json.dumps(sorted(os.listdir(sys.argv[1]))))', [dir]), ['root']);
  } finally {
    cleanup();
  }
});

test('allowOverwrite replaces an existing task: no old rows, datasets or pickles remain', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const storage = new Storage(join(dir, 'root'), { allowOverwrite: true });
    storage.subjectId = 's';
    const block = new Design().addBlock();
    const first = storage.createTask('t');
    for (let i = 0; i < 2; i++) {
      const trial = block.addTrial({ old: i });
      trial.addArray('emg').stack({ dtype: 'float64', shape: [2], data: Float64Array.of(i, i) });
      await first.write(trial);
    }
    first.pickle({ stale: true }, 'calibration');
    await first.close();
    const second = storage.createTask('t');
    const trial = block.addTrial({ fresh: 7 });
    trial.addArray('emg').stack({ dtype: 'float64', shape: [2], data: Float64Array.of(9, 9) });
    await second.write(trial);
    await second.close();
    const task = join(dir, 'root', 's', 't');
    const seen = runPythonJson<{ files: string[]; columns: string[]; rows: number; datasets: string[]; emg: number[] }>(
      `import json, os, sys, h5py, pandas
task = sys.argv[1]
df = pandas.read_csv(os.path.join(task, "trials.csv"))
with h5py.File(os.path.join(task, "emg.hdf5"), "r") as f:
    datasets = sorted(f.keys()); emg = f["0"][()].tolist()
print(json.dumps({"files": sorted(os.listdir(task)), "columns": list(df.columns), "rows": len(df), "datasets": datasets, "emg": emg}))`,
      [task]
    );
    assert.deepEqual(seen, { files: ['emg.hdf5', 'trials.csv'], columns: ['fresh', 'block', 'trial'], rows: 1, datasets: ['0'], emg: [9, 9] });
  } finally {
    cleanup();
  }
});
