/**
 * AxoPy's features (the real `axopy.features` from PyPI, numpy 1.24) against this project's:
 * counts exactly, floats within 1e-12 relative, on generated EMG-like data along every axis,
 * with keepdims, MAV weights and thresholds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  integratedEmg,
  logvar,
  meanAbsoluteValue,
  rootMeanSquare,
  slopeSignChanges,
  waveformLength,
  zeroCrossings
} from '../../src/core/analysis/index.js';
import type { NDArray } from '../../src/core/ndarray.js';
import { PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';
import { assertCloseRelative, emgLike, flat, writeRaw } from '../helpers/signals.js';

interface Expected {
  shape: number[];
  values: unknown;
}

const SHAPE = [7, 3, 257];

const AXOPY_CASES = `
import json, sys, numpy as np
from axopy.features import time as f
x = np.fromfile(sys.argv[1]).reshape(${JSON.stringify(SHAPE)})
w = np.linspace(0.1, 2.0, x.shape[-1])
out = {}
def put(name, r):
    r = np.asarray(r)
    out[name] = {'shape': list(r.shape), 'values': r.tolist()}
for axis in (-1, 0, 1):
    for keep in (False, True):
        k = f'{axis}/{keep}'
        put('mav ' + k, f.mean_absolute_value(x, axis=axis, keepdims=keep))
        put('wl ' + k, f.waveform_length(x, axis=axis, keepdims=keep))
        put('zc ' + k, f.zero_crossings(x, axis=axis, keepdims=keep))
        put('ssc ' + k, f.slope_sign_changes(x, axis=axis, keepdims=keep))
        put('rms ' + k, f.root_mean_square(x, axis=axis, keepdims=keep))
        put('iemg ' + k, f.integrated_emg(x, axis=axis, keepdims=keep))
        put('logvar ' + k, f.logvar(x, axis=axis, keepdims=keep))
for n in (4, 5, 6, 7, 8, 9, 257):
    put(f'mav1 {n}', f.mean_absolute_value(x[..., :n], weights='mav1'))
    put(f'mav2 {n}', f.mean_absolute_value(x[..., :n], weights='mav2'))
put('mav custom', f.mean_absolute_value(x, weights=w))
for t in (0.5e-4, 1e-4):
    put(f'zc {t}', f.zero_crossings(x, threshold=t))
    put(f'ssc {t}', f.slope_sign_changes(x, threshold=t))
print(json.dumps(out))
`;

function lastAxisPrefix(x: NDArray<'float64'>, n: number): NDArray<'float64'> {
  const [outer, samples] = [x.data.length / x.shape[2], x.shape[2]];
  const data = new Float64Array(outer * n);
  for (let o = 0; o < outer; o++) data.set(x.data.subarray(o * samples, o * samples + n), o * n);
  return { dtype: 'float64', shape: [x.shape[0], x.shape[1], n], data };
}

test('AxoPy features: ours equal the real axopy package (counts exactly, floats to 1e-12)', () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const x = emgLike(SHAPE, 16);
    const expected = runPythonJson<Record<string, Expected>>(AXOPY_CASES, [writeRaw(dir, 'x', x)], undefined, PYTHON);
    const check = (name: string, actual: NDArray, exact: boolean): void => {
      const want = expected[name];
      assert.ok(want, `python gave no "${name}"`);
      assert.deepEqual(actual.shape, want.shape, `${name}: shape`);
      const values = Array.from(actual.data as ArrayLike<number>);
      if (exact) assert.deepEqual(values, flat(want.values), name);
      else assertCloseRelative(values, flat(want.values), 1e-12, name);
    };
    for (const axis of [-1, 0, 1]) {
      for (const keepdims of [false, true]) {
        const k = `${axis}/${keepdims ? 'True' : 'False'}`;
        const options = { axis, keepdims };
        check(`mav ${k}`, meanAbsoluteValue(x, options), false);
        check(`wl ${k}`, waveformLength(x, options), false);
        check(`zc ${k}`, zeroCrossings(x, options), true);
        check(`ssc ${k}`, slopeSignChanges(x, options), true);
        check(`rms ${k}`, rootMeanSquare(x, options), false);
        check(`iemg ${k}`, integratedEmg(x, options), false);
        check(`logvar ${k}`, logvar(x, options), false);
      }
    }
    for (const n of [4, 5, 6, 7, 8, 9, 257]) {
      check(`mav1 ${n}`, meanAbsoluteValue(lastAxisPrefix(x, n), { weights: 'mav1' }), false);
      check(`mav2 ${n}`, meanAbsoluteValue(lastAxisPrefix(x, n), { weights: 'mav2' }), false);
    }
    const w = Array.from({ length: SHAPE[2] }, (_, i) => 0.1 + (1.9 * i) / (SHAPE[2] - 1));
    check('mav custom', meanAbsoluteValue(x, { weights: w }), false);
    for (const [threshold, name] of [
      [0.5e-4, '5e-05'],
      [1e-4, '0.0001']
    ] as const) {
      check(`zc ${name}`, zeroCrossings(x, { threshold }), true);
      check(`ssc ${name}`, slopeSignChanges(x, { threshold }), true);
    }
  } finally {
    cleanup();
  }
});

test('AxoPy features: a wrong MAV weight is refused as AxoPy refuses it', () => {
  const x = emgLike([2, 16], 3);
  assert.throws(() => meanAbsoluteValue(x, { weights: 'mav3' as 'mav' }), /not recognized/);
  assert.throws(() => meanAbsoluteValue(x, { weights: [1, 2, 3] }), /3 custom weights for signals of 16 samples/);
});

test('AxoPy features: zero crossings and slope sign changes count ±0, NaN, ±inf and ties as AxoPy does', () => {
  // The counts read sign bits without a branch per sample: the values where a comparison and
  // the sign bit disagree (-0.0, NaN, infinities, equal neighbours) are where that could go wrong.
  const row = [0, -0, 0, 1, -0, -1, -1, 0, NaN, 2, -2, Infinity, -Infinity, 3, 3, -0, 0, 5e-5, -5e-5, 1, -1];
  const x = {
    dtype: 'float64' as const,
    shape: [2, row.length],
    data: Float64Array.from([...row, ...row.map(v => -v).reverse()])
  };
  const { dir, cleanup } = makeTempDir();
  try {
    const expected = runPythonJson<Record<string, number[]>>(
      `
import json, sys, numpy as np
from axopy.features import time as f
x = np.fromfile(sys.argv[1]).reshape(${JSON.stringify(x.shape)})
out = {}
with np.errstate(invalid='ignore'):
    for t in (0, 1e-4, 2, -1):
        out[f'zc {t}'] = f.zero_crossings(x, threshold=t).tolist()
        out[f'ssc {t}'] = f.slope_sign_changes(x, threshold=t).tolist()
print(json.dumps(out))
`,
      [writeRaw(dir, 'x', x)],
      undefined,
      PYTHON
    );
    for (const threshold of [0, 1e-4, 2, -1]) {
      const name = String(threshold === 1e-4 ? '0.0001' : threshold);
      assert.deepEqual(Array.from(zeroCrossings(x, { threshold }).data), expected[`zc ${name}`], `zc ${name}`);
      assert.deepEqual(Array.from(slopeSignChanges(x, { threshold }).data), expected[`ssc ${name}`], `ssc ${name}`);
    }
  } finally {
    cleanup();
  }
});
