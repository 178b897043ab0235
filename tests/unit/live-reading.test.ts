import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError } from '../../src/core/errors.js';
import { LineLengthGuard } from '../../src/core/csv/line-guard.js';
import { parseTrialsCsv } from '../../src/core/csv/index.js';
import { isSuspectReading, readLiveSync, settleLiveReading } from '../../src/core/live-reading.js';
import { TaskFileCounts } from '../../src/lab/sidebar/file-counts.js';
import type { IFolderEntry, IStorageProvider } from '../../src/lab/provider/types.js';

test('a failed reading, or one with fewer rows than the last good one, is suspect', () => {
  assert.equal(isSuspectReading({ error: new Error('x') }, undefined), true);
  assert.equal(isSuspectReading({ value: 'a', rowCount: 2 }, 3), true);
  assert.equal(isSuspectReading({ value: 'a', rowCount: 3 }, 3), false);
  assert.equal(isSuspectReading({ value: 'a', rowCount: 0 }, undefined), false);
});

test('a suspect reading keeps the last good one ("being rewritten"), or fails without one', () => {
  const lastGood = { value: 'five rows', rowCount: 5 };
  assert.deepEqual(settleLiveReading({ value: 'two rows', rowCount: 2 }, lastGood), {
    status: 'being rewritten',
    value: 'five rows',
    rowCount: 5,
    cause: '2 rows after 5'
  });
  const error = new Error('is empty');
  assert.deepEqual(settleLiveReading({ error }, undefined), { status: 'failed', error });
  assert.deepEqual(settleLiveReading({ value: 'six', rowCount: 6 }, lastGood), {
    status: 'current',
    value: 'six',
    rowCount: 6
  });
});

test('readLiveSync retries a suspect reading and stops at the first trusted one', () => {
  const readings = [
    { value: 'empty', rowCount: 0 },
    { value: 'half', rowCount: 2 },
    { value: 'whole', rowCount: 6 }
  ];
  const pauses: number[] = [];
  const outcome = readLiveSync(
    () => readings.shift()!,
    { value: 'before', rowCount: 5 },
    ms => pauses.push(ms)
  );
  assert.deepEqual(outcome, { status: 'current', value: 'whole', rowCount: 6 });
  assert.equal(pauses.length, 2);
  assert.equal(readings.length, 0);
});

test('the line guard fails on the chunk that passes the limit, naming the file and line', () => {
  const guard = new LineLengthGuard('t.csv', 10);
  guard.feed(Buffer.from('a,b\n12345'));
  guard.feed(Buffer.from('678'));
  assert.throws(
    () => guard.feed(Buffer.from('90X\n')),
    (error: unknown) => error instanceof FormatError && /^t\.csv: line 2 is longer than 10 bytes/.test(error.message)
  );
  const fine = new LineLengthGuard('t.csv', 10);
  fine.feed(Buffer.from('0123456789\n0123456789'));
  // Text (as the browser reads it) is held to the same bound.
  assert.throws(
    () => parseTrialsCsv('a\n' + 'x'.repeat(11) + '\n', 'web.csv', { maxLineBytes: 10 }),
    /web\.csv: line 2 is longer than 10 bytes/
  );
  assert.equal(parseTrialsCsv('a\n' + '1'.repeat(10) + '\n', 'web.csv', { maxLineBytes: 10 }).rowCount, 1);
});

/** A provider whose trials.csv text is taken from a script of successive file contents. */
function scriptedProvider(texts: string[]): IStorageProvider {
  return {
    listFolder: async () => [],
    readText: async () => texts.shift() ?? ''
  } as unknown as IStorageProvider;
}

test('the sidebar row count never goes backwards while AxoPy rewrites trials.csv', async () => {
  const texts = ['b,t\n0,0\n0,1\n0,2\n', '', 'b,t\n0,0\n', 'b,t\n0,0\n0,1\n0,2\n0,3\n'];
  const counts = new TaskFileCounts(scriptedProvider(texts), () => undefined);
  const seen: (number | undefined)[] = [];
  for (let poll = 0; poll < 4; poll++) {
    // The listing's stamp changes with each rewrite, as the server reports it.
    const entry: IFolderEntry = {
      name: 'trials.csv',
      path: 'r/s/t/trials.csv',
      isFolder: false,
      lastModified: `m${poll}`,
      size: poll
    };
    await counts.countRows([entry]);
    seen.push(counts.rowCounts().get('r/s/t/trials.csv'));
  }
  assert.deepEqual(seen, [3, 3, 3, 4]);
});

test('a suspect count is read again at the next poll even when the listing did not change', async () => {
  const texts = ['b,t\n0,0\n0,1\n', '', 'b,t\n0,0\n0,1\n0,2\n'];
  const counts = new TaskFileCounts(scriptedProvider(texts), () => undefined);
  const first: IFolderEntry = {
    name: 'trials.csv',
    path: 'p/trials.csv',
    isFolder: false,
    lastModified: 'm0',
    size: 1
  };
  const second: IFolderEntry = { ...first, lastModified: 'm1' };
  await counts.countRows([first]);
  await counts.countRows([second]); // empty: kept at 2
  await counts.countRows([second]); // same stamp, read again
  assert.equal(counts.rowCounts().get('p/trials.csv'), 3);
});

test('a trials.csv over rowCountMaxBytes is not fetched for its count', async () => {
  const reads: string[] = [];
  const provider = {
    listFolder: async () => [],
    readText: async (path: string) => (reads.push(path), 'b\n0\n')
  } as unknown as IStorageProvider;
  const counts = new TaskFileCounts(provider, () => undefined);
  counts.rowCountMaxBytes = 1000;
  await counts.countRows([
    { name: 'trials.csv', path: 'big/trials.csv', isFolder: false, lastModified: 'm', size: 2 ** 30 }
  ]);
  assert.deepEqual(reads, []);
  assert.equal(counts.rowCounts().has('big/trials.csv'), false);
});
