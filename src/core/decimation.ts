/**
 * Min/max decimation, one rule for the notebook's SVG plots (kernel/display-plot.ts) and the
 * preview's canvas plots (lab/previews/array-plot.ts): a million samples draw as a few thousand
 * points without hiding a spike. Only finite samples are drawn: NaN and +-inf become gaps (an
 * inf would hide the finite peaks of its bucket); the views say how many there are in words
 * (core/plot-text.ts countNonFinite).
 */

/** A line ready to plot: x (sample index) and y (NaN: a gap), both the same length. */
export interface DecimatedLine {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

function finiteOrGap(value: number): number {
  return value > -Infinity && value < Infinity ? value : NaN;
}

/**
 * Samples [from, to) of one channel (which starts at `start` in `data`), reduced to at most
 * 2 * `buckets` points: each bucket contributes its finite minimum and maximum, in the order
 * they occur (a bucket without a finite value: a gap). Short ranges come back whole.
 */
export function decimateMinMax(
  data: ArrayLike<number | bigint>,
  start: number,
  from: number,
  to: number,
  buckets: number
): DecimatedLine {
  const first = Math.max(0, Math.floor(from));
  const count = Math.max(0, Math.ceil(to) - first);
  if (count <= 2 * buckets) {
    const x = new Float64Array(count);
    const y = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      x[i] = first + i;
      y[i] = finiteOrGap(Number(data[start + first + i]));
    }
    return { x, y };
  }
  const x = new Float64Array(2 * buckets);
  const y = new Float64Array(2 * buckets);
  let out = 0;
  for (let b = 0; b < buckets; b++) {
    const lo = first + Math.floor((b * count) / buckets);
    const hi = first + Math.floor(((b + 1) * count) / buckets);
    let minAt = -1;
    let maxAt = -1;
    let min = Infinity;
    let max = -Infinity;
    for (let i = lo; i < hi; i++) {
      const value = Number(data[start + i]);
      if (!(value > -Infinity && value < Infinity)) continue;
      if (minAt < 0 || value < min) [min, minAt] = [value, i];
      if (maxAt < 0 || value > max) [max, maxAt] = [value, i];
    }
    if (minAt < 0) {
      x[out] = lo;
      y[out++] = NaN;
      x[out] = lo;
      y[out++] = NaN;
      continue;
    }
    const [a, ya, c, yc] = minAt <= maxAt ? [minAt, min, maxAt, max] : [maxAt, max, minAt, min];
    x[out] = a;
    y[out++] = ya;
    x[out] = c;
    y[out++] = yc;
  }
  return { x, y };
}
