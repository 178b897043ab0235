import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrialsCsv } from '../../src/core/csv/index.js';
import { dumpPickle, loadPickle, pyTuple } from '../../src/core/pickle/index.js';
import { channelStats, plotLayout, sliceOffset, toNumbers } from '../../src/lab/previews/decimate.js';
import { decimateMinMax } from '../../src/core/decimation.js';
import { pickleItem } from '../../src/lab/previews/pickle-tree.js';
import { TrialsView, cellText } from '../../src/lab/previews/trials-view.js';
import { LruBlockCache } from '../../src/lab/hdf5/lru-blocks.js';

test('plot layout: 1-D one line, 2-D channels x samples, N-D slices of the last two axes', () => {
  assert.deepEqual(plotLayout([500]), { channels: 1, samples: 500, sliceAxes: [] });
  assert.deepEqual(plotLayout([8, 1000]), { channels: 8, samples: 1000, sliceAxes: [] });
  const nd = plotLayout([2, 3, 4, 50]);
  assert.deepEqual(nd, { channels: 4, samples: 50, sliceAxes: [2, 3] });
  // Slice [1, 2] starts after 1*3 + 2 = 5 slices of 4 x 50 elements.
  assert.equal(sliceOffset(nd, [1, 2]), 5 * 4 * 50);
  assert.equal(sliceOffset(nd, [9, -1]), 3 * 4 * 50, 'indices are clamped to the axis');
});

test('channel statistics skip NaN', () => {
  const data = Float64Array.from([1, NaN, 3, 10, 20, 30]);
  assert.deepEqual(channelStats(data, 0, 3), { min: 1, max: 3, mean: 2 });
  assert.deepEqual(channelStats(data, 3, 3), { min: 10, max: 30, mean: 20 });
  assert.ok(Number.isNaN(channelStats(Float64Array.from([NaN]), 0, 1).mean));
});

test('min/max decimation keeps every peak and stays within 2 points per bucket', () => {
  const samples = 1_000_000;
  const data = new Float64Array(2 * samples);
  for (let i = 0; i < samples; i++) data[samples + i] = Math.sin(i / 1000);
  data[samples + 123_457] = 50; // a one-sample spike on channel 1
  data[samples + 876_543] = -50;
  const line = decimateMinMax(data, samples, 0, samples, 1000);
  assert.equal(line.x.length, 2000);
  assert.equal(Math.max(...line.y), 50);
  assert.equal(Math.min(...line.y), -50);
  assert.ok(line.x.includes(123_457) && line.x.includes(876_543));
  for (let i = 1; i < line.x.length; i++) assert.ok(line.x[i] >= line.x[i - 1], 'x increases');
  // A zoomed range with few samples comes back raw.
  const zoomed = decimateMinMax(data, samples, 123_450, 123_460, 1000);
  assert.deepEqual(
    [...zoomed.x],
    [...Array(10).keys()].map(i => 123_450 + i)
  );
  assert.equal(zoomed.y[7], 50);
});

test('int64 elements become numbers for plotting', () => {
  assert.deepEqual(Array.from(toNumbers(BigInt64Array.from([-5n, 2n ** 40n]))), [-5, 2 ** 40]);
  const ints = Int16Array.from([1, -2]);
  assert.equal(toNumbers(ints), ints);
});

const CSV =
  'label,gain,ok,block,trial\nrest,0.5,True,0,0\n"fist, tight",2.25,False,0,1\nopen,,True,0,2\nrest,1e-05,False,1,0\n';

test('the trials view shows cells as pandas prints them', () => {
  const view = new TrialsView(parseTrialsCsv(CSV, 'trials.csv'));
  assert.deepEqual(view.columns, ['label', 'gain', 'ok', 'block', 'trial']);
  assert.equal(view.text(1, 'label'), 'fist, tight');
  assert.equal(view.text(2, 'gain'), 'NaN');
  assert.equal(view.text(3, 'gain'), '1e-05');
  assert.equal(view.text(1, 'ok'), 'False');
  assert.equal(cellText(null, 'object'), '');
  assert.equal(cellText(12345678901234567890n, 'uint64'), '12345678901234567890');
});

test('sorting is stable, missing values last; the filter matches any cell', () => {
  const view = new TrialsView(parseTrialsCsv(CSV, 'trials.csv'));
  view.setSort({ column: 'gain', descending: false });
  assert.deepEqual(view.rows, [3, 0, 1, 2]);
  view.setSort({ column: 'gain', descending: true });
  assert.deepEqual(view.rows, [1, 0, 3, 2], 'NaN stays last when descending');
  view.setSort({ column: 'label', descending: false });
  assert.deepEqual(view.rows, [1, 2, 0, 3], 'equal labels keep file order');
  view.setFilter('REST');
  assert.deepEqual(view.rows, [0, 3]);
  assert.equal(view.viewRowOf(3), 1);
  assert.equal(view.viewRowOf(1), -1);
});

test('new contents keep the sort and the filter', () => {
  const view = new TrialsView(parseTrialsCsv(CSV, 'trials.csv'));
  view.setSort({ column: 'gain', descending: true });
  view.setFilter('rest');
  const grown = view.withContents(parseTrialsCsv(CSV + 'rest,9.5,True,1,1\n', 'trials.csv'));
  assert.deepEqual(grown.rows, [4, 0, 3]);
  const renamed = view.withContents(parseTrialsCsv('x,block,trial\nrest,0,0\n', 'trials.csv'));
  assert.equal(renamed.sort, undefined, 'a sort on a column that is gone is dropped');
});

test('a pickle becomes a tree of readable items', () => {
  const value = loadPickle(
    dumpPickle({
      gain: [1, 2.5],
      name: 'cal',
      pair: pyTuple(1, null),
      m: new Map<unknown, unknown>([[1, true]])
    } as never),
    'cal.pkl'
  );
  const tree = pickleItem('cal', value);
  assert.equal(tree.summary, 'dict (4)');
  const byKey = new Map(tree.children.map(child => [child.key, child]));
  assert.equal(byKey.get('gain')!.summary, 'list (2)');
  assert.deepEqual(
    byKey.get('gain')!.children.map(c => c.summary),
    ['1', '2.5']
  );
  assert.equal(byKey.get('name')!.summary, '"cal"');
  assert.equal(byKey.get('pair')!.summary, 'tuple (2)');
  assert.deepEqual(
    byKey.get('pair')!.children.map(c => c.summary),
    ['1', 'None']
  );
  assert.deepEqual(
    byKey.get('m')!.children.map(c => [c.key, c.summary]),
    [['1', 'True']]
  );
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const cycle = pickleItem('x', cyclic as never);
  assert.equal(cycle.summary, 'list (1) &1');
  assert.equal(cycle.children[0].summary, 'list (1) (same object as &1: contains itself)');
  assert.equal(cycle.children[0].expandable, false);
});

/** A cache of 1000-byte blocks (8 kept) over `source`, recording each range it fetches in `ranges`. */
function recordingCache(source: Uint8Array, ranges: Array<[number, number]>): LruBlockCache {
  return new LruBlockCache({
    length: source.length,
    blockSize: 1000,
    maxBlocks: 8,
    fetchRange: (start, end) => {
      ranges.push([start, end]);
      return source.slice(start, end);
    }
  });
}

test('the block cache fetches each block once and whole runs in one range', () => {
  const source = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
  const ranges: Array<[number, number]> = [];
  const cache = recordingCache(source, ranges);
  const out = new Uint8Array(2500);
  assert.equal(cache.read(out, 0, 2500, 1500), 2500);
  assert.deepEqual(out, source.slice(1500, 4000));
  assert.deepEqual(ranges, [[1000, 4000]], 'blocks 1-3 in one request');
  cache.read(out, 0, 10, 2990);
  assert.equal(ranges.length, 1, 'a cached block is not fetched again');
  assert.deepEqual(out.subarray(0, 10), source.slice(2990, 3000));
  // Past the end: short read, then nothing.
  assert.equal(cache.read(out, 0, 500, 9800), 200);
  assert.deepEqual(out.subarray(0, 200), source.slice(9800));
  assert.equal(cache.read(out, 0, 10, 10_000), 0);
  assert.equal(cache.bytesFetched, 3000 + 1000);
});

test('the block cache reads ahead after a large read only, within half the cache and the file', () => {
  const source = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
  const ranges: Array<[number, number]> = [];
  const cache = recordingCache(source, ranges);
  cache.readAhead = 2000;
  const out = new Uint8Array(1500);
  cache.read(out, 0, 10, 100);
  assert.deepEqual(ranges, [[0, 1000]], 'a small (metadata) read does not read ahead');
  cache.read(out, 0, 1500, 1200);
  assert.deepEqual(ranges[1], [1000, 5000], 'blocks 1-2 read, and 2000 bytes after them in the same request');
  assert.deepEqual(out, source.slice(1200, 2700));
  cache.read(out, 0, 1500, 3000);
  assert.equal(ranges.length, 2, 'the next dataset came with the previous one');
  cache.read(out, 0, 1500, 8000);
  assert.deepEqual(ranges[2], [8000, 10_000], 'not past the end of the file');
  cache.readAhead = 0;
  cache.read(out, 0, 1500, 5000);
  assert.deepEqual(ranges[3], [5000, 7000], 'off again: only the blocks read');
});

test('the block cache drops the least recently used blocks', () => {
  const source = new Uint8Array(10_000).fill(7);
  let fetched = 0;
  const cache = new LruBlockCache({
    length: source.length,
    blockSize: 1000,
    maxBlocks: 2,
    fetchRange: (start, end) => {
      fetched += end - start;
      return source.slice(start, end);
    }
  });
  const out = new Uint8Array(1);
  for (const at of [0, 1000, 0, 2000, 0, 1000]) cache.read(out, 0, 1, at);
  // 0, 1000 fetched; 0 hit; 2000 evicts 1000; 0 hit; 1000 fetched again.
  assert.equal(fetched, 4000);
  assert.throws(
    () =>
      new LruBlockCache({ length: 10, blockSize: 4, maxBlocks: 1, fetchRange: () => new Uint8Array(1) }).read(
        out,
        0,
        1,
        0
      ),
    /expected bytes 0-3/
  );
});

test('the block cache keeps a primed head: whole blocks, and a partial last block only at the end', () => {
  const source = Uint8Array.from({ length: 3500 }, (_, i) => i % 251);
  const ranges: Array<[number, number]> = [];
  const cache = recordingCache(source, ranges);
  cache.prime(source.slice(0, 2500));
  assert.equal(cache.bytesFetched, 2500);
  assert.equal(cache.fetches, 1);
  const out = new Uint8Array(1500);
  cache.read(out, 0, 1500, 500);
  assert.deepEqual(out, source.slice(500, 2000));
  assert.deepEqual(ranges, [], 'blocks 0 and 1 came with the head');
  cache.read(out, 0, 10, 2400);
  assert.deepEqual(out.subarray(0, 10), source.slice(2400, 2410));
  assert.deepEqual(ranges, [[2000, 3000]], 'the partial block 2 was not kept');
  // A head holding the whole source keeps its short last block too.
  ranges.length = 0;
  const whole = recordingCache(source, ranges);
  whole.prime(source.slice());
  assert.equal(whole.read(out, 0, 600, 3000), 500);
  assert.deepEqual(out.subarray(0, 500), source.slice(3000));
  assert.deepEqual(ranges, []);
});
