/**
 * Operations along time, as `scipy.signal` does them: `sosfilt` (direct form II transposed,
 * section after section), `filtfilt` (SciPy's `sosfiltfilt`: odd extension, steady-state
 * initial conditions, forward then backward), `decimate` (SciPy's default 8th-order Chebyshev
 * I, zero phase), and envelopes (`rectify`, `movingAverage`, `movingRms`).
 */
import { ArrayInput, Float64NDArray, axisView, float64Array, toFloat64 } from './axis.js';
import { cheby1Lowpass, type Sos } from './filter-design.js';
import { abs } from './reductions.js';

/** The time axis to filter along (default -1, the last, as SciPy). */
export interface TimeAxisOptions {
  axis?: number;
}

export interface FiltfiltOptions extends TimeAxisOptions {
  /** Samples of odd extension at each end; default SciPy's 3 * (2 * sections + 1 - trailing zeros). */
  padlen?: number;
}

function checkedSos(sos: Sos, what: string): Float64Array {
  if (sos.shape.length !== 2 || sos.shape[1] !== 6) {
    throw new RangeError(`${what}: sos must have shape (sections, 6), got [${sos.shape.join(', ')}]`);
  }
  const data = toFloat64(sos).data;
  for (let s = 0; s < sos.shape[0]; s++) {
    if (data[s * 6 + 3] !== 1) throw new RangeError(`${what}: section ${s} must have a0 = 1`);
  }
  return data;
}

/**
 * Filters one signal in place: `length` samples `stride` apart from `start`, state `zi`
 * (2 per section, updated), with SciPy's `_sosfilt` arithmetic. Section after section over
 * the whole signal rather than sample after sample: each section's output depends only on
 * the previous section's, so the values are the same to the bit, and a section's
 * coefficients and state stay in registers.
 */
function filterSignal(
  sos: Float64Array,
  sections: number,
  x: Float64Array,
  start: number,
  length: number,
  stride: number,
  zi: Float64Array
): void {
  for (let s = 0; s < sections; s++) {
    const c = s * 6;
    const b0 = sos[c],
      b1 = sos[c + 1],
      b2 = sos[c + 2],
      a1 = sos[c + 4],
      a2 = sos[c + 5];
    let z0 = zi[s * 2];
    let z1 = zi[s * 2 + 1];
    for (let n = 0, at = start; n < length; n++, at += stride) {
      const current = x[at];
      const next = b0 * current + z0;
      z0 = b1 * current - a1 * next + z1;
      z1 = b2 * current - a2 * next;
      x[at] = next;
    }
    zi[s * 2] = z0;
    zi[s * 2 + 1] = z1;
  }
}

/** `scipy.signal.sosfilt(sos, x, axis)` from rest (zero initial state). */
export function sosfilt(sos: Sos, input: ArrayInput, options: TimeAxisOptions = {}): Float64NDArray {
  const coefficients = checkedSos(sos, 'sosfilt');
  const sections = sos.shape[0];
  const x = toFloat64(input);
  const out = Float64Array.from(x.data);
  const { outer, length, inner } = axisView(x.shape, options.axis ?? -1);
  const zi = new Float64Array(sections * 2);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      zi.fill(0);
      filterSignal(coefficients, sections, out, o * length * inner + j, length, inner, zi);
    }
  }
  return float64Array(x.shape, out);
}

/**
 * `scipy.signal.lfilter_zi` of one section [b0 b1 b2 1 a1 a2]: the state after a unit step
 * has settled, solving (I - A^T) zi = b[1:] - a[1:] b0 for the 2x2 companion matrix A.
 */
function sectionSteadyState(b0: number, b1: number, b2: number, a1: number, a2: number): [number, number] {
  // (I - A^T) = [[1 + a1, -1], [a2, 1]]; right-hand side B.
  const B0 = b1 - a1 * b0;
  const B1 = b2 - a2 * b0;
  // Gaussian elimination with partial pivoting, as LAPACK's solve picks its pivot.
  const m00 = 1 + a1,
    m01 = -1,
    m10 = a2,
    m11 = 1;
  if (Math.abs(m10) > Math.abs(m00)) {
    const f = m00 / m10;
    const z1 = (B0 - f * B1) / (m01 - f * m11);
    return [(B1 - m11 * z1) / m10, z1];
  }
  const f = m10 / m00;
  const z1 = (B1 - f * B0) / (m11 - f * m01);
  return [(B0 - m01 * z1) / m00, z1];
}

/** `scipy.signal.sosfilt_zi`: each section's steady state scaled by the DC gain before it. */
export function sosfiltZi(sos: Sos): Float64Array {
  const c = checkedSos(sos, 'sosfiltZi');
  const sections = sos.shape[0];
  const zi = new Float64Array(sections * 2);
  let gain = 1;
  for (let s = 0; s < sections; s++) {
    const [b0, b1, b2, a0, a1, a2] = c.subarray(s * 6, s * 6 + 6);
    const [z0, z1] = sectionSteadyState(b0, b1, b2, a1, a2);
    zi[s * 2] = gain * z0;
    zi[s * 2 + 1] = gain * z1;
    gain *= (b0 + b1 + b2) / (a0 + a1 + a2);
  }
  return zi;
}

/**
 * Zero-phase filtering, `scipy.signal.sosfiltfilt(sos, x, axis, padtype='odd', padlen)`:
 * the signal is extended by its odd reflection at both ends, filtered forward from the
 * steady state of its first sample, backward from that of the last, and cut back.
 */
export function filtfilt(sos: Sos, input: ArrayInput, options: FiltfiltOptions = {}): Float64NDArray {
  const coefficients = checkedSos(sos, 'filtfilt');
  const sections = sos.shape[0];
  let trailingZeros = 0;
  let trailingPoleZeros = 0;
  for (let s = 0; s < sections; s++) {
    if (coefficients[s * 6 + 2] === 0) trailingZeros++;
    if (coefficients[s * 6 + 5] === 0) trailingPoleZeros++;
  }
  const taps = 2 * sections + 1 - Math.min(trailingZeros, trailingPoleZeros);
  const edge = options.padlen ?? 3 * taps;
  const x = toFloat64(input);
  const { outer, length, inner } = axisView(x.shape, options.axis ?? -1);
  if (!Number.isInteger(edge) || edge < 0)
    throw new RangeError(`filtfilt: padlen must be a non-negative integer, got ${edge}`);
  if (length <= edge) {
    throw new RangeError(`filtfilt: the signal has ${length} samples; it must be longer than padlen, which is ${edge}`);
  }
  const steady = sosfiltZi(sos);
  const extended = new Float64Array(length + 2 * edge);
  const zi = new Float64Array(sections * 2);
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      // The signal's samples are `inner` apart from `base`.
      const base = o * length * inner + j;
      const source = x.data;
      const first = source[base];
      const last = source[base + (length - 1) * inner];
      for (let i = 0; i < edge; i++) extended[i] = 2 * first - source[base + (edge - i) * inner];
      if (inner === 1) extended.set(source.subarray(base, base + length), edge);
      else for (let i = 0; i < length; i++) extended[edge + i] = source[base + i * inner];
      for (let i = 0; i < edge; i++) extended[edge + length + i] = 2 * last - source[base + (length - 2 - i) * inner];
      const n = extended.length;
      const start = extended[0];
      for (let k = 0; k < zi.length; k++) zi[k] = steady[k] * start;
      filterSignal(coefficients, sections, extended, 0, n, 1, zi);
      const end = extended[n - 1];
      for (let k = 0; k < zi.length; k++) zi[k] = steady[k] * end;
      filterSignal(coefficients, sections, extended, n - 1, n, -1, zi);
      if (inner === 1) out.set(extended.subarray(edge, edge + length), base);
      else for (let i = 0; i < length; i++) out[base + i * inner] = extended[edge + i];
    }
  }
  return float64Array(x.shape, out);
}

export interface DecimateOptions extends TimeAxisOptions {
  /** Order of the Chebyshev I anti-aliasing filter (default 8, as SciPy). */
  order?: number;
}

/**
 * `scipy.signal.decimate(x, q, axis=axis)` (IIR, zero phase): filtered by an 8th-order
 * Chebyshev type I lowpass at 0.8 / q of Nyquist, then every q-th sample kept.
 */
export function decimate(input: ArrayInput, factor: number, options: DecimateOptions = {}): Float64NDArray {
  if (!Number.isInteger(factor) || factor < 1)
    throw new RangeError(`decimate: factor must be a positive integer, got ${factor}`);
  const x = toFloat64(input);
  const axis = options.axis ?? -1;
  const filtered = filtfilt(cheby1Lowpass(options.order ?? 8, 0.05, 0.8 / factor), x, { axis });
  return takeEvery(filtered, factor, axis);
}

/** x[..., ::step, ...] along `axis`. */
function takeEvery(x: Float64NDArray, step: number, axis: number): Float64NDArray {
  const view = axisView(x.shape, axis);
  const kept = Math.ceil(view.length / step);
  const shape = [...x.shape];
  shape[view.axis] = kept;
  const out = new Float64Array(view.outer * kept * view.inner);
  for (let o = 0; o < view.outer; o++) {
    for (let i = 0; i < kept; i++) {
      const from = (o * view.length + i * step) * view.inner;
      out.set(x.data.subarray(from, from + view.inner), (o * kept + i) * view.inner);
    }
  }
  return float64Array(shape, out);
}

/** Full-wave rectification, |x| (`np.abs`). */
export function rectify(input: ArrayInput): Float64NDArray {
  return abs(input);
}

function checkedWindow(window: number, length: number, what: string): void {
  if (!Number.isInteger(window) || window < 1 || window > length) {
    throw new RangeError(`${what}: window must be an integer from 1 to the ${length} samples, got ${window}`);
  }
}

/**
 * Mean of each run of `window` consecutive samples along time, one value per complete window:
 * `np.convolve(x, np.ones(window) / window, 'valid')` (length - window + 1 samples).
 */
export function movingAverage(input: ArrayInput, window: number, options: TimeAxisOptions = {}): Float64NDArray {
  return movingMean(toFloat64(input), window, options.axis ?? -1, v => v, 'movingAverage');
}

/**
 * Root mean square of each run of `window` samples along time:
 * `np.sqrt(np.convolve(x**2, np.ones(window) / window, 'valid'))`.
 */
export function movingRms(input: ArrayInput, window: number, options: TimeAxisOptions = {}): Float64NDArray {
  const result = movingMean(toFloat64(input), window, options.axis ?? -1, v => v * v, 'movingRms');
  for (let i = 0; i < result.data.length; i++) result.data[i] = Math.sqrt(Math.max(result.data[i], 0));
  return result;
}

/**
 * Running window sums, re-summed from scratch every `window` steps so that rounding from
 * adding and removing samples cannot build up along long signals.
 */
function movingMean(
  x: Float64NDArray,
  window: number,
  axis: number,
  f: (v: number) => number,
  what: string
): Float64NDArray {
  const view = axisView(x.shape, axis);
  checkedWindow(window, view.length, what);
  const kept = view.length - window + 1;
  const shape = [...x.shape];
  shape[view.axis] = kept;
  const out = new Float64Array(view.outer * kept * view.inner);
  for (let o = 0; o < view.outer; o++) {
    for (let j = 0; j < view.inner; j++) {
      const at = (i: number): number => f(x.data[(o * view.length + i) * view.inner + j]);
      let sum = 0;
      for (let i = 0; i < kept; i++) {
        if (i % window === 0) {
          sum = 0;
          for (let k = i; k < i + window; k++) sum += at(k);
        } else {
          sum += at(i + window - 1) - at(i - 1);
        }
        out[(o * kept + i) * view.inner + j] = sum / window;
      }
    }
  }
  return float64Array(shape, out);
}
