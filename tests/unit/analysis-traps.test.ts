/**
 * The traps a notebook user falls into: a read-only Storage creates nothing, a typo names what
 * exists, a trial past the end says "out of range"; and Epochs' selection bookkeeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-ignore TS1479 (arquero is an ES module)
import { table } from 'arquero';
import {
  ArrayNotFoundError,
  Design,
  Epochs,
  ReadOnlyStorageError,
  Storage,
  SubjectNotFoundError,
  TaskNotFoundError,
  TrialIndexError,
  bandPoints,
  features,
  openStorage
} from '../../src/kernel/index.js';

async function withTask(run: (root: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'axopy-traps-'));
  try {
    const root = join(dir, 'data');
    const storage = new Storage(root);
    storage.subjectId = 'p01';
    const writer = storage.createTask('gestures');
    const block = new Design().addBlock();
    for (let i = 0; i < 3; i++) {
      const trial = block.addTrial({ gesture: i === 1 ? 'fist' : 'rest' });
      trial
        .addArray('emg')
        .stack({ dtype: 'int16', shape: [2, 5], data: Int16Array.from({ length: 10 }, (_, k) => 100 * i + k) });
      await writer.write(trial);
    }
    await writer.close();
    await run(root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listing(root: string): string[] {
  const walk = (path: string): string[] =>
    readdirSync(path, { withFileTypes: true }).flatMap(e => [
      join(path, e.name),
      ...(e.isDirectory() ? walk(join(path, e.name)) : [])
    ]);
  return walk(root).sort();
}

test('a read-only storage creates nothing and names what exists', async () => {
  await withTask(async root => {
    const before = listing(root);
    const storage = openStorage(root);
    assert.throws(
      () => {
        storage.subjectId = 'p1';
      },
      (e: unknown) => e instanceof SubjectNotFoundError && /No subject "p1" in .*Subjects: "p01"\./.test(e.message)
    );
    storage.subjectId = 'p01';
    assert.throws(
      () => storage.requireTask('gesture'),
      (e: unknown) => e instanceof TaskNotFoundError && /Tasks of p01: "gestures"\./.test(e.message)
    );
    assert.throws(() => storage.createTask('new'), ReadOnlyStorageError);
    assert.throws(() => new Storage(join(root, 'dmeo'), { readOnly: true }), /No such storage root: .*dmeo/);
    assert.deepEqual(listing(root), before);
    assert.equal(existsSync(join(root, 'dmeo')), false);
  });
});

test('a missing array lists the arrays of the task', async () => {
  await withTask(async root => {
    const storage = openStorage(root);
    storage.subjectId = 'p01';
    const reader = storage.requireTask('gestures');
    await assert.rejects(
      reader.epochs('emgg'),
      (e: unknown) =>
        e instanceof ArrayNotFoundError &&
        /No such array file: .*emgg\.hdf5\. Arrays of this task: "emg"\./.test(e.message)
    );
    await assert.rejects(reader.array('force'), ArrayNotFoundError);
  });
});

test('a trial past the end or negative is "out of range", not a missing dataset', async () => {
  await withTask(async root => {
    const storage = openStorage(root);
    storage.subjectId = 'p01';
    const reader = storage.requireTask('gestures');
    for (const row of [3, -1, 1.5]) {
      await assert.rejects(
        reader.trialArray('emg', row),
        (e: unknown) => e instanceof TrialIndexError && e.message === `trial ${row} out of range (3 trials)`
      );
    }
    const epochs = await reader.epochs('emg');
    assert.throws(() => epochs.trial(3), /^TrialIndexError: trial 3 out of range \(3 trials\)$/);
    assert.throws(() => epochs.trial(-1), TrialIndexError);
  });
});

test('epochs are float64 (trials, channels, samples) whatever the stored dtype, rows kept', async () => {
  await withTask(async root => {
    const storage = openStorage(root);
    storage.subjectId = 'p01';
    const epochs = await storage.requireTask('gestures').epochs('emg');
    assert.equal(epochs.data.dtype, 'float64');
    assert.ok(epochs.data.data instanceof Float64Array);
    assert.deepEqual(epochs.data.shape, [3, 2, 5]);
    assert.deepEqual(Array.from(epochs.trial(2).data), [200, 201, 202, 203, 204, 205, 206, 207, 208, 209]);
    const rest = epochs.where(t => t.gesture === 'rest');
    assert.deepEqual(rest.rows, [0, 2]);
    assert.deepEqual(Array.from(rest.channel(1).trial(1).data), [205, 206, 207, 208, 209]);
    assert.deepEqual(Array.from(epochs.groupBy('gesture').get('fist')!.trial(0).data.subarray(0, 2)), [100, 101]);
  });
});

test('features: one row per trial and channel, trial columns repeated, a column per feature', () => {
  const data = Float64Array.from({ length: 2 * 2 * 4 }, (_, i) => [1, -1, 2, -2][i % 4] * (1 + Math.floor(i / 4)));
  const epochs = new Epochs({ dtype: 'float64', shape: [2, 2, 4], data }, table({ gesture: ['a', 'b'] }));
  const tidy = features(epochs, [
    'iemg',
    'zc',
    [
      'peak',
      x => ({
        dtype: 'float64',
        shape: [2, 2],
        data: Float64Array.of(...[0, 1, 2, 3].map(k => Math.max(...x.data.subarray(4 * k, 4 * k + 4))))
      })
    ]
  ]);
  assert.deepEqual(tidy.columnNames(), ['row', 'gesture', 'channel', 'iemg', 'zc', 'peak']);
  assert.deepEqual(tidy.array('row', Array), [0, 0, 1, 1]);
  assert.deepEqual(tidy.array('gesture', Array), ['a', 'a', 'b', 'b']);
  assert.deepEqual(tidy.array('channel', Array), [0, 1, 0, 1]);
  // |1|+|-1|+|2|+|-2| = 6 times the channel's scale 1..4; three sign changes each.
  assert.deepEqual(tidy.array('iemg', Array), [6, 12, 18, 24]);
  assert.deepEqual(tidy.array('zc', Array), [3, 3, 3, 3]);
  assert.deepEqual(tidy.array('peak', Array), [2, 4, 6, 8]);
  assert.throws(() => features(epochs, ['rmss' as 'rms']), /unknown feature "rmss"; known: mav, mav1/);
});

test('channel() keeps the recorded channel numbers through features and band plots', async () => {
  const data = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const epochs = new Epochs({ dtype: 'float64', shape: [2, 3, 4], data }, table({ gesture: ['a', 'b'] }));
  const picked = epochs.channel([2, 0]);
  assert.deepEqual(picked.channels, [2, 0]);
  assert.deepEqual(Array.from(picked.trial(1).data), [20, 21, 22, 23, 12, 13, 14, 15]);
  assert.deepEqual(features(picked, ['iemg']).array('channel', Array), [2, 0, 2, 0]);
  const points = bandPoints(picked, { maxPoints: 2 });
  assert.deepEqual([...new Set(points.map(p => p.channel))], ['channel 2', 'channel 0']);
});

test('band points: the mean of the trials and ± their standard error, averaged per bin', () => {
  // Two trials of one channel: 0 0 0 0 and 2 2 4 4 -> mean 1 1 2 2, sample std sqrt(2), 2*sqrt(2).
  const epochs = new Epochs(
    { dtype: 'float64', shape: [2, 1, 4], data: Float64Array.of(0, 0, 0, 0, 2, 2, 4, 4) },
    table({ g: ['x', 'x'] })
  );
  const points = bandPoints(epochs, { by: 'g', maxPoints: 2, sampleRate: 2 });
  assert.deepEqual(
    points.map(p => [p.group, p.x, p.mean]),
    [
      ['x', 0.25, 1],
      ['x', 1.25, 2]
    ]
  );
  assert.ok(Math.abs(points[0].high - (1 + 1)) < 1e-15 && Math.abs(points[1].low - (2 - 2)) < 1e-15);
  const sd = bandPoints(epochs, { spread: 'sd', maxPoints: 2 });
  assert.ok(Math.abs(sd[0].high - (1 + Math.SQRT2)) < 1e-15);
});

test('epochs: 1-D trials are one channel; trials of different shapes are refused naming the first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axopy-epochs-shapes-'));
  try {
    const storage = new Storage(join(dir, 'data'));
    storage.subjectId = 'p01';
    const writer = storage.createTask('shapes');
    const block = new Design().addBlock();
    for (const length of [4, 4, 5]) {
      const trial = block.addTrial({ length: length });
      trial.addArray('force').stack({ dtype: 'float32', shape: [length], data: new Float32Array(length).fill(length) });
      trial.addArray('emg').stack({ dtype: 'float64', shape: [6], data: new Float64Array(6).fill(length) });
      await writer.write(trial);
    }
    await writer.close();
    const reader = storage.requireTask('shapes');
    await assert.rejects(
      reader.epochs('force'),
      /force\.hdf5: dataset "\*" cannot be stacked: trial 2 has shape \(5\), trial 0 \(4\): epochs need one shape/
    );
    const oneChannel = await reader.epochs('emg');
    assert.deepEqual(oneChannel.data.shape, [3, 1, 6]);
    assert.deepEqual(Array.from(oneChannel.trial(2).data), [5, 5, 5, 5, 5, 5]);
    const two = new Epochs(
      { dtype: 'float32', shape: [2, 1, 4], data: new Float32Array(8).fill(4) },
      reader.trials.slice(0, 2)
    );
    assert.ok(two.data.data instanceof Float64Array);
    assert.deepEqual(two.rows, [0, 1]);
    assert.throws(() => two.where(reader.trials), /has no "row" column to match trials by/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('band points of a bare (trials, samples) array grouped by one label per trial', () => {
  const curves = { dtype: 'float64' as const, shape: [3, 2], data: Float64Array.of(1, 2, 3, 4, 10, 20) };
  const points = bandPoints(curves, { by: ['a', 'a', 'b'], spread: 'sd' });
  assert.deepEqual(
    points.map(p => [p.group, p.channel, p.x, p.mean]),
    [
      ['a', 'channel 0', 0, 2],
      ['a', 'channel 0', 1, 3],
      ['b', 'channel 0', 0, 10],
      ['b', 'channel 0', 1, 20]
    ]
  );
  // Sample std of (1, 3) is sqrt(2); a single trial has no spread (NaN, drawn as none).
  assert.ok(Math.abs(points[0].high - (2 + Math.SQRT2)) < 1e-15);
  assert.equal(points[2].high, 10);
  assert.throws(() => bandPoints(curves, { by: 'gesture' }), /give `by` as one label per trial/);
  assert.throws(() => bandPoints(curves, { by: ['a'] }), /1 labels for 3 trials/);
});
