import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Storage,
  Design,
  TaskExistsError,
  TaskNotFoundError,
  InvalidIdError,
  NoSubjectError,
  DatasetError,
  FileNotFoundError
} from '../../src/kernel/index.js';
import { errorNaming } from '../helpers/errors.js';
import type { AttrValue, NDArray } from '../../src/kernel/index.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python.js';

const REAL_AXOPY = join(__dirname, '..', '..', '..', 'tests', 'python', 'real_axopy.py');
/** pandas reads a trials.csv (its type inference) and writes it again as AxoPy's writer does. */
const PANDAS_REWRITE = 'import sys, pandas; sys.stdout.write(pandas.read_csv(sys.argv[1]).to_csv(index=False))';

interface Dump {
  columns: string[];
  dtypes: Record<string, string>;
  values: Record<string, unknown[]>;
  arrays: Record<string, Record<string, { dtype: string; shape: number[]; values: string[] }>>;
}

function dump(task: string, arrays: string[]): Dump {
  return runPythonJson<Dump>(readFileSync(REAL_AXOPY, 'utf8'), ['dump', task, ...arrays]);
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
      if (v.float !== undefined)
        return v.float === 'nan'
          ? NaN
          : v.float === 'inf'
            ? Infinity
            : v.float === '-inf'
              ? -Infinity
              : Number(v.float);
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
    runPython(readFileSync(REAL_AXOPY, 'utf8'), ['write-corpus', dir]);
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
    await assert.rejects(
      reader.array('flags'),
      errorNaming(DatasetError, join(task, 'flags.hdf5'), /"3".*missing.*trial 3/s)
    );
    await assert.rejects(
      reader.array('nothing'),
      errorNaming(FileNotFoundError, join(task, 'nothing.hdf5'), /No such array file/)
    );
  } finally {
    cleanup();
  }
});

test('writes what Python reads equal, and trials.csv byte-equal to pandas', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    runPython(readFileSync(REAL_AXOPY, 'utf8'), ['write-corpus', join(dir, 'py')]);
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
    // Real AxoPy's own file is not the reference for float cells (it writes 12 digits: see the
    // next test); pandas is: reading ours and writing it again gives the same bytes, with the
    // pandas AxoPy runs with (1.5) and the current release alike.
    const ours = readFileSync(join(written, 'trials.csv'), 'utf8');
    for (const python of [PYTHON, CURRENT_PYTHON]) {
      assert.equal(
        runPython(PANDAS_REWRITE, [join(written, 'trials.csv')], python),
        ours,
        `pandas of ${python} rewrites trials.csv byte for byte`
      );
    }
    assert.deepEqual(dump(written, ['emg', 'force', 'flags']), dump(reader.root, ['emg', 'force', 'flags']));
  } finally {
    cleanup();
  }
});

test('floats keep every digit, where Python AxoPy 0.2.3 writes 12 significant digits', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    // AxoPy's features module turns on numpy's 1.13 print mode when axopy is imported, and
    // pandas' to_csv then writes float64 cells as str() did in numpy 1.13: 12 digits.
    const values = [1 / 3, 5e-324, 0.1 + 0.2];
    runPython(
      `import sys
from axopy.design import Design
from axopy.storage import Storage
storage = Storage(sys.argv[1]); storage.subject_id = 'py'
writer = storage.create_task('t')
block = Design().add_block()
for v in (1/3, 5e-324, 0.1 + 0.2):
    writer.write(block.add_trial(attrs={'value': v}))`,
      [dir]
    );
    const axopyCells = readFileSync(join(dir, 'py', 't', 'trials.csv'), 'utf8')
      .split('\n')
      .slice(1, 4)
      .map(line => line.split(',')[0]);
    assert.deepEqual(axopyCells, ['0.333333333333', '4.94065645841e-324', '0.3']);

    const storage = new Storage(dir);
    storage.subjectId = 'ts';
    const writer = storage.createTask('t');
    const block = new Design().addBlock();
    for (const value of values) await writer.write(block.addTrial({ value }));
    await writer.close();
    // Every cell is the shortest repr of its double: Python's float() and pandas' round-trip
    // parser give back the exact doubles; real AxoPy's TaskReader (pandas' default, faster
    // parser, which may miss by one ulp: 0.1 + 0.2) reads the first two exactly.
    const read = runPythonJson<{ exact: string[]; axopy: string[] }>(
      `import sys, json, csv, pandas
from axopy.storage import Storage
path = sys.argv[1] + '/ts/t/trials.csv'
storage = Storage(sys.argv[1]); storage.subject_id = 'ts'
print(json.dumps({
  'exact': [float(r['value']).hex() for r in csv.DictReader(open(path))]
         + [v.hex() for v in pandas.read_csv(path, float_precision='round_trip')['value']],
  'axopy': [float(v).hex() for v in storage.require_task('t').trials['value']][:2]}))`,
      [dir]
    );
    const hex = runPythonJson<string[]>(
      'import json; print(json.dumps([(1/3).hex(), (5e-324).hex(), (0.1 + 0.2).hex()]))'
    );
    assert.deepEqual(read.exact, [...hex, ...hex]);
    assert.deepEqual(read.axopy, hex.slice(0, 2));
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
    assert.throws(
      () => storage.createTask('t'),
      /Subject s has already started "t"\. Only unique task names are allowed\./
    );
    assert.throws(() => storage.requireTask('u'), TaskNotFoundError);
    assert.throws(() => storage.requireTask('u'), /Subject s has not started "u" yet/);
    for (const bad of ['../escape', 'a/b', '..', 'nul\0x']) {
      assert.throws(() => storage.createTask(bad), InvalidIdError);
      assert.throws(() => {
        storage.subjectId = bad;
      }, InvalidIdError);
    }
    assert.deepEqual(
      runPythonJson<string[]>('import os,sys,json; print(json.dumps(sorted(os.listdir(sys.argv[1]))))', [dir]),
      ['root']
    );
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
    assert.deepEqual(seen, {
      files: ['emg.hdf5', 'trials.csv'],
      columns: ['fresh', 'block', 'trial'],
      rows: 1,
      datasets: ['0'],
      emg: [9, 9]
    });
  } finally {
    cleanup();
  }
});
