import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FormatError,
  TrialsCsvFormatter,
  ValueFormatError,
  formatTrialsCsv,
  pythonFloatRepr,
  widenTrialsCsv,
  type TrialRow
} from '../../src/core/index.js';

test('formats floats as Python repr, not JavaScript String()', () => {
  const cases: [number, string][] = [
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e-7, '1e-07'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1.5e16, '1.5e+16'],
    [1e21, '1e+21'],
    [1e22, '1e+22'],
    [1e300, '1e+300'],
    [123456789.0, '123456789.0'],
    [2, '2.0'],
    [-2.5, '-2.5'],
    [-0, '-0.0'],
    [0, '0.0'],
    [5e-324, '5e-324'],
    [-1.25e-10, '-1.25e-10'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [2 ** 53 + 2, '9007199254740994.0']
  ];
  for (const [x, repr] of cases) assert.equal(pythonFloatRepr(x), repr, String(x));
});

test('writes ints as digits, floats as repr, NaN and missing as empty, bools as True/False', () => {
  const rows: TrialRow[] = [
    { i: 1, f: 0.5, b: true, s: 'x', n: null },
    { i: 2, f: NaN, b: false, s: 'y', n: undefined }
  ];
  assert.equal(formatTrialsCsv(rows), 'i,f,b,s,n\n1,0.5,True,x,\n2,,False,y,\n');
});

test('types each column over all its values as pandas does', () => {
  const column = (...values: TrialRow[keyof TrialRow][]) =>
    formatTrialsCsv(values.map(a => ({ a, z: 0 }) as TrialRow))
      .split('\n')
      .slice(1, -1)
      .map(l => l.slice(0, -2));
  assert.deepEqual(column(1, 2, null), ['1.0', '2.0', '']); // int + None -> float64
  assert.deepEqual(column(1, 2.5), ['1.0', '2.5']);
  assert.deepEqual(column(true, null), ['True', '']); // bool + None -> object
  assert.deepEqual(column(1, 'x'), ['1', 'x']);
  assert.deepEqual(column(true, 1), ['True', '1']);
  assert.deepEqual(column(1.0000001, 'x', NaN), ['1.0000001', 'x', '']);
  assert.deepEqual(column(null, null), ['', '']);
  assert.deepEqual(column(2n ** 63n - 1n, null), ['9.223372036854776e+18', '']);
  assert.deepEqual(column(2n ** 64n, null), ['18446744073709551616', '']); // beyond uint64: object
  assert.deepEqual(column(null, 2n ** 64n), ['', '1.8446744073709552e+19']); // pandas skips the check after None
  assert.deepEqual(column(-1, 2n ** 63n), ['-1', '9223372036854775808']);
  assert.deepEqual(column(2n ** 53n + 1n, 2n ** 63n - 1n), ['9007199254740993', '9223372036854775807']);
  assert.deepEqual(column(1e16, 1), ['1e+16', '1.0']); // integral beyond 2**53 is a float
  assert.deepEqual(column(-0, 3), ['-0.0', '3.0']);
});

test('quotes like Python csv QUOTE_MINIMAL, and also a bare \\r', () => {
  const text = formatTrialsCsv([{ 'a,b': 'x,y', q: 'say "hi"', nl: 'l1\nl2', cr: 'c\rr', sp: ' s ', e: '', u: 'é😀' }]);
  assert.equal(text, '"a,b",q,nl,cr,sp,e,u\n"x,y","say ""hi""","l1\nl2","c\rr", s ,,é😀\n');
});

test('quotes a record made of one empty field, as Python csv does', () => {
  assert.equal(formatTrialsCsv([{ a: '' }, { a: null }, { a: 'x' }]), 'a\n""\n""\nx\n');
  assert.equal(formatTrialsCsv([{ '': 1 }]), '""\n1\n');
  assert.equal(formatTrialsCsv([]), '\n');
});

test('puts columns in first-seen order and leaves missing cells empty', () => {
  assert.equal(formatTrialsCsv([{ a: 1 }, { b: 2, a: 3 }]), 'a,b\n1,\n3,2.0\n');
  const ordered = new Map<string, number>([
    ['b', 1],
    ['0', 2]
  ]);
  assert.equal(formatTrialsCsv([ordered]), 'b,0\n1,2\n');
});

test('declared float64 writes integral numbers as floats; other declarations are checked', () => {
  const options = { declaredDTypes: { f: 'float64', i: 'int64' } as const };
  assert.equal(
    formatTrialsCsv(
      [
        { f: 2, i: 3 },
        { f: null, i: 2n ** 60n }
      ],
      options
    ),
    'f,i\n2.0,3\n,1152921504606846976\n'
  );
  assert.throws(() => formatTrialsCsv([{ i: null }], options), ValueFormatError);
  assert.throws(() => formatTrialsCsv([{ i: 1.5 }], options), /declared int64 but got float 1.5/);
  assert.throws(() => formatTrialsCsv([{ f: 'x' }], options), ValueFormatError);
  assert.equal(formatTrialsCsv([{ b: true }], { declaredDTypes: { b: 'bool' } }), 'b\nTrue\n');
});

/** Appends rows as the trial writer does: header with the first row, widening on new columns. */
function appendRows(rows: TrialRow[], formatter = new TrialsCsvFormatter()): string {
  let text = '';
  rows.forEach((row, index) => {
    const added = formatter.addColumns(row);
    if (index === 0) text = formatter.header();
    else if (added.length > 0) text = widenTrialsCsv(text, added, 'trials.csv');
    text += formatter.formatRow(row);
  });
  return text;
}

test('appending gives the whole-file bytes when no later row changes a column dtype', () => {
  const rows: TrialRow[] = [
    { x: 1.5, label: 'a', n: 1, ok: true, block: 0, trial: 0 },
    { x: 2, label: 'b,c', n: 2, ok: false, block: 0, trial: 1 },
    { x: NaN, label: null, n: 3, ok: true, block: 1, trial: 0 }
  ];
  const expected = 'x,label,n,ok,block,trial\n1.5,a,1,True,0,0\n2.0,"b,c",2,False,0,1\n,,3,True,1,0\n';
  assert.equal(appendRows(rows), expected);
  assert.equal(formatTrialsCsv(rows), expected);
});

test('appending never rewrites earlier cells when a column dtype changes later', () => {
  assert.equal(appendRows([{ a: 1 }, { a: null }, { a: 2 }]), 'a\n1\n""\n2.0\n');
  assert.equal(formatTrialsCsv([{ a: 1 }, { a: null }, { a: 2 }]), 'a\n1.0\n""\n2.0\n');
});

test('a column added after rows were written counts those rows as missing', () => {
  const rows: TrialRow[] = [{ a: 1 }, { a: 2, b: 3 }, { a: 3, b: 4 }];
  assert.equal(appendRows(rows), 'a,b\n1,\n2,3.0\n3,4.0\n');
  assert.equal(appendRows(rows), formatTrialsCsv(rows));
});

test('formatter lists columns, adds only unseen ones, and refuses unknown keys', () => {
  const formatter = new TrialsCsvFormatter();
  assert.deepEqual(formatter.addColumns({ a: 1, b: 2 }), ['a', 'b']);
  assert.deepEqual(formatter.addColumns({ b: 1, c: 2 }), ['c']);
  assert.deepEqual(formatter.columns, ['a', 'b', 'c']);
  assert.equal(formatter.header(), 'a,b,c\n');
  assert.equal(formatter.formatRow({ b: 'x' }), ',x,\n');
  assert.throws(() => formatter.formatRow({ d: 1 }), /column "d" not yet in trials.csv/);
});

test('widens header and rows, keeping quoted newlines and CRLF intact', () => {
  const text = 'a,b\r\n1,"x\ny"\r\n\r\n2,z\r\n';
  assert.equal(widenTrialsCsv(text, ['c', 'd,e'], 'p'), 'a,b,c,"d,e"\r\n1,"x\ny",,\r\n\r\n2,z,,\r\n');
  assert.equal(widenTrialsCsv(text, ['a', 'b', 'c'], 'p'), 'a,b,c\r\n1,"x\ny",\r\n\r\n2,z,\r\n');
  assert.equal(widenTrialsCsv('', ['a'], 'p'), 'a\n');
  assert.equal(widenTrialsCsv(text, ['a', 'b'], 'p'), text);
});

test('widening refuses incomplete text and reordered or repeated columns', () => {
  assert.throws(
    () => widenTrialsCsv('a\n1', ['b'], 'f.csv'),
    (e: unknown) => e instanceof FormatError && /f\.csv: line 2: incomplete/.test(e.message)
  );
  assert.throws(() => widenTrialsCsv('a\n"1\n', ['b'], 'f.csv'), /line 2: quoted field not closed/);
  assert.throws(() => widenTrialsCsv('a,b\n', ['b', 'a', 'c'], 'f.csv'), /column "b" is already in the header/);
});
