/**
 * NumPy's float64 reductions (`mean`, `var`, `std`, `sum`, `min`, `max`) along an axis or over
 * the whole array, and the elementwise `abs`, `square`, `sqrt`. Results are float64 whatever
 * the input dtype (NumPy's `sum` of ints would be int64: here numbers are what a notebook adds).
 */
import {
  ArrayInput,
  AxisOptions,
  Float64NDArray,
  axisView,
  float64Array,
  pairwiseSum,
  sumAlongAxis,
  toFloat64
} from './axis.js';

/** Options of a reduction: no `axis` reduces the whole array to a 0-d array, as NumPy. */
export type ReduceOptions = AxisOptions;

/** Options of `var`/`std`: `ddof` as NumPy's (divide by n - ddof; default 0). */
export interface VarianceOptions extends ReduceOptions {
  ddof?: number;
}

/** The array flattened when no axis is given, with the shape keepdims then restores. */
function reductionInput(
  input: ArrayInput,
  options: ReduceOptions
): { x: Float64NDArray; axis: number; keptShape?: number[] } {
  const x = toFloat64(input);
  if (options.axis !== undefined) return { x, axis: options.axis };
  const flat = float64Array([x.data.length], x.data);
  return { x: flat, axis: 0, keptShape: options.keepdims ? x.shape.map(() => 1) : [] };
}

function reduceWith(
  input: ArrayInput,
  options: ReduceOptions,
  reduce: (x: Float64NDArray, view: ReturnType<typeof axisView>) => Float64Array
): Float64NDArray {
  const { x, axis, keptShape } = reductionInput(input, options);
  const view = axisView(x.shape, axis, options.keepdims);
  return float64Array(keptShape ?? view.reducedShape, reduce(x, view));
}

/** `np.sum(x, axis, keepdims=...)` in float64, in NumPy's summation order. */
export function sum(input: ArrayInput, options: ReduceOptions = {}): Float64NDArray {
  return reduceWith(input, options, (x, view) => sumAlongAxis(x.data, view));
}

/** `np.mean(x, axis, keepdims=...)`: the sum divided by the count. */
export function mean(input: ArrayInput, options: ReduceOptions = {}): Float64NDArray {
  return reduceWith(input, options, (x, view) => divideInPlace(sumAlongAxis(x.data, view), view.length));
}

/** `np.var(x, axis, ddof=...)`: mean squared deviation from the mean, as NumPy computes it. */
export function variance(input: ArrayInput, options: VarianceOptions = {}): Float64NDArray {
  return reduceWith(input, options, (x, view) => varianceAlongAxis(x.data, view, options.ddof ?? 0));
}

/** `np.std(x, axis, ddof=...)`: the square root of {@link variance}. */
export function std(input: ArrayInput, options: VarianceOptions = {}): Float64NDArray {
  const result = variance(input, options);
  sqrtInPlace(result.data);
  return result;
}

/** `np.min(x, axis)`: NaN when a NaN is among the values, as NumPy. */
export function min(input: ArrayInput, options: ReduceOptions = {}): Float64NDArray {
  return reduceWith(input, options, (x, view) => extremeAlongAxis(x.data, view, (a, b) => a < b));
}

/** `np.max(x, axis)`: NaN when a NaN is among the values, as NumPy. */
export function max(input: ArrayInput, options: ReduceOptions = {}): Float64NDArray {
  return reduceWith(input, options, (x, view) => extremeAlongAxis(x.data, view, (a, b) => a > b));
}

/** `np.abs(x)` in float64. */
export function abs(input: ArrayInput): Float64NDArray {
  return mapElements(input, Math.abs);
}

/** `np.square(x)` in float64. */
export function square(input: ArrayInput): Float64NDArray {
  return mapElements(input, v => v * v);
}

/** `np.sqrt(x)` in float64 (NaN below zero). */
export function sqrt(input: ArrayInput): Float64NDArray {
  return mapElements(input, Math.sqrt);
}

function mapElements(input: ArrayInput, f: (value: number) => number): Float64NDArray {
  const x = toFloat64(input);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]);
  return float64Array(x.shape, out);
}

export function divideInPlace(values: Float64Array, divisor: number): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] /= divisor;
  return values;
}

export function sqrtInPlace(values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.sqrt(values[i]);
  return values;
}

/**
 * NumPy's `_var`: the mean (sum / n), the deviations squared, their sum (same order as
 * `np.sum`) divided by n - ddof.
 */
export function varianceAlongAxis(
  data: Float64Array,
  view: { outer: number; length: number; inner: number },
  ddof: number
): Float64Array {
  const { outer, length, inner } = view;
  const means = divideInPlace(sumAlongAxis(data, view), length);
  const divisor = Math.max(length - ddof, 0);
  if (inner === 1) {
    // One row of squared deviations at a time (no array of the input's size), same order.
    const row = new Float64Array(length);
    const out = new Float64Array(outer);
    for (let o = 0; o < outer; o++) {
      const start = o * length;
      for (let i = 0; i < length; i++) {
        const d = data[start + i] - means[o];
        row[i] = d * d;
      }
      out[o] = pairwiseSum(row, 0, length) / divisor;
    }
    return out;
  }
  const squared = new Float64Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < length; i++) {
      const base = (o * length + i) * inner;
      for (let j = 0; j < inner; j++) {
        const d = data[base + j] - means[o * inner + j];
        squared[base + j] = d * d;
      }
    }
  }
  return divideInPlace(sumAlongAxis(squared, view), divisor);
}

function extremeAlongAxis(
  data: Float64Array,
  view: { outer: number; length: number; inner: number },
  better: (a: number, b: number) => boolean
): Float64Array {
  const { outer, length, inner } = view;
  if (length === 0) throw new RangeError('zero-size array to reduction operation which has no identity');
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = data[o * length * inner + j];
      for (let i = 1; i < length && !Number.isNaN(best); i++) {
        const v = data[(o * length + i) * inner + j];
        // NumPy's minimum/maximum keep the running value only when strictly better, so of
        // equal values (0.0 and -0.0) the later one wins.
        if (Number.isNaN(v) || !better(best, v)) best = v;
      }
      out[o * inner + j] = best;
    }
  }
  return out;
}
