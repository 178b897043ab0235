import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, parseTrialsCsv, trialsTable } from '../../src/core/index.js';

const parse = (text: string | Uint8Array, ignoreIncompleteLastLine = false) =>
  parseTrialsCsv(text, 'trials.csv', { ignoreIncompleteLastLine });

/** dtype and values of a column `a` holding these cells (next to an int column). */
function column(...cells: string[]) {
  const parsed = parse(`a,z\n${cells.map(cell => `${cell},0\n`).join('')}`);
  return { dtype: parsed.dtypes.a, values: parsed.values.a };
}

test('types int64 columns, with leading zeros, signs and spaces', () => {
  assert.deepEqual(column('007', '+5', '-0', ' 3 '), { dtype: 'int64', values: [7, 5, 0, 3] });
});

test('gives bigints for an int64 column reaching beyond 2**53, whole column', () => {
  assert.deepEqual(column('1', '9223372036854775807'), { dtype: 'int64', values: [1n, 9223372036854775807n] });
  assert.deepEqual(column('-9223372036854775808'), { dtype: 'int64', values: [-9223372036854775808n] });
});

test('follows pandas beyond int64: uint64, or text', () => {
  assert.deepEqual(column('1', '9223372036854775808'), { dtype: 'uint64', values: [1n, 9223372036854775808n] });
  assert.deepEqual(column('18446744073709551616'), { dtype: 'object', values: ['18446744073709551616'] });
  assert.deepEqual(column('-1', '9223372036854775808'), { dtype: 'object', values: ['-1', '9223372036854775808'] });
  // A missing value beside a uint64 value: pandas keeps even the NA strings as text.
  assert.deepEqual(column('9223372036854775808', ''), { dtype: 'object', values: ['9223372036854775808', ''] });
  assert.deepEqual(column('-9223372036854775809', ''), { dtype: 'object', values: ['-9223372036854775809', null] });
  assert.deepEqual(column('123456789012345678901234567890', '2.5'), {
    dtype: 'object',
    values: ['123456789012345678901234567890', '2.5']
  });
});

test('makes int columns with missing values float64', () => {
  assert.deepEqual(column('1', '', 'NA'), { dtype: 'float64', values: [1, NaN, NaN] });
  // pandas reads 2**63 - 1 beside a missing value as float64: the literal's rounding is the point.
  // eslint-disable-next-line no-loss-of-precision
  assert.deepEqual(column('9223372036854775807', ''), { dtype: 'float64', values: [9223372036854775807, NaN] });
  assert.deepEqual(column('', ''), { dtype: 'float64', values: [NaN, NaN] });
});

test('reads floats, inf spellings and every default NA string', () => {
  assert.deepEqual(column('1.', '.5', '1e3', '-0.0', ' 1.5 ', '+.5e-3'), {
    dtype: 'float64',
    values: [1, 0.5, 1000, -0, 1.5, 0.0005]
  });
  assert.deepEqual(column('inf', '-inf', 'Infinity', 'INF', '+inf', '-Infinity', 'iNf'), {
    dtype: 'float64',
    values: [Infinity, -Infinity, Infinity, Infinity, Infinity, -Infinity, Infinity]
  });
  const na = [
    '',
    '#N/A',
    '#N/A N/A',
    '#NA',
    '-1.#IND',
    '-1.#QNAN',
    '-NaN',
    '-nan',
    '1.#IND',
    '1.#QNAN',
    '<NA>',
    'N/A',
    'NA',
    'NULL',
    'NaN',
    'n/a',
    'nan',
    'null'
  ];
  assert.deepEqual(column('1.5', ...na), { dtype: 'float64', values: [1.5, ...na.map(() => NaN)] });
  assert.deepEqual(column('None', 'x'), { dtype: 'object', values: ['None', 'x'] });
});

test('rejects what pandas does not take as a float', () => {
  for (const word of [
    '.',
    '-',
    'e5',
    '1e',
    '1e+',
    '1.5e5x',
    '1.2.3',
    '--1',
    '1 2',
    '1e400',
    '0e400',
    '10e308',
    '1_000',
    '0x10'
  ]) {
    assert.equal(column(word, '2.5').dtype, 'object', word);
  }
  assert.deepEqual(column('1e-400', '1e308'), { dtype: 'float64', values: [0, 1e308] });
});

test('rounds floats like pandas precise_xstrtod, not correctly', () => {
  // Correctly rounded this is 2.7715077941825975e-163; pandas reads the neighbour below.
  assert.equal(column('2.7715077941825975e-163').values[0], 2.7715077941825972e-163);
  // Only 17 digits count, leading zeros included.
  assert.equal(column('0.000000000000000012345').values[0], 0);
  assert.equal(column('9223372036854775808', '1.5').values[0], 9.223372036854778e18);
});

test('reads bools in any letter case; with missing values they are object', () => {
  assert.deepEqual(column('True', 'TRUE', 'true', 'tRue', 'False'), {
    dtype: 'bool',
    values: [true, true, true, true, false]
  });
  assert.deepEqual(column('True', ''), { dtype: 'object', values: [true, null] });
  assert.deepEqual(column('True', ' true'), { dtype: 'object', values: ['True', ' true'] });
  assert.deepEqual(column('yes', 'no'), { dtype: 'object', values: ['yes', 'no'] });
});

test('keeps text as is, with null for NA strings', () => {
  assert.deepEqual(column('"a,b"', '"say ""hi"""', 'x"y', '"x"y', '"l1\nl2"', '  ', 'NA'), {
    dtype: 'object',
    values: ['a,b', 'say "hi"', 'x"y', 'xy', 'l1\nl2', '  ', null]
  });
});

test('renames empty and repeated header names as pandas does', () => {
  assert.deepEqual(parse(',b,,a,a,a.1\n1,2,3,4,5,6\n').columns, ['Unnamed: 0', 'b', 'Unnamed: 2', 'a', 'a.2', 'a.1']);
  assert.deepEqual(parse('a,a.1,a\n1,2,3\n').columns, ['a', 'a.1', 'a.2']);
  assert.deepEqual(parse('""\n1\n').columns, ['Unnamed: 0']);
  assert.deepEqual(parse('__proto__,b\n1,2\n').values.__proto__, [1]);
});

test('handles BOM, CRLF, bare CR, blank and whitespace-only lines', () => {
  const bom = new TextEncoder().encode('\uFEFFa,b\r\n1,2\r\n\r\n3,4\r\n');
  assert.deepEqual(parse(bom).values, { a: [1, 3], b: [2, 4] });
  assert.deepEqual(parse('\uFEFFa\n1\n').columns, ['a']);
  const twoBoms = '\uFEFF\uFEFFa\n1\n';
  assert.deepEqual(parse(new TextEncoder().encode(twoBoms)).columns, parse(twoBoms).columns);
  assert.deepEqual(parse(twoBoms).columns, ['\uFEFFa']);
  assert.deepEqual(parse('a,b\n1,2\r3,4\r').values, { a: [1, 3], b: [2, 4] });
  assert.deepEqual(parse('a,b\n1,2\r,4\n').values, { a: [1, NaN], b: [2, 4] });
  assert.deepEqual(parse('\n\na,b\n1,2\n  \n\t\n3,4\n  ').values, { a: [1, 3], b: [2, 4] });
  assert.deepEqual(parse('a,b\n"x\r\ny",1\n').values.a, ['x\r\ny']);
});

test('pads short rows and reads header-only files as empty object columns', () => {
  assert.deepEqual(parse('a,b\n1\n').values, { a: [1], b: [NaN] });
  const empty = parse('a,b\n');
  assert.deepEqual([empty.rowCount, empty.dtypes], [0, { a: 'object', b: 'object' }]);
  assert.equal(parse('a,b\n1,2').rowCount, 1);
});

test('reports malformed files with the file and line', () => {
  const fails = (text: string | Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => parse(text),
      (e: unknown) => e instanceof FormatError && e.path === 'trials.csv' && pattern.test(e.message)
    );
  fails('a,b\n1,2\n\n3,4,5\n', /^trials\.csv: line 4: expected 2 fields, saw 3$/);
  fails('a,b\n1,"2\n', /line 2: quoted field not closed/);
  fails('', /line 1: no header line/);
  fails(new Uint8Array([97, 10, 49, 10, 0xff, 10]), /line 3: invalid UTF-8 at byte 4/);
});

test('ignores a last line a live writer has not finished', () => {
  const live = parse('a,b\n1,2\n3,', true);
  assert.deepEqual([live.rowCount, live.values], [1, { a: [1], b: [2] }]);
  // Still open at the end but not ended by a newline: a quoted cell being written.
  assert.equal(parse('a,b\n1,2\n"3', true).rowCount, 1);
  assert.equal(parse('a,b\n1,2\n', true).rowCount, 1);
  assert.deepEqual(parse('', true).columns, []);
  // A character cut in the middle of its UTF-8 bytes belongs to the unfinished line.
  const bytes = new TextEncoder().encode('a\nx\né');
  assert.deepEqual(parse(bytes.subarray(0, bytes.length - 1), true).values, { a: ['x'] });
});

test('builds an arquero table in file order with pandas types', () => {
  const table = trialsTable(parse('b,0,f,s,t\n1,9007199254740993,0.5,x,True\n2,1,,,False\n'));
  assert.deepEqual(table.columnNames(), ['b', '0', 'f', 's', 't']);
  assert.deepEqual(table.objects(), [
    { b: 1, 0: 9007199254740993n, f: 0.5, s: 'x', t: true },
    { b: 2, 0: 1n, f: NaN, s: null, t: false }
  ]);
});
