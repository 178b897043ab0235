/**
 * IIR filter design as `scipy.signal.butter(..., output='sos')` and the Chebyshev type I
 * filter `scipy.signal.decimate` uses: analog prototype poles, frequency transform, bilinear
 * transform and SciPy's "nearest" pairing of poles and zeros into second-order sections, step
 * for step, so that sections come out in SciPy's order with SciPy's coefficients.
 */
import {
  Complex,
  add,
  complex,
  conj,
  csqrt,
  div,
  isReal,
  magnitude,
  mul,
  neg,
  polar,
  product,
  scale,
  sub
} from './complex.js';
import { Float64NDArray, float64Array } from './axis.js';

/** The band a filter passes. */
export type FilterType = 'lowpass' | 'highpass' | 'bandpass' | 'bandstop';

export interface ButterOptions {
  /** Default 'lowpass'. 'bandpass' and 'bandstop' take two cutoffs. */
  type?: FilterType;
  /** Samples per second: cutoffs are then in Hz; without it they are fractions of Nyquist (0..1). */
  sampleRate?: number;
}

/** Second-order sections: a float64 (sections, 6) array of [b0, b1, b2, a0, a1, a2] rows. */
export type Sos = Float64NDArray;

interface Zpk {
  z: Complex[];
  p: Complex[];
  k: number;
}

/** Butterworth analog prototype (`buttap`): poles on the left unit half circle. */
function butterPrototype(order: number): Zpk {
  const p: Complex[] = [];
  for (let m = -order + 1; m < order; m += 2) p.push(neg(polar(1, (Math.PI * m) / (2 * order))));
  return { z: [], p, k: 1 };
}

/** Chebyshev type I analog prototype (`cheb1ap`) with `rippleDb` of passband ripple. */
function chebyshev1Prototype(order: number, rippleDb: number): Zpk {
  const eps = Math.sqrt(10 ** (0.1 * rippleDb) - 1);
  const mu = (1 / order) * Math.asinh(1 / eps);
  const p: Complex[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const theta = (Math.PI * m) / (2 * order);
    // -sinh(mu + i theta) = -(sinh mu cos theta + i cosh mu sin theta)
    p.push(complex(-(Math.sinh(mu) * Math.cos(theta)), -(Math.cosh(mu) * Math.sin(theta))));
  }
  let k = product(p.map(neg)).re;
  if (order % 2 === 0) k /= Math.sqrt(1 + eps * eps);
  return { z: [], p, k };
}

function lowpassToLowpass({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  return { z: z.map(v => scale(v, wo)), p: p.map(v => scale(v, wo)), k: k * wo ** degree };
}

function lowpassToHighpass({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  const w = complex(wo);
  const gain = div(product(z.map(neg)), product(p.map(neg))).re;
  return {
    z: [...z.map(v => div(w, v)), ...new Array<Complex>(degree).fill(complex(0))],
    p: p.map(v => div(w, v)),
    k: k * gain
  };
}

/** The two roots v ± sqrt(v^2 - wo^2) of each value, all "+" roots first (as SciPy concatenates). */
function splitRoots(values: Complex[], wo: number): Complex[] {
  const roots = values.map(v => csqrt(sub(mul(v, v), complex(wo * wo))));
  return [...values.map((v, i) => add(v, roots[i])), ...values.map((v, i) => sub(v, roots[i]))];
}

function lowpassToBandpass({ z, p, k }: Zpk, wo: number, bw: number): Zpk {
  const degree = p.length - z.length;
  const zeros = splitRoots(
    z.map(v => scale(v, bw / 2)),
    wo
  );
  return {
    z: [...zeros, ...new Array<Complex>(degree).fill(complex(0))],
    p: splitRoots(
      p.map(v => scale(v, bw / 2)),
      wo
    ),
    k: k * bw ** degree
  };
}

function lowpassToBandstop({ z, p, k }: Zpk, wo: number, bw: number): Zpk {
  const degree = p.length - z.length;
  const half = complex(bw / 2);
  const zeros = splitRoots(
    z.map(v => div(half, v)),
    wo
  );
  const gain = div(product(z.map(neg)), product(p.map(neg))).re;
  return {
    z: [
      ...zeros,
      ...new Array<Complex>(degree).fill(complex(0, wo)),
      ...new Array<Complex>(degree).fill(complex(0, -wo))
    ],
    p: splitRoots(
      p.map(v => div(half, v)),
      wo
    ),
    k: k * gain
  };
}

/** The bilinear transform (`bilinear_zpk`) at sampling rate `fs`. */
function bilinear({ z, p, k }: Zpk, fs: number): Zpk {
  const degree = p.length - z.length;
  const fs2 = complex(2 * fs);
  const map = (v: Complex): Complex => div(add(fs2, v), sub(fs2, v));
  const gain = div(product(z.map(v => sub(fs2, v))), product(p.map(v => sub(fs2, v)))).re;
  return { z: [...z.map(map), ...new Array<Complex>(degree).fill(complex(-1))], p: p.map(map), k: k * gain };
}

/** Lexicographic order by real part then |imag|, as SciPy's `_cplxreal` sorts. */
function byRealThenImag(a: Complex, b: Complex): number {
  return a.re - b.re || Math.abs(a.im) - Math.abs(b.im);
}

/**
 * SciPy's `_cplxreal`: one of each conjugate pair (positive imaginary part, averaged with
 * its partner) sorted, then the real values sorted.
 */
function conjugatePairsThenReals(values: Complex[]): Complex[] {
  const tol = 100 * Number.EPSILON;
  const sorted = [...values].sort(byRealThenImag);
  const reals = sorted.filter(v => Math.abs(v.im) <= tol * magnitude(v)).map(v => complex(v.re));
  const upper = sorted.filter(v => !(Math.abs(v.im) <= tol * magnitude(v)) && v.im > 0);
  const lower = sorted.filter(v => !(Math.abs(v.im) <= tol * magnitude(v)) && v.im < 0);
  if (upper.length !== lower.length) throw new RangeError('filter design: a complex value has no matching conjugate');
  const pairs = upper.map((v, i) => scale(add(v, conj(lower[i])), 0.5));
  return [...pairs, ...reals];
}

/** Index of the value nearest the unit circle (first on ties, as `np.argmin`). */
function indexNearestUnitCircle(values: Complex[], among?: number[]): number {
  const candidates = among ?? values.map((_, i) => i);
  let best = candidates[0];
  for (const i of candidates) {
    if (Math.abs(1 - magnitude(values[i])) < Math.abs(1 - magnitude(values[best]))) best = i;
  }
  return best;
}

/** SciPy's `_nearest_real_complex_idx`: nearest value to `to` among real, complex or any. */
function indexNearest(values: Complex[], to: Complex, which: 'real' | 'complex' | 'any'): number {
  const order = values
    .map((_, i) => i)
    .sort((a, b) => magnitude(sub(values[a], to)) - magnitude(sub(values[b], to)) || a - b);
  const found = order.find(i => which === 'any' || (which === 'real') === isReal(values[i]));
  if (found === undefined) throw new RangeError(`filter design: no ${which} zero left to pair`);
  return found;
}

function take(values: Complex[], index: number): Complex {
  return values.splice(index, 1)[0];
}

/** numpy.poly of up to two roots, padded in front to 3 coefficients (real parts). */
function polynomial(roots: Complex[]): number[] {
  let coefficients: Complex[] = [complex(1)];
  for (const root of roots) {
    const next: Complex[] = [...coefficients, complex(0)];
    for (let i = 0; i < coefficients.length; i++) next[i + 1] = add(next[i + 1], mul(coefficients[i], neg(root)));
    coefficients = next;
  }
  const real = coefficients.map(c => c.re);
  return [...new Array<number>(3 - real.length).fill(0), ...real];
}

function section(zeros: Complex[], poles: Complex[]): number[] {
  return [...polynomial(zeros), ...polynomial(poles)];
}

/** SciPy's `zpk2sos(z, p, k)` with the default "nearest" pairing for digital filters. */
function zpkToSos({ z: zeros, p: poles, k }: Zpk): Sos {
  let z = [...zeros];
  let p = [...poles];
  if (z.length === 0 && p.length === 0) return float64Array([1, 6], Float64Array.of(k, 0, 0, 1, 0, 0));
  while (p.length < z.length) p.push(complex(0));
  while (z.length < p.length) z.push(complex(0));
  const sectionCount = Math.floor((p.length + 1) / 2);
  if (p.length % 2 === 1) {
    p.push(complex(0));
    z.push(complex(0));
  }
  z = conjugatePairsThenReals(z);
  p = conjugatePairsThenReals(p);
  const rows: number[][] = new Array(sectionCount);
  for (let si = sectionCount - 1; si >= 0; si--) {
    const p1 = take(p, indexNearestUnitCircle(p));
    const realPolesLeft = p.filter(isReal).length;
    if (isReal(p1) && realPolesLeft === 0) {
      const z1 = take(z, indexNearest(z, p1, 'real'));
      rows[si] = section([z1, complex(0)], [p1, complex(0)]);
    } else if (p.length + 1 === z.length && !isReal(p1) && realPolesLeft === 1 && z.filter(isReal).length === 1) {
      const z1 = take(z, indexNearest(z, p1, 'complex'));
      rows[si] = section([z1, conj(z1)], [p1, conj(p1)]);
    } else {
      let p2: Complex;
      if (isReal(p1)) {
        const realIndices = p.map((v, i) => (isReal(v) ? i : -1)).filter(i => i >= 0);
        p2 = take(p, indexNearestUnitCircle(p, realIndices));
      } else {
        p2 = conj(p1);
      }
      if (z.length === 0) {
        rows[si] = section([], [p1, p2]);
      } else {
        const z1 = take(z, indexNearest(z, p1, 'any'));
        if (!isReal(z1)) {
          rows[si] = section([z1, conj(z1)], [p1, p2]);
        } else if (z.length > 0) {
          const z2 = take(z, indexNearest(z, p1, 'real'));
          rows[si] = section([z1, z2], [p1, p2]);
        } else {
          rows[si] = section([z1], [p1, p2]);
        }
      }
    }
  }
  for (let i = 0; i < 3; i++) rows[0][i] *= k;
  return float64Array([sectionCount, 6], Float64Array.from(rows.flat()));
}

function checkOrder(order: number, what: string): void {
  if (!Number.isInteger(order) || order < 1)
    throw new RangeError(`${what}: order must be a positive integer, got ${order}`);
}

/** Cutoffs as fractions of Nyquist, checked (0 < Wn < 1, increasing). */
function normalizedCutoffs(
  cutoff: number | readonly number[],
  type: FilterType,
  sampleRate: number | undefined,
  what: string
): number[] {
  const cutoffs = typeof cutoff === 'number' ? [cutoff] : [...cutoff];
  const expected = type === 'bandpass' || type === 'bandstop' ? 2 : 1;
  if (cutoffs.length !== expected)
    throw new RangeError(
      `${what}: a ${type} filter needs ${expected} cutoff frequenc${expected === 1 ? 'y' : 'ies'}, got ${cutoffs.length}`
    );
  if (sampleRate !== undefined && !(sampleRate > 0))
    throw new RangeError(`${what}: sampleRate must be positive, got ${sampleRate}`);
  const wn = cutoffs.map(c => (sampleRate === undefined ? c : (2 * c) / sampleRate));
  if (wn.some(w => !(w > 0 && w < 1))) {
    const limit =
      sampleRate === undefined
        ? 'between 0 and 1 (fractions of Nyquist)'
        : `between 0 and sampleRate/2 = ${sampleRate / 2} Hz`;
    throw new RangeError(`${what}: cutoff frequencies must be ${limit}, got ${cutoffs.join(', ')}`);
  }
  if (wn.length === 2 && !(wn[0] < wn[1]))
    throw new RangeError(`${what}: the low cutoff must be below the high one, got ${cutoffs.join(', ')}`);
  return wn;
}

/** `iirfilter`'s digital path: prewarp, transform the prototype, bilinear, sections. */
function digitalSos(prototype: Zpk, wn: number[], type: FilterType): Sos {
  const fs = 2;
  const warped = wn.map(w => 2 * fs * Math.tan((Math.PI * w) / fs));
  let analog: Zpk;
  if (type === 'lowpass') analog = lowpassToLowpass(prototype, warped[0]);
  else if (type === 'highpass') analog = lowpassToHighpass(prototype, warped[0]);
  else {
    const bw = warped[1] - warped[0];
    const wo = Math.sqrt(warped[0] * warped[1]);
    analog = type === 'bandpass' ? lowpassToBandpass(prototype, wo, bw) : lowpassToBandstop(prototype, wo, bw);
  }
  return zpkToSos(bilinear(analog, fs));
}

/**
 * A digital Butterworth filter as second-order sections, as
 * `scipy.signal.butter(order, cutoff, btype=type, fs=sampleRate, output='sos')`.
 */
export function butter(order: number, cutoff: number | readonly number[], options: ButterOptions = {}): Sos {
  checkOrder(order, 'butter');
  const type = options.type ?? 'lowpass';
  if (!['lowpass', 'highpass', 'bandpass', 'bandstop'].includes(type))
    throw new RangeError(`butter: unknown filter type ${JSON.stringify(type)}`);
  return digitalSos(butterPrototype(order), normalizedCutoffs(cutoff, type, options.sampleRate, 'butter'), type);
}

/**
 * A digital Chebyshev type I lowpass as sections, as
 * `scipy.signal.cheby1(order, rippleDb, cutoff, output='sos')` (cutoff a fraction of Nyquist).
 */
export function cheby1Lowpass(order: number, rippleDb: number, cutoff: number): Sos {
  checkOrder(order, 'cheby1');
  return digitalSos(
    chebyshev1Prototype(order, rippleDb),
    normalizedCutoffs(cutoff, 'lowpass', undefined, 'cheby1'),
    'lowpass'
  );
}
