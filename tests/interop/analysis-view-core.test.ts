/**
 * The analysis view's core against numpy/scipy (.venv): the streaming group accumulator equals
 * numpy's mean / std(ddof=1) / sem per group, Welch's PSD equals scipy.signal.welch's defaults,
 * the epochs image's row order equals np.argsort(kind='stable').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GroupAccumulator,
  RunningMoments,
  epochsImage,
  epochsImageOrder,
  groupedTrialStats,
  welch
} from '../../src/core/analysis/index.js';
import { float64Array } from '../../src/core/analysis/axis.js';
import { CURRENT_PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';
import { assertCloseRelative, assertCloseToScale, emgLike, flat, writeRaw } from '../helpers/signals.js';

type Expected = Record<string, unknown>;

function withNumpy(shape: readonly number[], seed: number, code: string, run: (expected: Expected) => void): void {
  const { dir, cleanup } = makeTempDir();
  try {
    const x = emgLike(shape, seed);
    const prelude = `import json, sys, numpy as np, scipy.signal as sg
x = np.fromfile(sys.argv[1]).reshape(${JSON.stringify(shape)})
out = {}
`;
    run(
      runPythonJson<Expected>(
        prelude + code + '\nprint(json.dumps(out))',
        [writeRaw(dir, 'x', x)],
        undefined,
        CURRENT_PYTHON
      )
    );
  } finally {
    cleanup();
  }
}

const SHAPE = [40, 3, 300];
const GROUP_OF_TRIAL = Array.from({ length: SHAPE[0] }, (_, t) => ['rest', 'fist', 'open'][(t * 7) % 3]);

test('GroupAccumulator streams trials into numpy mean, std (ddof=1) and sem per group', () => {
  withNumpy(
    SHAPE,
    4242,
    `groups = np.array(${JSON.stringify(GROUP_OF_TRIAL)})
for g in ('rest', 'fist', 'open'):
    t = x[groups == g]
    out[g] = {'n': int(len(t)), 'mean': t.mean(axis=0).tolist(), 'std': t.std(axis=0, ddof=1).tolist(), 'sem': (t.std(axis=0, ddof=1) / np.sqrt(len(t))).tolist()}`,
    expected => {
      const x = emgLike(SHAPE, 4242);
      const accumulator = new GroupAccumulator<string>([SHAPE[1], SHAPE[2]]);
      const size = SHAPE[1] * SHAPE[2];
      // One trial at a time, as they stream in: nothing else of the data is kept.
      GROUP_OF_TRIAL.forEach((group, t) => accumulator.add(group, x.data.slice(t * size, (t + 1) * size)));
      assert.deepEqual(accumulator.keys, ['rest', 'fist', 'open']);
      for (const stats of accumulator.groups()) {
        const e = expected[stats.key] as Record<string, unknown>;
        assert.equal(stats.count, e.n);
        for (const name of ['mean', 'std', 'sem'] as const) {
          assert.deepEqual(stats[name].shape, [SHAPE[1], SHAPE[2]]);
          assertCloseRelative(stats[name].data, flat(e[name]), 1e-12, `${name} of ${stats.key}`);
        }
      }
    }
  );
});

test('merging cached groups (Chan) equals accumulating their trials together', () => {
  withNumpy(
    SHAPE,
    99,
    `out['mean'] = x.mean(axis=0).tolist(); out['std'] = x.std(axis=0, ddof=1).tolist()`,
    expected => {
      const x = emgLike(SHAPE, 99);
      const fine = new GroupAccumulator<string>([SHAPE[1], SHAPE[2]]);
      const size = SHAPE[1] * SHAPE[2];
      GROUP_OF_TRIAL.forEach((group, t) => fine.add(group, x.data, t * size));
      const coarse = new GroupAccumulator<string>([SHAPE[1], SHAPE[2]]);
      for (const key of fine.keys) coarse.merge('all', fine.momentsFor(key)!);
      const stats = coarse.stats('all');
      assert.equal(stats.count, SHAPE[0]);
      assertCloseRelative(stats.mean.data, flat(expected.mean), 1e-12, 'merged mean');
      assertCloseRelative(stats.std.data, flat(expected.std), 1e-12, 'merged std');
    }
  );
});

test('removing trials from running moments (Chan solved for the rest) equals numpy over the trials left', () => {
  const dropped = (t: number): boolean => t % 3 === 0 || t > 33;
  withNumpy(
    SHAPE,
    7,
    `keep = np.array([not (t % 3 == 0 or t > 33) for t in range(len(x))])
out['n'] = int(keep.sum()); out['mean'] = x[keep].mean(axis=0).tolist(); out['std'] = x[keep].std(axis=0, ddof=1).tolist()`,
    expected => {
      const x = emgLike(SHAPE, 7);
      const size = SHAPE[1] * SHAPE[2];
      const all = new RunningMoments(size);
      const gone = new RunningMoments(size);
      for (let t = 0; t < SHAPE[0]; t++) {
        all.add(x.data, t * size);
        if (dropped(t)) gone.add(x.data, t * size);
      }
      all.remove(gone);
      const stats = all.stats([SHAPE[1], SHAPE[2]]);
      assert.equal(stats.count, expected.n);
      assertCloseToScale(stats.mean.data, flat(expected.mean), 1e-12, 'mean after removal');
      assertCloseRelative(stats.std.data, flat(expected.std), 1e-10, 'std after removal');
      // Everything taken out leaves an empty group; more than was added is refused.
      all.remove(all.clone());
      assert.equal(all.count, 0);
      assert.throws(() => all.remove(gone), /cannot remove 18 trials from moments of 0/);
    }
  );
});

test('one trial has NaN std and sem (ddof=1), as numpy; an empty group is refused', () => {
  const oneTrial = float64Array([1, 3], Float64Array.of(1, 2, 3));
  const stats = groupedTrialStats(oneTrial, new Map([['only', [0]]]));
  assert.deepEqual(Array.from(stats[0].mean.data), [1, 2, 3]);
  assert.ok(Array.from(stats[0].std.data).every(Number.isNaN));
  assert.throws(() => groupedTrialStats(oneTrial, new Map([['none', []]])), /no trials in group none/);
  assert.throws(() => new GroupAccumulator([2, 3]).add('a', new Float64Array(5)), /5 values; expected 6/);
});

const WELCH_CASES: [string, number[], string, Parameters<typeof welch>[1]][] = [
  ['default 256 at 2 kHz', [3, 2000], 'fs=2000', { fs: 2000 }],
  ['shorter than 256: nperseg is the length (not a power of two)', [2, 150], 'fs=1000, nperseg=150', { fs: 1000 }],
  ['odd nperseg', [2, 700], 'fs=500, nperseg=99', { fs: 500, nperseg: 99 }],
  ['nperseg 128, noverlap 100', [4, 1000], 'nperseg=128, noverlap=100', { nperseg: 128, noverlap: 100 }],
  ['along axis 0', [600, 2], 'fs=2000, axis=0', { fs: 2000, axis: 0 }]
];

for (const [name, shape, pythonArgs, options] of WELCH_CASES) {
  test(`welch equals scipy.signal.welch defaults: ${name}`, () => {
    withNumpy(
      shape,
      7 + shape[0],
      `import warnings
warnings.simplefilter('ignore')
f, p = sg.welch(x, ${pythonArgs})
out['f'] = f.tolist(); out['p'] = p.tolist(); out['shape'] = list(p.shape)`,
      expected => {
        const x = emgLike(shape, 7 + shape[0]);
        const { frequencies, psd } = welch(x, options);
        assert.deepEqual(psd.shape, expected.shape);
        assertCloseRelative(frequencies, flat(expected.f), 1e-12, 'frequencies');
        assertCloseToScale(psd.data, flat(expected.p), 1e-9, 'psd');
        assertCloseRelative(psd.data, flat(expected.p), 1e-9, 'psd per bin');
      }
    );
  });
}

test('epochs image rows follow np.argsort(kind="stable") of the sort column, NaN last', () => {
  const sortBy = [3, 1, NaN, 1, -2, 3, Infinity, NaN, -Infinity, 0];
  const expected = runPythonJson<number[]>(
    `import json, numpy as np
print(json.dumps(np.argsort(np.array(${JSON.stringify(sortBy.map(String))}, dtype=float), kind='stable').tolist()))`,
    [],
    undefined,
    CURRENT_PYTHON
  );
  const order = epochsImageOrder(sortBy.length, sortBy);
  assert.deepEqual(order, expected);
  const shape: [number, number, number] = [sortBy.length, 2, 3];
  const data = Float64Array.from({ length: shape[0] * 6 }, (_, i) => i);
  const image = epochsImage(data, shape, 1, order);
  // Row r is channel 1 of trial order[r]: its samples start at (trial * 2 + 1) * 3.
  order.forEach((trial, row) =>
    assert.deepEqual(
      Array.from(image.subarray(row * 3, row * 3 + 3)),
      [0, 1, 2].map(s => (trial * 2 + 1) * 3 + s)
    )
  );
  assert.throws(() => epochsImage(data, shape, 2, order), /channel 2 out of range \(2 channels\)/);
});
