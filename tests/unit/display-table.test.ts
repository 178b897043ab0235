import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnDtype, escapeHtml, formatCell, shownRows, tableHtml } from '../../src/kernel/display.js';

// arquero is ESM-only: a dynamic import works with every TypeScript version that builds tests.
const loadArquero = () => import('arquero');

function bodyRows(html: string): string[] {
  const body = html.slice(html.indexOf('<tbody>'));
  return [...body.matchAll(/<tr><th>([^<]*)<\/th>/g)].map(match => match[1]);
}

test('shows the first and last rows with their row index and an ellipsis between', async () => {
  const aq = await loadArquero();
  const table = aq.table({ trial: Array.from({ length: 20 }, (_, i) => i * 10) });
  const html = tableHtml(table, { head: 2, tail: 3 });
  assert.deepEqual(bodyRows(html), ['0', '1', '…', '17', '18', '19']);
  assert.match(html, /<td>170<\/td>/);
  assert.doesNotMatch(html, /<td>20<\/td>/);
  assert.match(html, /20 rows × 1 column</);
});

test('shows every row without ellipsis when they fit in head + tail', async () => {
  const aq = await loadArquero();
  const table = aq.table({ a: [1, 2, 3], b: ['x', 'y', 'z'] });
  assert.deepEqual(bodyRows(tableHtml(table)), ['0', '1', '2']);
  assert.deepEqual(shownRows(10, 5, 5), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(shownRows(11, 5, 5), [0, 1, 2, 3, 4, -1, 6, 7, 8, 9, 10]);
  assert.deepEqual(shownRows(4, 0, 0), [-1]);
});

test('counts rows after arquero filters and order', async () => {
  const aq = await loadArquero();
  const table = aq
    .table({ block: [0, 0, 1, 1], trial: [0, 1, 0, 1] })
    .filter((d: { block: number }) => d.block === 1)
    .orderby(aq.desc('trial'));
  const html = tableHtml(table);
  assert.match(html, /2 rows × 2 columns/);
  assert.match(html, /<tr><th>0<\/th><td>1<\/td><td>1<\/td><\/tr>/);
});

test('escapes column names and cells', async () => {
  const aq = await loadArquero();
  const table = aq.table({ '<b>"name"</b>': ['<script>alert("x")</script>', "it's & more"] });
  const html = tableHtml(table);
  assert.doesNotMatch(html, /<script>|<b>/);
  assert.match(html, /&lt;b&gt;&quot;name&quot;&lt;\/b&gt;/);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.match(html, /it&#39;s &amp; more/);
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('labels each column with the dtype pandas would give it', async () => {
  const aq = await loadArquero();
  const table = aq.table({
    ints: [1, 2, 3],
    floats: [1, 2.5, 3],
    intsWithMissing: [1, null, 3],
    flags: [true, false, true],
    text: ['a', 'b', 'c']
  });
  const dtypes = [...tableHtml(table).matchAll(/<small>([^<]*)<\/small>/g)].map(match => match[1]);
  assert.deepEqual(dtypes, ['int64', 'float64', 'float64', 'bool', 'object']);
  assert.equal(columnDtype([1n, 2n]), 'int64');
  assert.equal(columnDtype([new Date(0)]), 'datetime64[ns]');
  assert.equal(columnDtype([1, 'a']), 'object');
  assert.equal(columnDtype([null, null]), 'float64');
  assert.equal(columnDtype([true, null]), 'object');
});

test('formats cells as pandas prints them', () => {
  assert.equal(formatCell(null), 'NaN');
  assert.equal(formatCell(Number.NaN), 'NaN');
  assert.equal(formatCell(true), 'True');
  assert.equal(formatCell(-Infinity), '-inf');
  assert.equal(formatCell(0.5), '0.5');
  assert.equal(formatCell(0.98937258858813), '0.989373');
  assert.equal(formatCell(123456789), '123456789');
  assert.equal(formatCell(12n), '12');
  assert.equal(formatCell({ big: 1n }), '{"big":"1"}');
});

test('refuses negative head or tail', async () => {
  const aq = await loadArquero();
  assert.throws(() => tableHtml(aq.table({ a: [1] }), { head: -1 }), RangeError);
  assert.throws(() => tableHtml(aq.table({ a: [1] }), { tail: 1.5 }), RangeError);
});
