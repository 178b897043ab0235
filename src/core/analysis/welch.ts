/**
 * Welch's power spectral density with `scipy.signal.welch`'s defaults: periodic Hann window,
 * `nperseg` 256 (or the signal's length when shorter), half-segment overlap, the segment
 * mean removed ('constant' detrend), one-sided 'density' scaling (V**2/Hz), segments averaged
 * by their mean, no padding of the last partial segment.
 */
import { ArrayInput, Float64NDArray, axisView, float64Array, toFloat64 } from './axis.js';

export interface WelchOptions {
  /** Sampling frequency in Hz (default 1, as SciPy). */
  fs?: number;
  /** Samples per segment (default 256, or the signal's length when shorter). */
  nperseg?: number;
  /** Samples shared by consecutive segments (default nperseg / 2, rounded down). */
  noverlap?: number;
  /** The time axis (default -1, the last). */
  axis?: number;
}

export interface WelchResult {
  /** Frequencies in Hz: nperseg / 2 + 1 of them, 0 to fs / 2. */
  readonly frequencies: Float64Array;
  /** The PSD: the input's shape with the time axis replaced by the frequencies. */
  readonly psd: Float64NDArray;
}

/** `scipy.signal.get_window('hann', n)`: the periodic Hann window. */
export function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / n);
  return w;
}

/** `scipy.signal.welch(x, fs, nperseg=..., noverlap=...)` along `axis`. */
export function welch(input: ArrayInput, options: WelchOptions = {}): WelchResult {
  const x = toFloat64(input);
  const axis = options.axis ?? -1;
  const view = axisView(x.shape, axis);
  const fs = options.fs ?? 1;
  if (!(fs > 0) || !Number.isFinite(fs)) throw new RangeError(`welch: fs must be a positive number, got ${fs}`);
  const length = view.length;
  const nperseg = Math.min(options.nperseg ?? 256, length);
  if (!Number.isInteger(nperseg) || nperseg < 1)
    throw new RangeError(`welch: nperseg must be a positive integer, got ${options.nperseg}`);
  const noverlap = options.noverlap ?? Math.floor(nperseg / 2);
  if (!Number.isInteger(noverlap) || noverlap < 0 || noverlap >= nperseg) {
    throw new RangeError(`welch: noverlap must be an integer from 0 to nperseg - 1, got ${noverlap}`);
  }
  const step = nperseg - noverlap;
  const segments = Math.floor((length - noverlap) / step);
  const bins = Math.floor(nperseg / 2) + 1;
  const window = periodicHann(nperseg);
  let windowPower = 0;
  for (const w of window) windowPower += w * w;
  const scale = 1 / (fs * windowPower);
  const spectrum = new RealSpectrum(nperseg);
  const segment = new Float64Array(nperseg);
  const { outer, inner } = view;
  const out = new Float64Array(outer * bins * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const start = o * length * inner + j;
      const sums = new Float64Array(bins);
      for (let s = 0; s < segments; s++) {
        let mean = 0;
        for (let k = 0; k < nperseg; k++) mean += x.data[start + (s * step + k) * inner];
        mean /= nperseg;
        for (let k = 0; k < nperseg; k++) segment[k] = (x.data[start + (s * step + k) * inner] - mean) * window[k];
        const power = spectrum.power(segment);
        for (let b = 0; b < bins; b++) sums[b] += power[b];
      }
      for (let b = 0; b < bins; b++) {
        // One-sided: every bin but DC (and Nyquist for an even length) holds both halves.
        const twice = b > 0 && !(nperseg % 2 === 0 && b === bins - 1);
        out[(o * bins + b) * inner + j] = (sums[b] / segments) * scale * (twice ? 2 : 1);
      }
    }
  }
  const shape = [...x.shape];
  shape[shape.length === 0 ? 0 : (axis + shape.length) % shape.length] = bins;
  const frequencies = Float64Array.from({ length: bins }, (_, b) => (b * fs) / nperseg);
  return { frequencies, psd: float64Array(shape, out) };
}

/**
 * |DFT|^2 of real segments of one length: an iterative radix-2 FFT for powers of two,
 * otherwise the direct sum over a table of twiddles (segments shorter than the default 256
 * come from short signals, where n^2 is small).
 */
class RealSpectrum {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly out: Float64Array;
  private readonly radix2: boolean;
  private readonly bitReverse: Uint32Array;

  constructor(private readonly n: number) {
    this.radix2 = (n & (n - 1)) === 0;
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    this.out = new Float64Array(Math.floor(n / 2) + 1);
    this.bitReverse = new Uint32Array(n);
    const bits = Math.round(Math.log2(n));
    if (this.radix2) {
      for (let i = 0; i < n; i++) {
        let r = 0;
        for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
        this.bitReverse[i] = r;
      }
    }
  }

  power(segment: Float64Array): Float64Array {
    const { n, out } = this;
    if (!this.radix2) {
      for (let b = 0; b < out.length; b++) {
        let re = 0,
          im = 0;
        for (let k = 0, at = 0; k < n; k++, at = (at + b) % n) {
          re += segment[k] * this.cos[at];
          im -= segment[k] * this.sin[at];
        }
        out[b] = re * re + im * im;
      }
      return out;
    }
    const { re, im } = this;
    for (let i = 0; i < n; i++) {
      re[this.bitReverse[i]] = segment[i];
      im[this.bitReverse[i]] = 0;
    }
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2,
        stride = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * stride],
            wi = -this.sin[k * stride];
          const a = start + k,
            b = a + half;
          const tr = re[b] * wr - im[b] * wi;
          const ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    for (let b = 0; b < out.length; b++) out[b] = re[b] * re[b] + im[b] * im[b];
    return out;
  }
}
