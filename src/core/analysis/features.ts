/**
 * AxoPy's time-domain EMG features (`axopy.features.time`) with AxoPy's definitions, on float64
 * arrays along a "time" axis (default the last, as AxoPy: (channels, samples) -> (channels)).
 * Sums run in NumPy's order so that results equal AxoPy's to rounding; the counts (zero
 * crossings, slope sign changes) are exact and returned as int32.
 */
import type { NDArray } from '../ndarray.js';
import {
  ArrayInput,
  AxisOptions,
  AxisView,
  Float64NDArray,
  axisView,
  float64Array,
  pairwiseSum,
  pairwiseSumAbs,
  pairwiseSumSquares,
  sumAlongAxis,
  toFloat64,
  typedArray
} from './axis.js';
import { divideInPlace, sqrtInPlace, varianceAlongAxis } from './reductions.js';

/** A feature's options: the time axis (default -1) and keepdims, as AxoPy's functions take them. */
export type FeatureOptions = AxisOptions;

/** Options of the counting features: a difference must exceed `threshold` to count (default 0). */
export interface ThresholdOptions extends FeatureOptions {
  threshold?: number;
}

/** MAV weights: AxoPy's names or one weight per sample. */
export type MavWeights = 'mav' | 'mav1' | 'mav2' | ArrayLike<number>;

export interface MeanAbsoluteValueOptions extends FeatureOptions {
  /** 'mav' (all 1, default), 'mav1' (0.5 on the first and last quarters), 'mav2' (trapezoid), or custom. */
  weights?: MavWeights;
}

interface Prepared {
  x: Float64NDArray;
  view: AxisView;
}

function prepare(input: ArrayInput, options: FeatureOptions): Prepared {
  const x = toFloat64(input);
  return { x, view: axisView(x.shape, options.axis ?? -1, options.keepdims) };
}

/**
 * AxoPy's `inverted_t_window(n, p, a)`: weight `a` before index ceil(p n) - 1 and from
 * floor((1 - p) n) on, 1 between (AxoPy's bounds, kept as they are).
 */
export function invertedTWindow(n: number, p = 0.25, a = 0.5): Float64Array {
  const w = new Float64Array(n).fill(1);
  const head = Math.max(Math.ceil(p * n) - 1, 0);
  for (let i = 0; i < head; i++) w[i] = a;
  for (let i = Math.floor((1 - p) * n); i < n; i++) w[i] = a;
  return w;
}

/**
 * AxoPy's `trapezoidal_window(n, p)`: ramps (1/p)(i+1)/n up over the first ceil(p n) - 1
 * samples and (1/p)(n-(i+1))/n down from floor((1 - p) n), 1 between.
 */
export function trapezoidalWindow(n: number, p = 0.25): Float64Array {
  const w = new Float64Array(n).fill(1);
  const head = Math.max(Math.ceil(p * n) - 1, 0);
  for (let i = 0; i < head; i++) w[i] = ((1 / p) * (i + 1)) / n;
  for (let i = Math.floor((1 - p) * n); i < n; i++) w[i] = ((1 / p) * (n - (i + 1))) / n;
  return w;
}

function mavWeights(weights: MavWeights, n: number): Float64Array {
  if (weights === 'mav') return new Float64Array(n).fill(1);
  if (weights === 'mav1') return invertedTWindow(n, 0.25, 0.5);
  if (weights === 'mav2') return trapezoidalWindow(n, 0.25);
  if (typeof weights === 'string') {
    throw new RangeError(
      `meanAbsoluteValue: weights ${JSON.stringify(weights)} not recognized: use 'mav', 'mav1', 'mav2' or one weight per sample`
    );
  }
  if (weights.length !== n) {
    throw new RangeError(`meanAbsoluteValue: ${weights.length} custom weights for signals of ${n} samples`);
  }
  return Float64Array.from(weights);
}

/**
 * Along a contiguous (last) axis: `reduce(data, start, n, scratch)` for each signal, with a
 * scratch row reused for every signal, so that no array of the input's size is allocated (the
 * transformed row stays in cache and is summed in NumPy's pairwise order).
 */
function perSignal(
  x: Float64NDArray,
  view: AxisView,
  reduce: (data: Float64Array, start: number, n: number, scratch: Float64Array) => number
): Float64NDArray {
  const out = new Float64Array(view.outer);
  const scratch = new Float64Array(view.length);
  for (let o = 0; o < view.outer; o++) out[o] = reduce(x.data, o * view.length, view.length, scratch);
  return float64Array(view.reducedShape, out);
}

/** Applies `f(value, index along axis)` to every element. */
function mapAlongAxis(x: Float64NDArray, view: AxisView, f: (value: number, i: number) => number): Float64Array {
  const { outer, length, inner } = view;
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < length; i++) {
      const base = (o * length + i) * inner;
      for (let j = 0; j < inner; j++) out[base + j] = f(x.data[base + j], i);
    }
  }
  return out;
}

/** `np.diff(x, axis)`: the differences of neighbours along the axis (one fewer step). */
function diffAlongAxis(data: Float64Array, view: { outer: number; length: number; inner: number }): Float64Array {
  const { outer, length, inner } = view;
  const steps = Math.max(length - 1, 0);
  const out = new Float64Array(outer * steps * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < steps; i++) {
      const from = (o * length + i) * inner;
      const to = (o * steps + i) * inner;
      for (let j = 0; j < inner; j++) out[to + j] = data[from + inner + j] - data[from + j];
    }
  }
  return out;
}

/**
 * Mean absolute value, AxoPy's `mean_absolute_value`: mean of w_i |x_i| along the axis.
 */
export function meanAbsoluteValue(input: ArrayInput, options: MeanAbsoluteValueOptions = {}): Float64NDArray {
  const { x, view } = prepare(input, options);
  const weights = options.weights ?? 'mav';
  if (view.inner === 1 && weights === 'mav') {
    // All weights 1: 1 * |x| is |x|, so the plain sum of |x| gives the same bits.
    return perSignal(x, view, (data, start, n) => pairwiseSumAbs(data, start, n) / n);
  }
  const w = mavWeights(weights, view.length);
  if (view.inner === 1) {
    return perSignal(x, view, (data, start, n, scratch) => {
      for (let i = 0; i < n; i++) scratch[i] = w[i] * Math.abs(data[start + i]);
      return pairwiseSum(scratch, 0, n) / n;
    });
  }
  const weighted = mapAlongAxis(x, view, (v, i) => w[i] * Math.abs(v));
  return float64Array(view.reducedShape, divideInPlace(sumAlongAxis(weighted, view), view.length));
}

/** Waveform length, AxoPy's `waveform_length`: sum of |x_{i+1} - x_i|. */
export function waveformLength(input: ArrayInput, options: FeatureOptions = {}): Float64NDArray {
  const { x, view } = prepare(input, options);
  if (view.inner === 1) {
    return perSignal(x, view, (data, start, n, scratch) => {
      for (let i = 0; i + 1 < n; i++) scratch[i] = Math.abs(data[start + i + 1] - data[start + i]);
      return pairwiseSum(scratch, 0, Math.max(n - 1, 0));
    });
  }
  const diffs = diffAlongAxis(x.data, view);
  for (let i = 0; i < diffs.length; i++) diffs[i] = Math.abs(diffs[i]);
  return float64Array(view.reducedShape, sumAlongAxis(diffs, { ...view, length: Math.max(view.length - 1, 0) }));
}

/** The sign bit as NumPy's `signbit` reads it (-0.0 counts as negative). */
function signbit(v: number): boolean {
  return v < 0 || (v === 0 && 1 / v < 0);
}

/** Index of a float64's high 32-bit word (the one with the sign bit) in an Int32Array view. */
const HIGH_WORD = new Int8Array(new Int16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The 32-bit words of `data` (no copy): `words[2 * i + HIGH_WORD] >>> 31` is element i's sign
 * bit, what `signbit` reads, without a branch per sample (signs of noise flip at random, which
 * the branch predictor cannot follow: the counting features were the slowest).
 */
function wordsOf(data: Float64Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.length * 2);
}

/** 1 when |v| > threshold (0 for NaN, as NumPy's comparison), without a branch. */
function exceeds(v: number, threshold: number): number {
  return ((v > threshold) as unknown as number) | ((v < -threshold) as unknown as number);
}

/**
 * Zero crossings, AxoPy's `zero_crossings`: neighbours whose sign bits differ and whose
 * difference exceeds `threshold` in magnitude.
 */
export function zeroCrossings(input: ArrayInput, options: ThresholdOptions = {}): NDArray<'int32'> {
  const { x, view } = prepare(input, options);
  const threshold = options.threshold ?? 0;
  const { outer, length, inner } = view;
  const counts = new Int32Array(outer * inner);
  if (inner === 1) {
    const data = x.data;
    const words = wordsOf(data);
    for (let o = 0; o < outer; o++) {
      const start = o * length;
      let count = 0;
      for (let i = start + 1; i < start + length; i++) {
        const flipped = (words[2 * i + HIGH_WORD] ^ words[2 * i - 2 + HIGH_WORD]) >>> 31;
        count += flipped & exceeds(data[i] - data[i - 1], threshold);
      }
      counts[o] = count;
    }
    return typedArray('int32', view.reducedShape, counts);
  }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i + 1 < length; i++) {
      const here = (o * length + i) * inner;
      for (let j = 0; j < inner; j++) {
        const a = x.data[here + j];
        const b = x.data[here + inner + j];
        if (signbit(a) !== signbit(b) && Math.abs(b - a) > threshold) counts[o * inner + j]++;
      }
    }
  }
  return typedArray('int32', view.reducedShape, counts);
}

/**
 * Slope sign changes, AxoPy's `slope_sign_changes`: consecutive differences whose sign bits
 * differ, where the larger of the two differences in magnitude exceeds `threshold`.
 */
export function slopeSignChanges(input: ArrayInput, options: ThresholdOptions = {}): NDArray<'int32'> {
  const { x, view } = prepare(input, options);
  const threshold = options.threshold ?? 0;
  const { outer, length, inner } = view;
  const steps = Math.max(length - 1, 0);
  const counts = new Int32Array(outer * inner);
  if (inner === 1) {
    // One signal's differences at a time, in a row reused (its words give their sign bits).
    const data = x.data;
    const diffs = new Float64Array(steps);
    const words = wordsOf(diffs);
    for (let o = 0; o < outer && length >= 3; o++) {
      const start = o * length;
      for (let i = 0; i < steps; i++) diffs[i] = data[start + i + 1] - data[start + i];
      let count = 0;
      for (let i = 1; i < steps; i++) {
        const a = diffs[i - 1],
          b = diffs[i];
        const flipped = (words[2 * i + HIGH_WORD] ^ words[2 * i - 2 + HIGH_WORD]) >>> 31;
        // max(|a|, |b|) > threshold, NaN for a NaN (NumPy's maximum): false.
        const larger =
          (exceeds(a, threshold) | exceeds(b, threshold)) &
          ((a === a) as unknown as number) &
          ((b === b) as unknown as number);
        count += flipped & larger;
      }
      counts[o] = count;
    }
    return typedArray('int32', view.reducedShape, counts);
  }
  const diffs = diffAlongAxis(x.data, view);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i + 1 < steps; i++) {
      const here = (o * steps + i) * inner;
      for (let j = 0; j < inner; j++) {
        const a = diffs[here + j];
        const b = diffs[here + inner + j];
        if (signbit(a) !== signbit(b) && Math.max(Math.abs(a), Math.abs(b)) > threshold) counts[o * inner + j]++;
      }
    }
  }
  return typedArray('int32', view.reducedShape, counts);
}

/** Root mean square, AxoPy's `root_mean_square`: sqrt(mean(x^2)). */
export function rootMeanSquare(input: ArrayInput, options: FeatureOptions = {}): Float64NDArray {
  const { x, view } = prepare(input, options);
  if (view.inner === 1) {
    return perSignal(x, view, (data, start, n) => Math.sqrt(pairwiseSumSquares(data, start, n) / n));
  }
  const squared = mapAlongAxis(x, view, v => v * v);
  return float64Array(view.reducedShape, sqrtInPlace(divideInPlace(sumAlongAxis(squared, view), view.length)));
}

/** Integrated EMG, AxoPy's `integrated_emg`: sum of |x|. */
export function integratedEmg(input: ArrayInput, options: FeatureOptions = {}): Float64NDArray {
  const { x, view } = prepare(input, options);
  if (view.inner === 1) {
    return perSignal(x, view, (data, start, n) => pairwiseSumAbs(data, start, n));
  }
  return float64Array(view.reducedShape, sumAlongAxis(mapAlongAxis(x, view, Math.abs), view));
}

/** AxoPy's `logvar`: log10 of the (population) variance. */
export function logvar(input: ArrayInput, options: FeatureOptions = {}): Float64NDArray {
  const { x, view } = prepare(input, options);
  const result = varianceAlongAxis(x.data, view, 0);
  for (let i = 0; i < result.length; i++) result[i] = Math.log10(result[i]);
  return float64Array(view.reducedShape, result);
}

/**
 * The features by their usual abbreviations, each along the last axis with AxoPy's defaults:
 * what the notebook's `features(epochs, ["rms", ...])` and the preview's feature columns compute.
 */
export const NAMED_FEATURES = {
  mav: (x: ArrayInput): NDArray => meanAbsoluteValue(x),
  mav1: (x: ArrayInput): NDArray => meanAbsoluteValue(x, { weights: 'mav1' }),
  mav2: (x: ArrayInput): NDArray => meanAbsoluteValue(x, { weights: 'mav2' }),
  wl: (x: ArrayInput): NDArray => waveformLength(x),
  zc: (x: ArrayInput): NDArray => zeroCrossings(x),
  ssc: (x: ArrayInput): NDArray => slopeSignChanges(x),
  rms: (x: ArrayInput): NDArray => rootMeanSquare(x),
  iemg: (x: ArrayInput): NDArray => integratedEmg(x),
  logvar: (x: ArrayInput): NDArray => logvar(x)
} as const;
