/**
 * The few complex operations filter design needs, done as NumPy does them (Smith's division,
 * the principal square root), so designed coefficients match SciPy's to rounding.
 */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

export const complex = (re: number, im = 0): Complex => ({ re, im });
export const add = (a: Complex, b: Complex): Complex => complex(a.re + b.re, a.im + b.im);
export const sub = (a: Complex, b: Complex): Complex => complex(a.re - b.re, a.im - b.im);
export const mul = (a: Complex, b: Complex): Complex => complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
export const scale = (a: Complex, s: number): Complex => complex(a.re * s, a.im * s);
export const conj = (a: Complex): Complex => complex(a.re, -a.im);
export const neg = (a: Complex): Complex => complex(-a.re, -a.im);
export const magnitude = (a: Complex): number => Math.hypot(a.re, a.im);
export const isReal = (a: Complex): boolean => a.im === 0;

/** a / b by Smith's method, as NumPy divides complex numbers. */
export function div(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    if (b.re === 0 && b.im === 0) return complex(a.re / Math.abs(b.re), a.im / Math.abs(b.im));
    const ratio = b.im / b.re;
    const s = 1 / (b.re + b.im * ratio);
    return complex((a.re + a.im * ratio) * s, (a.im - a.re * ratio) * s);
  }
  const ratio = b.re / b.im;
  const s = 1 / (b.im + b.re * ratio);
  return complex((a.re * ratio + a.im) * s, (a.im * ratio - a.re) * s);
}

/** The principal square root (branch cut on the negative real axis, sign of zero kept). */
export function csqrt(a: Complex): Complex {
  if (a.re === 0 && a.im === 0) return complex(0, a.im);
  const t = Math.sqrt((Math.abs(a.re) + magnitude(a)) / 2);
  if (a.re >= 0) return complex(t, a.im / (2 * t));
  return complex(Math.abs(a.im) / (2 * t), Object.is(a.im, -0) || a.im < 0 ? -t : t);
}

/** e^(i theta) times r. */
export const polar = (r: number, theta: number): Complex => complex(r * Math.cos(theta), r * Math.sin(theta));

/** Product of all (1 for none). */
export function product(values: readonly Complex[]): Complex {
  return values.reduce(mul, complex(1));
}
