/**
 * trials.csv files the malformed corpus lacked (issue 13): a single line of hundreds of MB,
 * NUL characters, an open quote at the end, a header without a newline (each compared with
 * pandas 1.5.3 of the AxoPy venv and the current pandas), and a file Python AxoPy rewrites
 * while we read it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FormatError } from '../../src/core/errors.js';
import { parseTrialsCsv } from '../../src/core/csv/index.js';
import { TaskReader } from '../../src/kernel/task-reader.js';
import { asPandasRead, type PandasRead } from './csv-pandas.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir } from '../helpers/python.js';
import { errorNaming } from '../helpers/errors.js';

const SCRIPTS = join(__dirname, '..', '..', '..', 'tests', 'python');
const { dir, cleanup } = makeTempDir('axopy-csv-hostile-');
after(cleanup);

function pandasRead(python: string, path: string): PandasRead {
  const out = execFileSync(python, [join(SCRIPTS, 'csv_pandas.py'), 'read', path], { encoding: 'utf8' });
  return (JSON.parse(out) as Record<string, PandasRead>)[path];
}

function task(name: string, content: Uint8Array | string): { folder: string; csv: string } {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const csv = join(folder, 'trials.csv');
  writeFileSync(csv, content);
  return { folder, csv };
}

test('a NUL ends its cell as in pandas 1.5.3 (current pandas keeps it: the versions differ)', () => {
  const { folder, csv } = task('nul', Buffer.from('a,b\n1,x\0y\n2,"p\0q"\n3,4\0 5\n'));
  const old = pandasRead(PYTHON, csv);
  const current = pandasRead(CURRENT_PYTHON, csv);
  const ours = asPandasRead(parseTrialsCsv(readFileSync(csv), csv, { ignoreIncompleteLastLine: true }));
  assert.deepEqual(new TaskReader(folder).trials.columnNames(), old.columns);
  assert.deepEqual(ours, old);
  // pandas 3 keeps "x\0y": documented difference, AxoPy's pandas 1.5 is the reference.
  assert.equal((current.values?.[1]?.[0] as { s: string }).s, 'x\0y');
});

test('an open quote at the end of a file ending with a newline raises, as pandas does', () => {
  const { folder, csv } = task('open-quote', 'block,label\n0,x\n1,"abc\n2,def\n');
  for (const python of [PYTHON, CURRENT_PYTHON]) {
    assert.match(pandasRead(python, csv).error ?? '', /EOF inside string/);
  }
  assert.throws(() => new TaskReader(folder).trials, errorNaming(FormatError, csv, /quoted field not closed/));
});

test('a header without a newline gives its columns and no rows, as pandas does', () => {
  const { folder, csv } = task('header-no-newline', 'block,trial');
  const expected = pandasRead(PYTHON, csv);
  assert.deepEqual(pandasRead(CURRENT_PYTHON, csv).columns, expected.columns);
  const reader = new TaskReader(folder);
  assert.deepEqual(reader.trials.columnNames(), expected.columns);
  assert.equal(reader.trialCount, 0);
});

test('a 40 MiB single-line trials.csv fails early with "line 1 is longer than N bytes"', () => {
  const { folder, csv } = task('one-line', '');
  const fd = openSync(csv, 'w');
  const block = Buffer.alloc(1024 * 1024, 'a');
  for (let i = 0; i < 40; i++) writeSync(fd, block);
  closeSync(fd);
  const reader = new TaskReader(folder);
  reader.csvOptions = { maxLineBytes: 4 * 1024 * 1024 };
  assert.throws(
    () => reader.trials,
    errorNaming(FormatError, csv, /line 1 is longer than 4194304 bytes \(maxLineBytes\)/)
  );
  // The default limit (16 MiB) holds too; bytes given whole to the core are checked alike.
  assert.throws(() => new TaskReader(folder).trialCount, /line 1 is longer than 16777216 bytes/);
  assert.throws(
    () => parseTrialsCsv(Buffer.from('a\n' + 'b'.repeat(100) + '\n'), 'x.csv', { maxLineBytes: 50 }),
    /x\.csv: line 2 is longer than 50 bytes/
  );
});

test('a rewrite caught empty or shorter keeps the last good reading, marked "being rewritten"', () => {
  const { folder, csv } = task('rewritten', 'block,trial\n0,0\n0,1\n0,2\n');
  const reader = new TaskReader(folder);
  assert.equal(reader.trialCount, 3);
  ftruncateSync(openSync(csv, 'r+'), 0); // pandas' to_csv has truncated, not yet written
  assert.equal(reader.reload().trialCount, 3);
  assert.equal(reader.trialsStatus, 'being rewritten');
  writeFileSync(csv, 'block,trial\n0,0\n'); // half written
  assert.equal(reader.reload().trialCount, 3);
  writeFileSync(csv, 'block,trial\n0,0\n0,1\n0,2\n0,3\n');
  assert.equal(reader.reload().trialCount, 4);
  assert.equal(reader.trialsStatus, 'current');
  // A reader that never saw the file still says what is wrong.
  writeFileSync(csv, '');
  assert.throws(() => new TaskReader(folder).trialCount, errorNaming(FormatError, csv, /is empty/));
});

test('reading while Python AxoPy rewrites trials.csv at 50 Hz: no failed read, no count going back', async () => {
  const folder = join(dir, 'live-axopy');
  const child = spawn(PYTHON, [join(SCRIPTS, 'rewrite_trials_live.py'), folder, '50', '4'], {
    stdio: ['ignore', 'pipe', 'inherit']
  });
  let output = '';
  child.stdout.on('data', chunk => (output += chunk));
  const finished = new Promise<void>(resolve => child.on('exit', () => resolve()));
  let done = false;
  void finished.then(() => (done = true));
  const reader = new TaskReader(folder);
  const counts: number[] = [];
  const failures: string[] = [];
  while (!done) {
    try {
      counts.push(reader.reload().trialCount);
    } catch (error) {
      // Before the first complete write there is nothing to read yet.
      if (counts.length > 0) failures.push(String(error));
    }
    await sleep(20);
  }
  await finished;
  const written = Number(/finished (\d+)/.exec(output)?.[1]);
  assert.deepEqual(failures, []);
  assert.ok(counts.length > 50, `read ${counts.length} times`);
  for (let i = 1; i < counts.length; i++)
    assert.ok(counts[i] >= counts[i - 1], `count went from ${counts[i - 1]} to ${counts[i]}`);
  assert.equal(reader.reload().trialCount, written);
});
