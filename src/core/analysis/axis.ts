/**
 * What every reduction and filter here shares: float64 input from any NDArray, the
 * (outer, length, inner) view of an array around one axis, and NumPy's summation order.
 */
import { DType, NDArray, asNDArray, elementCount } from '../ndarray.js';

/** An NDArray of any numeric dtype, or a plain list / Float64Array taken as 1-D. */
export type ArrayInput = NDArray | Float64Array | readonly number[];

/** A float64 NDArray: its `data` is a Float64Array, so no cast is needed to read it. */
export type Float64NDArray = NDArray<'float64'>;

/** The axis a reduction runs along and whether the reduced axis stays with length 1. */
export interface AxisOptions {
  /** Axis to reduce (negative counts from the end, as NumPy). */
  axis?: number;
  /** Keep the reduced axis with length 1 (NumPy's `keepdims`). */
  keepdims?: boolean;
}

/** The input as float64 (a view when it already is, a converted copy otherwise). */
export function toFloat64(input: ArrayInput, what = 'array'): Float64NDArray {
  if (input instanceof Float64Array) return { dtype: 'float64', shape: [input.length], data: input };
  if (Array.isArray(input)) {
    return { dtype: 'float64', shape: [input.length], data: Float64Array.from(input as number[]) };
  }
  const array = asNDArray(input, what);
  if (array.dtype === 'float64') return array as Float64NDArray;
  const data = new Float64Array(array.data.length);
  const source = array.data as ArrayLike<number | bigint>;
  for (let i = 0; i < data.length; i++) data[i] = Number(source[i]);
  return { dtype: 'float64', shape: [...array.shape], data };
}

/** A float64 NDArray around `data`. */
export function float64Array(
  shape: readonly number[],
  data: Float64Array = new Float64Array(elementCount(shape))
): Float64NDArray {
  return { dtype: 'float64', shape: [...shape], data };
}

/** An NDArray of another dtype around `data` (counts as int32, ...). */
export function typedArray<D extends DType>(dtype: D, shape: readonly number[], data: NDArray<D>['data']): NDArray<D> {
  return { dtype, shape: [...shape], data };
}

/**
 * An array seen around one axis: `outer` blocks, each `length` steps along the axis of
 * `inner` contiguous elements. Element (o, i, j) is at `(o * length + i) * inner + j`.
 */
export interface AxisView {
  readonly axis: number;
  readonly outer: number;
  readonly length: number;
  readonly inner: number;
  /** The shape without the axis (or with it as 1 when keepdims). */
  readonly reducedShape: number[];
}

/** Normalises a NumPy axis (negative from the end); RangeError as NumPy's AxisError. */
export function normalizeAxis(axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new RangeError(`axis ${axis} is out of bounds for array of dimension ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

export function axisView(shape: readonly number[], axis: number, keepdims = false): AxisView {
  const k = normalizeAxis(axis, shape.length);
  const reducedShape = keepdims ? shape.map((n, i) => (i === k ? 1 : n)) : shape.filter((_, i) => i !== k);
  return {
    axis: k,
    outer: elementCount(shape.slice(0, k)),
    length: shape[k],
    inner: elementCount(shape.slice(k + 1)),
    reducedShape
  };
}

/** Below this many elements NumPy adds one by one; above, in blocks of 8 partial sums. */
const PAIRWISE_UNROLL = 8;
/** NumPy's PW_BLOCKSIZE: longer runs are split in halves. */
const PAIRWISE_BLOCK = 128;

/**
 * The sum of `n` contiguous elements from `start`, in NumPy's pairwise order (as `np.sum`
 * adds along a contiguous axis): results then agree to the last bit, not only to rounding.
 */
export function pairwiseSum(data: Float64Array, start: number, n: number): number {
  if (n < PAIRWISE_UNROLL) {
    // NumPy starts from -0.0 here so that a sum of -0.0 stays -0.0.
    let sum = -0.0;
    for (let i = 0; i < n; i++) sum += data[start + i];
    return sum;
  }
  if (n <= PAIRWISE_BLOCK) {
    let r0 = data[start],
      r1 = data[start + 1],
      r2 = data[start + 2],
      r3 = data[start + 3];
    let r4 = data[start + 4],
      r5 = data[start + 5],
      r6 = data[start + 6],
      r7 = data[start + 7];
    const whole = n - (n % PAIRWISE_UNROLL);
    let i = PAIRWISE_UNROLL;
    for (; i < whole; i += PAIRWISE_UNROLL) {
      const p = start + i;
      r0 += data[p];
      r1 += data[p + 1];
      r2 += data[p + 2];
      r3 += data[p + 3];
      r4 += data[p + 4];
      r5 += data[p + 5];
      r6 += data[p + 6];
      r7 += data[p + 7];
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) sum += data[start + i];
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % PAIRWISE_UNROLL;
  return pairwiseSum(data, start, half) + pairwiseSum(data, start + half, n - half);
}

/**
 * `pairwiseSum` of |x| and of x² without writing the transformed values anywhere: the same
 * additions in the same order (so the same bits), about twice as fast on the hot features
 * (RMS, IEMG, MAV), which is why the pairwise loop is repeated here rather than parameterised
 * by a callback that V8 would not inline.
 */
export function pairwiseSumAbs(data: Float64Array, start: number, n: number): number {
  if (n < PAIRWISE_UNROLL) {
    let sum = -0.0;
    for (let i = 0; i < n; i++) sum += Math.abs(data[start + i]);
    return sum;
  }
  if (n <= PAIRWISE_BLOCK) {
    let r0 = Math.abs(data[start]),
      r1 = Math.abs(data[start + 1]),
      r2 = Math.abs(data[start + 2]),
      r3 = Math.abs(data[start + 3]);
    let r4 = Math.abs(data[start + 4]),
      r5 = Math.abs(data[start + 5]),
      r6 = Math.abs(data[start + 6]),
      r7 = Math.abs(data[start + 7]);
    const whole = n - (n % PAIRWISE_UNROLL);
    let i = PAIRWISE_UNROLL;
    for (; i < whole; i += PAIRWISE_UNROLL) {
      const p = start + i;
      r0 += Math.abs(data[p]);
      r1 += Math.abs(data[p + 1]);
      r2 += Math.abs(data[p + 2]);
      r3 += Math.abs(data[p + 3]);
      r4 += Math.abs(data[p + 4]);
      r5 += Math.abs(data[p + 5]);
      r6 += Math.abs(data[p + 6]);
      r7 += Math.abs(data[p + 7]);
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) sum += Math.abs(data[start + i]);
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % PAIRWISE_UNROLL;
  return pairwiseSumAbs(data, start, half) + pairwiseSumAbs(data, start + half, n - half);
}

/** See {@link pairwiseSumAbs}: the pairwise sum of x². */
export function pairwiseSumSquares(data: Float64Array, start: number, n: number): number {
  if (n < PAIRWISE_UNROLL) {
    let sum = -0.0;
    for (let i = 0; i < n; i++) sum += data[start + i] * data[start + i];
    return sum;
  }
  if (n <= PAIRWISE_BLOCK) {
    const d = data;
    const s = start;
    let r0 = d[s] * d[s],
      r1 = d[s + 1] * d[s + 1],
      r2 = d[s + 2] * d[s + 2],
      r3 = d[s + 3] * d[s + 3];
    let r4 = d[s + 4] * d[s + 4],
      r5 = d[s + 5] * d[s + 5],
      r6 = d[s + 6] * d[s + 6],
      r7 = d[s + 7] * d[s + 7];
    const whole = n - (n % PAIRWISE_UNROLL);
    let i = PAIRWISE_UNROLL;
    for (; i < whole; i += PAIRWISE_UNROLL) {
      const p = s + i;
      r0 += d[p] * d[p];
      r1 += d[p + 1] * d[p + 1];
      r2 += d[p + 2] * d[p + 2];
      r3 += d[p + 3] * d[p + 3];
      r4 += d[p + 4] * d[p + 4];
      r5 += d[p + 5] * d[p + 5];
      r6 += d[p + 6] * d[p + 6];
      r7 += d[p + 7] * d[p + 7];
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) sum += d[s + i] * d[s + i];
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % PAIRWISE_UNROLL;
  return pairwiseSumSquares(data, start, half) + pairwiseSumSquares(data, start + half, n - half);
}

/**
 * Sums `values` along the view's axis into `out` (one value per (outer, inner) pair), in the
 * order NumPy's `add.reduce` uses: pairwise along a contiguous axis, else one step of the axis
 * after another.
 */
export function sumAlongAxis(
  values: Float64Array,
  view: { outer: number; length: number; inner: number }
): Float64Array {
  const { outer, length, inner } = view;
  const out = new Float64Array(outer * inner);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) out[o] = pairwiseSum(values, o * length, length);
    return out;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner;
    const target = o * inner;
    for (let i = 0; i < length; i++) {
      const row = base + i * inner;
      for (let j = 0; j < inner; j++) out[target + j] += values[row + j];
    }
  }
  return out;
}
