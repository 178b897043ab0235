/**
 * The overlay of every kept trial against numpy: the per-column spans the worker's reduction
 * gives equal numpy's min/max per column (with the joining sample, non-finite samples left
 * out); the byte levels kept after the scale widened several times equal numpy's quantizing
 * of the spans at the final scale; the raster's counts equal a brute-force count; picking
 * returns the trial numpy finds at the pointer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_FILTER } from '../../src/lab/analysis/display-filter.js';
import { reduceTrialChunk } from '../../src/lab/analysis/trial-reduction.js';
import {
  OVERLAY_LEVELS,
  OverlaySpans,
  TRACE_ALPHA,
  compositeRaster,
  fitScale,
  widenScale
} from '../../src/lab/analysis/overlay-raster.js';
import { CURRENT_PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';

const [TRIALS, CHANNELS, SAMPLES, CHUNK] = [40, 2, 300, 10];

/** Trials whose amplitude and offset change per chunk (the scale must widen down and up), with NaN and inf. */
const WRITE_TRIALS = `
import sys, json, numpy as np
rng = np.random.default_rng(5)
amplitude = [1.0, 3.0, 0.5, 20.0]
offset = [0.0, -4.0, 2.0, 30.0]
x = np.stack([offset[i // ${CHUNK}] + amplitude[i // ${CHUNK}] * rng.standard_normal((${CHANNELS}, ${SAMPLES})) for i in range(${TRIALS})])
x[3, 0, 10:40] = np.nan
x[5, 1, 100] = np.inf
x[6, 0, 200] = -np.inf
x.tofile(sys.argv[1] + '/trials.f64')
def spans(columns):
    out = np.full((${TRIALS}, ${CHANNELS}, columns, 2), np.nan, dtype=np.float32)
    for k in range(columns):
        lo = k * ${SAMPLES} // columns
        last = min((k + 1) * ${SAMPLES} // columns, ${SAMPLES} - 1)
        part = x[:, :, lo:last + 1]
        finite = np.isfinite(part)
        with np.errstate(invalid='ignore'):
            mn = np.where(finite, part, np.inf).min(axis=-1)
            mx = np.where(finite, part, -np.inf).max(axis=-1)
        has = finite.any(axis=-1)
        out[:, :, k, 0] = np.where(has, mn, np.nan)
        out[:, :, k, 1] = np.where(has, mx, np.nan)
    return out
for columns in (64, 300):
    spans(columns).tofile(sys.argv[1] + '/spans%d.f32' % columns)
print(json.dumps(True))
`;

/** numpy's levels at the final scales, brute-force raster counts and picks (argv: folder, scales, drawn rows, probes). */
const QUANTIZE_COUNT_PICK = `
import sys, json, numpy as np
spans = np.fromfile(sys.argv[1] + '/spans64.f32', dtype=np.float32).reshape(${TRIALS}, ${CHANNELS}, 64, 2).astype(np.float64)
scales = json.loads(sys.argv[2]); drawn = json.loads(sys.argv[3]); probes = json.loads(sys.argv[4])
levels = np.zeros(spans.shape, dtype=np.int64)
for c, (base, step) in enumerate(scales):
    with np.errstate(invalid='ignore'):
        levels[:, c] = np.where(np.isnan(spans[:, c]), -1, np.floor((np.nan_to_num(spans[:, c]) - base) / step))
empty = np.isnan(spans).any(axis=-1)
out = {'levels': np.where(empty[..., None], -1, levels).ravel().tolist(), 'rasters': [], 'picks': []}
for c in range(${CHANNELS}):
    lv = levels[drawn, c]; em = empty[drawn, c]
    low = int(lv[..., 0][~em].min()); high = int(lv[..., 1][~em].max())
    counts = np.zeros((3, high - low + 1, 64), dtype=np.int64)
    for t, row in enumerate(drawn):
        for k in range(64):
            if em[t, k]: continue
            for level in range(lv[t, k, 0], lv[t, k, 1] + 1):
                counts[row % 3, high - level, k] += 1
    out['rasters'].append({'low': low, 'high': high, 'counts': counts.ravel().tolist()})
    picks = []
    for first, last, level in probes:
        cols = slice(first, last + 1)
        a = np.where(em[:, cols], 10**6, lv[:, cols, 0]).min(axis=1); b = np.where(em[:, cols], -1, lv[:, cols, 1]).max(axis=1)
        distance = np.where(level < a, a - level, np.where(level > b, level - b, 0)).astype(float)
        middle = np.abs((a + b) / 2 - level)
        distance[a > b] = np.inf
        best = min(range(len(drawn)), key=lambda t: (distance[t], middle[t], t))
        picks.append([drawn[best], int(distance[best])])
    out['picks'].append(picks)
print(json.dumps(out))
`;

function sameFloat32(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: ${actual[i]} vs numpy's ${expected[i]}`);
  }
}

test('overlay spans, levels, raster counts and picks equal numpy', () => {
  const { dir, cleanup } = makeTempDir('axopy-overlay-');
  try {
    runPythonJson(WRITE_TRIALS, [dir], undefined, CURRENT_PYTHON);
    const bytes = readFileSync(join(dir, 'trials.f64'));
    const trials = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
    const perTrial = CHANNELS * SAMPLES;
    const read = (dataset: string) => {
      const row = Number(dataset);
      return { shape: [CHANNELS, SAMPLES], data: trials.subarray(row * perTrial, (row + 1) * perTrial) };
    };
    const spans = new OverlaySpans(CHANNELS, 64);
    for (const columns of [64, 300]) {
      const expectedBytes = readFileSync(join(dir, `spans${columns}.f32`));
      const expected = new Float32Array(expectedBytes.buffer, expectedBytes.byteOffset, expectedBytes.length / 4);
      for (let first = 0; first < TRIALS; first += CHUNK) {
        const rows = Array.from({ length: CHUNK }, (_, i) => first + i);
        const reduced = reduceTrialChunk(read, {
          trials: rows.map(row => ({ row, atom: 0 })),
          filter: NO_FILTER,
          sampleRate: undefined,
          // 300 samples under a cap of 512: one column per sample, joined to the next.
          overlayColumns: columns === 64 ? 64 : 512,
          overlayRows: rows,
          imageColumns: 0
        });
        assert.deepEqual(reduced.overlay.rows, rows);
        const size = CHANNELS * columns * 2;
        sameFloat32(
          reduced.overlay.spans,
          expected.subarray(first * size, (first + CHUNK) * size),
          `spans of trials ${first}.. at ${columns} columns`
        );
        if (columns === 64) spans.add(rows, reduced.overlay.spans);
      }
    }

    const scales = Array.from({ length: CHANNELS }, (_, c) => spans.scale(c)!);
    for (const { base, step } of scales) {
      assert.equal(2 ** Math.round(Math.log2(step)), step, 'a power-of-two step');
      assert.equal(Math.round(base / step) * step, base, 'a base on the step');
    }
    const drawn = Array.from({ length: TRIALS }, (_, row) => row).filter(row => row % 7 !== 2);
    // (first column, last column, level): the columns under one pixel, 1 to 3 of them.
    const probes = Array.from({ length: 60 }, (_, i) => [
      (i * 37) % 62,
      ((i * 37) % 62) + (i % 3),
      (i * 53) % OVERLAY_LEVELS
    ]);
    const numpy = runPythonJson<{
      levels: number[];
      rasters: { low: number; high: number; counts: number[] }[];
      picks: [number, number][][];
    }>(
      QUANTIZE_COUNT_PICK,
      [dir, JSON.stringify(scales.map(s => [s.base, s.step])), JSON.stringify(drawn), JSON.stringify(probes)],
      undefined,
      CURRENT_PYTHON
    );
    // Levels after the scale widened: numpy's quantizing at the final scale (-1: an empty column).
    const kept: number[] = [];
    for (let row = 0; row < TRIALS; row++) {
      const levels = spans.levels(row)!;
      for (let i = 0; i < levels.length; i += 2) {
        const empty = levels[i] > levels[i + 1];
        kept.push(empty ? -1 : levels[i], empty ? -1 : levels[i + 1]);
      }
    }
    assert.deepEqual(kept, numpy.levels);
    for (let c = 0; c < CHANNELS; c++) {
      const range = spans.levelRange(c, drawn)!;
      assert.deepEqual(
        { low: range.low, high: range.high },
        { low: numpy.rasters[c].low, high: numpy.rasters[c].high }
      );
      assert.ok(range.high - range.low >= OVERLAY_LEVELS / 4, `channel ${c} uses ${range.high - range.low + 1} levels`);
      const counts = spans.raster(c, drawn, row => row % 3, 3, range.low, range.high);
      assert.deepEqual(Array.from(counts), numpy.rasters[c].counts, `raster counts of channel ${c}`);
      const picks = probes.map(([first, last, level]) => {
        const picked = spans.pick(c, drawn, first, last, level)!;
        return [picked.row, picked.distance];
      });
      assert.deepEqual(picks, numpy.picks[c], `picks on channel ${c}`);
    }
  } finally {
    cleanup();
  }
});

test('a widened scale holds the old one; rebinning is quantizing anew', () => {
  const fine = fitScale(-1.3, 2.7);
  assert.ok(fine.step <= 4 / 128 && fine.step >= 4 / 512, `step ${fine.step} for a span of 4`);
  const { scale, shift, offset } = widenScale(fine, -100, 3);
  assert.ok(scale.base <= -100 && scale.base + OVERLAY_LEVELS * scale.step > fine.base + OVERLAY_LEVELS * fine.step);
  assert.equal(scale.step, fine.step * 2 ** shift);
  for (const value of [-1.3, -0.01, 0, 1.234, 2.7]) {
    const before = Math.floor((value - fine.base) / fine.step);
    assert.equal((before + offset) >> shift, Math.floor((value - scale.base) / scale.step), `level of ${value}`);
  }
  assert.deepEqual(fitScale(5, 5).step > 0, true, 'a constant trace still has a scale');
});

test('the composite: no trace is transparent; n traces of one group are its colour at 1 - (1 - a)^n', () => {
  const counts = Int32Array.from([0, 1, 3, 0, 0, 0, 0, 2]);
  const pixels = compositeRaster(
    counts,
    [
      [200, 0, 0],
      [0, 0, 200]
    ],
    2,
    2
  );
  assert.equal(pixels[3], 0);
  assert.deepEqual(Array.from(pixels.subarray(4, 8)), [200, 0, 0, Math.round(255 * TRACE_ALPHA)]);
  assert.equal(pixels[11], Math.round(255 * (1 - (1 - TRACE_ALPHA) ** 3)));
  assert.deepEqual(Array.from(pixels.subarray(12, 15)), [0, 0, 200], 'the second group alone on the last pixel');
});
