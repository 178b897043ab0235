/**
 * Statistics across trials, as pandas' `groupby(...).mean()/.std()/.sem()` give them for each
 * sample: the mean, the sample standard deviation (ddof = 1, pandas' default) and the standard
 * error of the mean (std / sqrt(n), as `scipy.stats.sem`).
 */
import { ArrayInput, Float64NDArray, float64Array, toFloat64 } from './axis.js';
import { mean, std } from './reductions.js';

export interface TrialStats {
  /** Trials combined. */
  readonly count: number;
  /** Mean over trials: the shape of one trial. */
  readonly mean: Float64NDArray;
  /** Sample standard deviation over trials (ddof = 1; NaN for a single trial). */
  readonly std: Float64NDArray;
  /** Standard error of the mean, std / sqrt(count). */
  readonly sem: Float64NDArray;
}

/** The trials (first axis) at `indices`, copied into one array. */
export function takeTrials(input: ArrayInput, indices: readonly number[]): Float64NDArray {
  const x = toFloat64(input);
  const [trials, ...rest] = x.shape;
  const size = x.data.length / Math.max(trials, 1);
  const out = new Float64Array(indices.length * size);
  indices.forEach((trial, k) => {
    if (!Number.isInteger(trial) || trial < 0 || trial >= trials) {
      throw new RangeError(`trial ${trial} out of range (${trials} trials)`);
    }
    out.set(x.data.subarray(trial * size, (trial + 1) * size), k * size);
  });
  return float64Array([indices.length, ...rest], out);
}

/** Mean, std and SEM over the first axis (trials) of `input`, optionally of some trials only. */
export function trialStats(input: ArrayInput, indices?: readonly number[]): TrialStats {
  const x = indices === undefined ? toFloat64(input) : takeTrials(input, indices);
  const count = x.shape[0];
  if (count === 0) throw new RangeError('trialStats: no trials to combine');
  const spread = count > 1 ? std(x, { axis: 0, ddof: 1 }) : float64Array(x.shape.slice(1), new Float64Array(x.data.length).fill(NaN));
  const sem = float64Array(spread.shape, spread.data.map(s => s / Math.sqrt(count)));
  return { count, mean: mean(x, { axis: 0 }), std: spread, sem };
}
