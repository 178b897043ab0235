/**
 * Reductions, filters and envelopes against current numpy/scipy/pandas (the .venv: scipy 1.17,
 * numpy 2.4, pandas 3): Butterworth sections equal scipy.signal.butter's, filtered signals
 * within 1e-9 of the signal's scale, reductions within 1e-12 relative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  butter,
  decimate,
  filtfilt,
  max,
  mean,
  min,
  movingAverage,
  movingRms,
  sosfilt,
  std,
  sum,
  trialStats,
  variance
} from '../../src/core/analysis/index.js';
import type { ButterOptions } from '../../src/core/analysis/index.js';
import type { NDArray } from '../../src/core/ndarray.js';
import { CURRENT_PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';
import { assertCloseRelative, assertCloseToScale, emgLike, flat, writeRaw } from '../helpers/signals.js';

interface Result {
  shape: number[];
  values: unknown;
}

const SHAPE = [5, 3, 700];

function withPython(code: string, run: (expected: Record<string, Result>) => void): void {
  const { dir, cleanup } = makeTempDir();
  try {
    const x = emgLike(SHAPE, 1717);
    const prelude = `import json, sys, numpy as np, pandas as pd, scipy.signal as sg
x = np.fromfile(sys.argv[1]).reshape(${JSON.stringify(SHAPE)})
out = {}
def put(name, r):
    r = np.asarray(r)
    out[name] = {'shape': list(r.shape), 'values': r.tolist()}
`;
    run(
      runPythonJson<Record<string, Result>>(
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

function values(array: NDArray): number[] {
  return Array.from(array.data as ArrayLike<number>);
}

const DESIGNS: [string, number, number | number[], ButterOptions][] = [
  ['lp1', 1, 100, { sampleRate: 2000 }],
  ['lp4', 4, 20, { sampleRate: 2000 }],
  ['lp7', 7, 0.3, {}],
  ['hp2', 2, 10, { type: 'highpass', sampleRate: 2000 }],
  ['hp5', 5, 30, { type: 'highpass', sampleRate: 1000 }],
  ['bp2', 2, [20, 450], { type: 'bandpass', sampleRate: 2000 }],
  ['bp3', 3, [0.1, 0.6], { type: 'bandpass' }],
  ['bs2', 2, [45, 55], { type: 'bandstop', sampleRate: 2000 }],
  ['bs3', 3, [45, 55], { type: 'bandstop', sampleRate: 2000 }]
];

test('butter gives scipy.signal.butter(output="sos") sections, in scipy order', () => {
  const code = DESIGNS.map(
    ([name, order, cutoff, o]) =>
      `put('${name}', sg.butter(${order}, ${JSON.stringify(cutoff)}, btype='${o.type ?? 'lowpass'}'${o.sampleRate ? `, fs=${o.sampleRate}` : ''}, output='sos'))`
  ).join('\n');
  withPython(code, expected => {
    for (const [name, order, cutoff, options] of DESIGNS) {
      const sos = butter(order, cutoff, options);
      assert.deepEqual(sos.shape, expected[name].shape, name);
      assertCloseToScale(values(sos), flat(expected[name].values), 1e-13, name);
    }
  });
});

test('sosfilt, filtfilt and decimate equal scipy.signal within 1e-9 along any axis', () => {
  withPython(
    `sos = sg.butter(4, [20, 450], btype='bandpass', fs=2000, output='sos')
lp = sg.butter(3, 0.05, output='sos')
put('sosfilt', sg.sosfilt(sos, x))
put('sosfilt axis0', sg.sosfilt(lp, x, axis=0))
put('filtfilt', sg.sosfiltfilt(sos, x))
put('filtfilt lp', sg.sosfiltfilt(lp, x))
put('filtfilt axis1', sg.sosfiltfilt(lp, np.ascontiguousarray(x[:, :, :40]).transpose(0, 2, 1).copy(), axis=1))
put('filtfilt padlen', sg.sosfiltfilt(sos, x, padlen=100))
put('decimate 4', sg.decimate(x, 4))
put('decimate 3 n4', sg.decimate(x, 3, n=4))`,
    expected => {
      const x = emgLike(SHAPE, 1717);
      const sos = butter(4, [20, 450], { type: 'bandpass', sampleRate: 2000 });
      const lp = butter(3, 0.05);
      const check = (name: string, actual: NDArray): void => {
        assert.deepEqual(actual.shape, expected[name].shape, name);
        assertCloseToScale(values(actual), flat(expected[name].values), 1e-9, name);
      };
      check('sosfilt', sosfilt(sos, x));
      check('sosfilt axis0', sosfilt(lp, x, { axis: 0 }));
      check('filtfilt', filtfilt(sos, x));
      check('filtfilt lp', filtfilt(lp, x));
      const [T, C] = [SHAPE[0], SHAPE[1]];
      const transposed = new Float64Array(T * 40 * C);
      for (let t = 0; t < T; t++)
        for (let c = 0; c < C; c++)
          for (let s = 0; s < 40; s++) transposed[(t * 40 + s) * C + c] = x.data[(t * C + c) * SHAPE[2] + s];
      check('filtfilt axis1', filtfilt(lp, { dtype: 'float64', shape: [T, 40, C], data: transposed }, { axis: 1 }));
      check('filtfilt padlen', filtfilt(sos, x, { padlen: 100 }));
      check('decimate 4', decimate(x, 4));
      check('decimate 3 n4', decimate(x, 3, { order: 4 }));
    }
  );
});

test('filtfilt refuses a signal not longer than its padding, as scipy does', () => {
  const sos = butter(4, 0.2);
  // scipy: "The length of the input vector x must be greater than padlen, which is 15."
  assert.throws(() => filtfilt(sos, new Float64Array(15)), /15 samples; it must be longer than padlen, which is 15/);
  assert.equal(filtfilt(sos, new Float64Array(16)).shape[0], 16);
});

test('reductions equal numpy along every axis and over the whole array', () => {
  withPython(
    `for axis in (None, 0, 1, 2, -1):
    for keep in (False, True):
        k = f'{axis}/{keep}'
        put('sum ' + k, np.sum(x, axis=axis, keepdims=keep))
        put('mean ' + k, np.mean(x, axis=axis, keepdims=keep))
        put('var ' + k, np.var(x, axis=axis, keepdims=keep))
        put('std1 ' + k, np.std(x, axis=axis, ddof=1, keepdims=keep))
        put('min ' + k, np.min(x, axis=axis, keepdims=keep))
        put('max ' + k, np.max(x, axis=axis, keepdims=keep))`,
    expected => {
      const x = emgLike(SHAPE, 1717);
      for (const axis of [undefined, 0, 1, 2, -1]) {
        for (const keepdims of [false, true]) {
          const k = `${axis === undefined ? 'None' : axis}/${keepdims ? 'True' : 'False'}`;
          const o = { axis, keepdims };
          for (const [name, actual, exact] of [
            ['sum', sum(x, o), false],
            ['mean', mean(x, o), false],
            ['var', variance(x, o), false],
            ['std1', std(x, { ...o, ddof: 1 }), false],
            ['min', min(x, o), true],
            ['max', max(x, o), true]
          ] as const) {
            const want = expected[`${name} ${k}`];
            assert.deepEqual(actual.shape, want.shape, `${name} ${k}: shape`);
            if (exact) assert.deepEqual(values(actual), flat(want.values), `${name} ${k}`);
            else assertCloseToScale(values(actual), flat(want.values), 1e-12, `${name} ${k}`);
          }
        }
      }
    }
  );
});

test('movingAverage and movingRms equal numpy convolve "valid" windows', () => {
  withPython(
    `for w in (1, 7, 50):
    put(f'avg {w}', np.apply_along_axis(lambda s: np.convolve(s, np.ones(w) / w, 'valid'), -1, x))
    put(f'rms {w}', np.sqrt(np.apply_along_axis(lambda s: np.convolve(s ** 2, np.ones(w) / w, 'valid'), -1, x)))`,
    expected => {
      const x = emgLike(SHAPE, 1717);
      for (const w of [1, 7, 50]) {
        const avg = movingAverage(x, w);
        assert.deepEqual(avg.shape, expected[`avg ${w}`].shape);
        assertCloseToScale(values(avg), flat(expected[`avg ${w}`].values), 1e-9, `avg ${w}`);
        assertCloseRelative(values(movingRms(x, w)), flat(expected[`rms ${w}`].values), 1e-9, `rms ${w}`);
      }
    }
  );
});

test('trialStats gives pandas groupby mean, std and sem per sample', () => {
  withPython(
    `flat = pd.DataFrame(x.reshape(x.shape[0], -1))
groups = np.array([0, 1, 0, 0, 1])
g = flat.groupby(groups)
for name in ('mean', 'std', 'sem'):
    put(name, getattr(g, name)().to_numpy())`,
    expected => {
      const x = emgLike(SHAPE, 1717);
      for (const [group, indices] of [
        [0, [0, 2, 3]],
        [1, [1, 4]]
      ] as const) {
        const stats = trialStats(x, indices);
        assert.equal(stats.count, indices.length);
        for (const name of ['mean', 'std', 'sem'] as const) {
          const row = (expected[name].values as number[][])[group];
          assert.deepEqual(stats[name].shape, [SHAPE[1], SHAPE[2]]);
          assertCloseRelative(values(stats[name]).map(Math.abs), row.map(Math.abs), 1e-9, `${name} group ${group}`);
        }
      }
    }
  );
});
