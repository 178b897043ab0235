/** The points of an average's band as drawn (pure: no DOM, tested in Node). */
import { decimateMinMax } from '../../core/decimation.js';

/**
 * A group's mean and band of one channel as drawn: unchanged up to two points per pixel
 * column; longer, per pixel bucket the mean's min and max in their order (as the trial plot's
 * decimation) with the band's lowest low and highest high at both, so no peak or spread hides.
 */
export function bandPoints(
  mean: Float64Array,
  spread: Float64Array,
  buckets: number
): { samples: Float64Array; mean: Float64Array; lo: Float64Array; hi: Float64Array } {
  const n = mean.length;
  const width = (i: number) => (Number.isNaN(spread[i]) ? 0 : spread[i]);
  if (n <= 2 * buckets) {
    return {
      samples: Float64Array.from({ length: n }, (_, i) => i),
      mean: Float64Array.from(mean),
      lo: Float64Array.from(mean, (m, i) => m - width(i)),
      hi: Float64Array.from(mean, (m, i) => m + width(i))
    };
  }
  const line = decimateMinMax(mean, 0, 0, n, buckets);
  const lo = new Float64Array(line.y.length);
  const hi = new Float64Array(line.y.length);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets),
      to = Math.floor(((b + 1) * n) / buckets);
    let low = Infinity,
      high = -Infinity;
    for (let i = from; i < to; i++) {
      low = Math.min(low, mean[i] - width(i));
      high = Math.max(high, mean[i] + width(i));
    }
    lo[2 * b] = lo[2 * b + 1] = low;
    hi[2 * b] = hi[2 * b + 1] = high;
  }
  return { samples: line.x, mean: line.y, lo, hi };
}
