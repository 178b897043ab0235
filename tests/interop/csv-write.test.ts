import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrialsCsvFormatter, formatTrialsCsv, widenTrialsCsv, type TrialRow } from '../../src/core/index.js';
import { makeTempDir, readWithPandas, writeWithPandas } from './csv-pandas.js';

/** Trial sequences covering the format's corners (AxoPy adds block and trial after the attrs). */
const floats = [0.1, 1 / 3, 1e-5, 1e16, 1e22, 5e-324, -0, Infinity, -Infinity, NaN, 123456789.0, 1e-7, 2.5e-300];
const texts = [
  'plain',
  'a,b',
  'say "hi"',
  'two\nlines',
  'émoji 😀',
  '',
  'tab\there',
  '  spaced ',
  'NA',
  'None',
  'null',
  '"',
  'ü,"\n'
];

const sequences: Record<string, TrialRow[]> = {
  corpus: floats.map((value, i) => ({
    label: texts[i],
    value,
    count: [0, 1, -1, 2n ** 53n + 1n, 2n ** 63n - 1n, 7, -(2n ** 63n), 9, 10, 11, 12, 13, 14][i],
    ok: i % 3 === 0,
    maybe: i % 4 === 0 ? null : 'y',
    block: Math.floor(i / 6),
    trial: i % 6
  })),
  intLaterNone: [
    { n: 1, block: 0, trial: 0 },
    { n: 2, block: 0, trial: 1 },
    { n: null, block: 0, trial: 2 },
    { n: 4, block: 0, trial: 3 }
  ],
  intLaterFloat: [{ n: 1 }, { n: 2.5 }, { n: 3 }],
  floatFirst: [{ x: 0.5 }, { x: 2 }, { x: -0 }, { x: 1e16 }],
  boolLaterNone: [{ ok: true }, { ok: false }, { ok: null }, { ok: true }],
  mixedTypes: [{ m: 1 }, { m: 'x' }, { m: 2.5 }, { m: true }, { m: null }, { m: 2n ** 63n }],
  boolThenInt: [
    { m: true, z: 0 },
    { m: 1, z: 0 }
  ],
  uint64: [{ u: 2n ** 63n }, { u: 1 }, { u: 2n ** 64n - 1n }],
  beyondUint64: [{ u: 2n ** 64n }, { u: null }],
  noneThenBig: [{ u: null }, { u: 2n ** 64n }, { u: 1 }],
  allNone: [
    { a: null, b: 1 },
    { a: undefined, b: 2 }
  ],
  lateColumns: [{ a: 1 }, { a: 2, b: 'x' }, { a: 3, b: 'y', c: 0.5 }, { c: 2, a: 4 }],
  missingColumns: [{ a: 1, b: true, c: 'x' }, { a: 2 }, { c: 'z', b: false }],
  singleColumn: [{ a: 'x' }, { a: '' }, { a: null }],
  emptyHeaderName: [{ '': 1, b: 2 }],
  oddHeaders: [{ 'a,b': 1, 'q"': 2, ' s ': 3, 'l\nl': 4, é: 5 }],
  integerLikeNames: [
    new Map<string, number>([
      ['b', 1],
      ['0', 2],
      ['a', 3]
    ])
  ]
};

/** Appends the rows as the trial writer does (header with the first row, widening on new columns). */
function appendRows(rows: TrialRow[]): string {
  const formatter = new TrialsCsvFormatter();
  let text = '';
  rows.forEach((row, index) => {
    const added = formatter.addColumns(row);
    if (index === 0) text = formatter.header();
    else if (added.length > 0) text = widenTrialsCsv(text, formatter.columns, 'trials.csv');
    text += formatter.formatRow(row);
  });
  return text;
}

const dir = makeTempDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const report = writeWithPandas(sequences, dir);
const pandasText = (name: string) => readFileSync(join(dir, `${name}.csv`), 'utf8');

test('whole-file output is byte-identical to pandas for every sequence', () => {
  for (const name of Object.keys(sequences)) {
    assert.equal(formatTrialsCsv(sequences[name]), pandasText(name), name);
  }
});

test('appended output is byte-identical where pandas keeps earlier rows, else reads back equal', () => {
  const appendedPaths: string[] = [];
  let stableCount = 0;
  for (const [name, rows] of Object.entries(sequences)) {
    const appended = appendRows(rows);
    if (report[name].stable) {
      assert.equal(appended, pandasText(name), `${name} (stable)`);
      stableCount++;
    }
    const path = join(dir, `${name}.appended.csv`);
    writeFileSync(path, appended);
    appendedPaths.push(path);
  }
  // The corpus must exercise both kinds, or this test proves less than it says.
  assert.ok(stableCount >= 5 && stableCount < Object.keys(sequences).length, `stable: ${stableCount}`);
  const reads = readWithPandas([...appendedPaths, ...Object.keys(sequences).map(name => join(dir, `${name}.csv`))]);
  for (const name of Object.keys(sequences)) {
    assert.deepEqual(reads[join(dir, `${name}.appended.csv`)], reads[join(dir, `${name}.csv`)], name);
  }
});

test('a bare \\r: pandas writes it unquoted and then splits the row; ours is quoted and reads back', () => {
  const rows: TrialRow[] = [{ label: 'c\rr', block: 0 }];
  const result = writeWithPandas({ carriageReturn: rows }, dir);
  assert.equal(result.carriageReturn.stable, true);
  const theirs = join(dir, 'carriageReturn.csv');
  const ours = join(dir, 'carriageReturn.ours.csv');
  assert.equal(readFileSync(theirs, 'utf8'), 'label,block\nc\rr,0\n');
  writeFileSync(ours, formatTrialsCsv(rows));
  const reads = readWithPandas([theirs, ours]);
  assert.equal(reads[theirs].values?.[0].length, 2); // one trial read as two rows
  assert.deepEqual(reads[ours].values, [[{ s: 'c\rr' }], [{ i: '0' }]]);
});
