/**
 * trials.csv fed to the core parser in chunks (issue 13): the result does not depend on where
 * the bytes split (inside a multi-byte character, inside quotes, between CR and LF, in a BOM),
 * and equals pandas 1.5's reading. Behind AXOPY_BIG_CORPUS: a ~650 MiB file, beyond V8's
 * string limit, reads with pandas' row count; a 1 GiB single line still fails early.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../../src/core/errors.js';
import { TrialsCsvParser, parseTrialsCsv } from '../../src/core/csv/index.js';
import { readTrialsCsvFile } from '../../src/kernel/trials-csv-file.js';
import { BROWSER_TRIALS_MAX_BYTES, requireBrowserReadable } from '../../src/core/csv/line-guard.js';
import { asPandasRead, type PandasRead } from './csv-pandas.js';
import { PYTHON, makeTempDir } from '../helpers/python.js';
import { errorNaming } from '../helpers/errors.js';

const SCRIPTS = join(__dirname, '..', '..', '..', 'tests', 'python');
const { dir, cleanup } = makeTempDir('axopy-csv-stream-');
after(cleanup);

function pandasRead(path: string): PandasRead {
  const out = execFileSync(PYTHON, [join(SCRIPTS, 'csv_pandas.py'), 'read', path], {
    encoding: 'utf8',
    maxBuffer: 1 << 26
  });
  return (JSON.parse(out) as Record<string, PandasRead>)[path];
}

/** The bytes fed in the given pieces. */
function parseInPieces(bytes: Uint8Array, cuts: readonly number[], live = false): PandasRead {
  const parser = new TrialsCsvParser('t.csv', { ignoreIncompleteLastLine: live });
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.feedBytes(bytes.subarray(from, cut));
    from = cut;
  }
  return asPandasRead(parser.finish());
}

// Multi-byte characters (2, 3 and 4 bytes), quoted commas, newlines, CR LF inside and
// outside quotes, "" escapes, a bare CR, blank and whitespace-only lines, a BOM.
const TEXT =
  '\ufeffblock,label,value,note\r\n' +
  '0,"é, ü",1.5,"line one\r\nline two"\r\n' +
  '\r\n' +
  '1,日本,2,"say ""hi"""\n' +
  '   \n' +
  '2,😀x,3e2,plain\r' +
  '3,"a\rb",,"😀"\n' +
  '4, lead,-0.0,"q""\n""q"\r\n';

test('every split of the bytes, in two or in single bytes, reads as pandas does', () => {
  const csv = join(dir, 'pieces.csv');
  writeFileSync(csv, TEXT);
  const expected = pandasRead(csv);
  assert.equal(expected.error, undefined);
  const bytes = Buffer.from(TEXT);
  assert.deepEqual(asPandasRead(parseTrialsCsv(bytes, csv)), expected);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(parseInPieces(bytes, [cut]), expected, `split at byte ${cut}`);
    assert.deepEqual(parseInPieces(bytes, [cut], true), expected, `live, split at byte ${cut}`);
  }
  const everyByte = [...bytes.keys()].slice(1);
  assert.deepEqual(parseInPieces(bytes, everyByte), expected);
});

test('errors name the same line and byte wherever the bytes split', () => {
  const bytes = Buffer.concat([Buffer.from('a,b\n"x\n\ny",1\n2,'), Buffer.from([0xe6, 0x97]), Buffer.from('z\n')]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.throws(() => parseInPieces(bytes, [cut]), /t\.csv: line 5: invalid UTF-8 at byte 17$/, `split at ${cut}`);
  }
  const openQuote = Buffer.from('a,b\n1,"x\r\n2\n');
  for (let cut = 0; cut <= openQuote.length; cut++) {
    assert.throws(() => parseInPieces(openQuote, [cut]), /t\.csv: line 2: quoted field not closed/, `split at ${cut}`);
  }
  const tooWide = Buffer.from('a,b\n1,"x\ny"\n1,2,3\n');
  for (let cut = 0; cut <= tooWide.length; cut++) {
    assert.throws(() => parseInPieces(tooWide, [cut]), /t\.csv: line 4: expected 2 fields, saw 3/, `split at ${cut}`);
  }
});

const big = process.env.AXOPY_BIG_CORPUS ? test : test.skip;

big("a ~650 MiB trials.csv (beyond V8's 512 MiB string limit) reads with the rows pandas reads", () => {
  const csv = join(dir, 'big.csv');
  const fd = openSync(csv, 'w');
  const row = (i: number) => `0,${i},${(i * 0.001).toFixed(3)},"${'note '.repeat(40)}é ${i}"\n`;
  let block = 'block,trial,value,note\n';
  for (let i = 0; statSync(csv).size < 650 * 2 ** 20;) {
    for (let k = 0; k < 20000; k++, i++) block += row(i);
    writeSync(fd, block);
    block = '';
  }
  closeSync(fd);
  const size = statSync(csv).size;
  assert.ok(size > 2 ** 29, `${size} bytes`);
  const parsed = readTrialsCsvFile(csv);
  const pandasRows = Number(
    execFileSync(PYTHON, ['-c', 'import pandas,sys; print(len(pandas.read_csv(sys.argv[1])))', csv], {
      encoding: 'utf8'
    })
  );
  assert.equal(parsed.rowCount, pandasRows);
  assert.equal(parsed.dtypes.trial, 'int64');
  assert.equal(parsed.values.trial[pandasRows - 1], pandasRows - 1);
});

big('a 1 GiB single-line trials.csv still fails early, naming the file', () => {
  const csv = join(dir, 'one-line.csv');
  const fd = openSync(csv, 'w');
  const piece = Buffer.alloc(64 * 2 ** 20, 'x');
  for (let i = 0; i < 16; i++) writeSync(fd, piece);
  closeSync(fd);
  assert.throws(() => readTrialsCsvFile(csv), errorNaming(FormatError, csv, /line 1 is longer than 16777216 bytes/));
});

test('a sparse 1 GiB trials.csv of NUL bytes fails on its line length, naming the file', () => {
  const csv = join(dir, 'sparse.csv');
  const fd = openSync(csv, 'w');
  ftruncateSync(fd, 2 ** 30);
  closeSync(fd);
  assert.throws(() => readTrialsCsvFile(csv), errorNaming(FormatError, csv, /line 1 is longer than 16777216 bytes/));
});

test('the browser refuses a trials.csv over its text limit before reading it, naming the file', () => {
  assert.throws(
    () => requireBrowserReadable('d/t/trials.csv', 2 ** 30),
    errorNaming(FormatError, 'd/t/trials.csv', /is 1024 MiB: larger than the 256 MiB the browser reads/)
  );
  assert.doesNotThrow(() => requireBrowserReadable('d/t/trials.csv', BROWSER_TRIALS_MAX_BYTES));
});
