/**
 * The viewer's pure rules (issue 15): filter expressions (checked against pandas' query), the
 * words for NaN/inf and empty arrays (counts from numpy), whole-number sample ticks, the x scale
 * of a lone sample, HDF5's truncation error in words (from a file h5py could not open) and
 * distinct tab titles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrialsCsv } from '../../src/core/csv/index.js';
import { evaluateFilter, parseFilterQuery } from '../../src/core/filter-expression.js';
import {
  countNonFinite,
  describeArrayReadError,
  describeEmptyShape,
  describeNonFinite,
  sampleScale,
  sampleTicks
} from '../../src/core/plot-text.js';
import { distinctTitles } from '../../src/core/tab-titles.js';
import { channelStats } from '../../src/lab/previews/decimate.js';
import { decimateMinMax } from '../../src/core/decimation.js';
import { TrialsView } from '../../src/lab/previews/trials-view.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';

const CSV = [
  ',label,target_force,ok,block',
  '0,fist,0.25,True,0',
  '1,open,0.75,False,0',
  '2,fist,,True,1',
  '3,"pinch, light",0.5,False,1',
  '4,open,1.5,True,2',
  '5,fist,0.5000001,False,2',
  ''
].join('\n');

/** Each filter of the table and the pandas query that means the same. */
const QUERIES: Array<[string, string]> = [
  ['target_force > 0.5', 'target_force > 0.5'],
  ['target_force >= 0.5 and block == 1', 'target_force >= 0.5 and block == 1'],
  ["label == 'fist' or ok == True", "label == 'fist' or ok == True"],
  ['not (block < 1)', '~(block < 1)'],
  ['target_force != 0.25', 'target_force != 0.25'],
  ['(block == 2 || block == 0) && ok == False', '(block == 2 | block == 0) & (ok == False)'],
  ['label = open', "label == 'open'"],
  ["label contains 'IN'", "label.str.lower().str.contains('in', regex=False)"]
];

test('filter expressions keep the rows pandas query keeps (NaN never compares greater or less)', () => {
  const { dir, cleanup } = makeTempDir('axopy-filter-');
  try {
    const file = join(dir, 'trials.csv');
    writeFileSync(file, CSV);
    const expected = runPythonJson<number[][]>(
      `import sys, json, pandas as pd
df = pd.read_csv(sys.argv[1], index_col=0)
print(json.dumps([[int(i) for i in df.query(q, engine='python').index] for q in json.loads(sys.argv[2])]))`,
      [file, JSON.stringify(QUERIES.map(([, q]) => q))],
      undefined,
      PYTHON
    );
    const parsed = parseTrialsCsv(CSV, 'trials.csv');
    QUERIES.forEach(([filter], i) => {
      const view = new TrialsView(parsed);
      view.setFilter(filter);
      assert.equal(view.filterQuery.kind, 'expression', filter);
      assert.deepEqual(view.rows, expected[i], filter);
    });
  } finally {
    cleanup();
  }
});

test('filter text that is not an expression is a substring; a broken expression says why and keeps all', () => {
  const parsed = parseTrialsCsv(CSV, 'trials.csv');
  const view = new TrialsView(parsed);
  const kindOf = (v: TrialsView): string => v.filterQuery.kind;
  view.setFilter('pinch');
  assert.deepEqual(view.rows, [3]);
  assert.equal(kindOf(view), 'text');
  view.setFilter('force > 0.5');
  assert.equal(kindOf(view), 'invalid');
  assert.match((view.filterQuery as { message: string }).message, /no column "force"/);
  assert.deepEqual(view.rows, [0, 1, 2, 3, 4, 5]);
  view.setFilter('target_force >');
  assert.equal(kindOf(view), 'invalid');
});

test('filter expressions are parsed, never evaluated as code', () => {
  const scope = globalThis as { pwned?: boolean };
  for (const text of [
    'label == (globalThis.pwned = true)',
    "label == '); globalThis.pwned = true; ('",
    'constructor.constructor("globalThis.pwned = true")()'
  ]) {
    const query = parseFilterQuery(text, ['label']);
    if (query.kind === 'expression') evaluateFilter(query.expression, () => 'x');
  }
  assert.equal(scope.pwned, undefined);
});

test('NaN and inf: counted as numpy counts them, said in words, left out of statistics and lines', () => {
  const values = [1, NaN, 3, -Infinity, 2, Infinity, Infinity, NaN, NaN, -5];
  const expected = runPythonJson<{
    nan: number;
    posInf: number;
    negInf: number;
    min: number;
    max: number;
    mean: number;
  }>(
    `import json, sys, numpy as np
a = np.array(json.loads(sys.argv[1].replace('NaN', 'NaN')), dtype=float)
f = a[np.isfinite(a)]
print(json.dumps(dict(nan=int(np.isnan(a).sum()), posInf=int(np.isposinf(a).sum()), negInf=int(np.isneginf(a).sum()), min=float(f.min()), max=float(f.max()), mean=float(f.mean()))))`,
    [
      JSON.stringify(values.map(v => (Number.isFinite(v) ? v : String(v))))
        .replace(/"NaN"/g, 'NaN')
        .replace(/"-Infinity"/g, '-Infinity')
        .replace(/"Infinity"/g, 'Infinity')
    ],
    undefined,
    CURRENT_PYTHON
  );
  const data = Float64Array.from(values);
  const counts = countNonFinite(data, 0, data.length);
  assert.deepEqual(counts, { nan: expected.nan, posInf: expected.posInf, negInf: expected.negInf });
  assert.equal(describeNonFinite(counts), 'contains 3 NaN, 2 inf, 1 -inf');
  assert.equal(describeNonFinite({ nan: 1, posInf: 0, negInf: 1 }), 'contains 1 NaN, 1 -inf');
  assert.equal(describeNonFinite(countNonFinite(Float64Array.from([1, 2]), 0, 2)), '');
  const stats = channelStats(data, 0, data.length);
  assert.equal(stats.min, expected.min);
  assert.equal(stats.max, expected.max);
  assert.ok(Math.abs(stats.mean - expected.mean) < 1e-12);
  // Decimated into 2 buckets of 5: each keeps its finite extremes (an inf would hide them):
  // [1, NaN, 3, -inf, 2] -> 1 and 3; [inf, inf, NaN, NaN, -5] -> -5 (its only finite value).
  const line = decimateMinMax(data, 0, 0, data.length, 2);
  assert.deepEqual([...line.y], [1, 3, -5, -5]);
  assert.ok(
    [...line.y].every(v => Number.isFinite(v) || Number.isNaN(v)),
    'no inf reaches the plot'
  );
});

test('empty arrays are said, not drawn: (0,) and (8, 0) are "empty array (0 samples)"', () => {
  assert.equal(describeEmptyShape([0]), 'empty array (0 samples)');
  assert.equal(describeEmptyShape([8, 0]), 'empty array (0 samples)');
  assert.equal(describeEmptyShape([0, 5]), 'empty array (5 samples)');
  assert.equal(describeEmptyShape([1]), undefined);
  assert.equal(describeEmptyShape([]), undefined);
});

test('sample axes get whole-number ticks, never more than asked; one sample is not 0..100', () => {
  for (const [min, max, most] of [
    [0, 1, 8],
    [0, 1699, 8],
    [0, 10, 3],
    [12.3, 17.9, 10],
    [-1, 1, 8],
    [0, 74239, 6],
    [3, 3, 8]
  ]) {
    const ticks = sampleTicks(min, max, most);
    assert.ok(ticks.length >= 1 && ticks.length <= most, `${min}..${max}: ${ticks}`);
    assert.ok(ticks.every(Number.isInteger), `${min}..${max}: ${ticks}`);
    assert.ok(
      ticks.every(t => t >= min && t <= max),
      `${min}..${max}: ${ticks}`
    );
    const steps = new Set(ticks.slice(1).map((t, i) => t - ticks[i]));
    assert.ok(steps.size <= 1, 'evenly spaced');
  }
  assert.deepEqual(sampleTicks(0, 1, 8), [0, 1]);
  assert.deepEqual(sampleTicks(0.2, 0.8, 8), []);
  const [lo, hi] = sampleScale(0, 1);
  assert.ok(lo < 0 && hi > 0 && hi - lo <= 2, 'one sample: a narrow range around it');
  assert.deepEqual(sampleScale(0, 1700), [0, 1699]);
});

test('a truncated HDF5 file is said in words, its raw HDF5 message kept as detail', () => {
  const { dir, cleanup } = makeTempDir('axopy-truncated-');
  try {
    const file = join(dir, 'emg.hdf5');
    // h5py writes a file, it is cut to 20 000 bytes, and h5py's own open tells what HDF5 says.
    const result = runPythonJson<{ message: string; size: number; full: number }>(
      `import h5py, json, numpy as np, os, sys
path = sys.argv[1]
with h5py.File(path, 'w') as f:
    f.create_dataset('0', data=np.arange(9000, dtype='float64'))
full = os.path.getsize(path)
with open(path, 'r+b') as f:
    f.truncate(20000)
try:
    h5py.File(path, 'r')
    message = ''
except OSError as e:
    message = str(e)
print(json.dumps(dict(message=message, size=os.path.getsize(path), full=full)))`,
      [file],
      undefined,
      CURRENT_PYTHON
    );
    assert.match(result.message, /truncated file/);
    const worded = describeArrayReadError('emg.hdf5', result.message);
    const group = (n: number): string => n.toLocaleString('en-US').replace(/,/g, ' ');
    assert.equal(worded.summary, `emg.hdf5 is truncated: ${group(result.size)} of ${group(result.full)} bytes`);
    assert.equal(worded.detail, result.message);
    assert.equal(describeArrayReadError('bad.hdf5', 'something else').summary, 'bad.hdf5 cannot be read');
  } finally {
    cleanup();
  }
});

test('tab titles: subject/task, with the root where two open tasks share it', () => {
  assert.deepEqual(distinctTitles(['a/data/p01/gestures', 'b/data/p01/gestures', 'a/data/p02/rest']), [
    'a/data/p01/gestures',
    'b/data/p01/gestures',
    'p02/rest'
  ]);
  assert.deepEqual(distinctTitles(['one/p01/t', 'two/p01/t']), ['one/p01/t', 'two/p01/t']);
  assert.deepEqual(distinctTitles(['p01/t']), ['p01/t']);
  assert.deepEqual(distinctTitles(['t']), ['t']);
});
