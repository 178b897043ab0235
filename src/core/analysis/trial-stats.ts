/**
 * Statistics across trials, as pandas' `groupby(...).mean()/.std()/.sem()` give them for each
 * sample, through the one streaming {@link GroupAccumulator}.
 */
import { ArrayInput, Float64NDArray, float64Array, toFloat64 } from './axis.js';
import { GroupAccumulator, type KeyedTrialStats, type TrialStats } from './group-accumulator.js';

export type { TrialStats, KeyedTrialStats } from './group-accumulator.js';

/** The trials (first axis) at `indices`, copied into one array. */
export function takeTrials(input: ArrayInput, indices: readonly number[]): Float64NDArray {
  const x = toFloat64(input);
  const [trials, ...rest] = x.shape;
  const size = x.data.length / Math.max(trials, 1);
  const out = new Float64Array(indices.length * size);
  indices.forEach((trial, k) => {
    checkTrial(trial, trials);
    out.set(x.data.subarray(trial * size, (trial + 1) * size), k * size);
  });
  return float64Array([indices.length, ...rest], out);
}

function checkTrial(trial: number, trials: number): void {
  if (!Number.isInteger(trial) || trial < 0 || trial >= trials) {
    throw new RangeError(`trial ${trial} out of range (${trials} trials)`);
  }
}

/**
 * Statistics over the first axis (trials) of `input` per group: `groups` maps each key to the
 * trial positions in it (all trials as one group keyed `undefined` without it).
 */
export function groupedTrialStats<K>(
  input: ArrayInput,
  groups: ReadonlyMap<K, readonly number[]>
): KeyedTrialStats<K>[] {
  const x = toFloat64(input);
  const [trials, ...rest] = x.shape;
  const accumulator = new GroupAccumulator<K>(rest);
  const size = accumulator.trialSize;
  for (const [key, indices] of groups) {
    if (indices.length === 0) throw new RangeError(`trialStats: no trials in group ${String(key)}`);
    for (const trial of indices) {
      checkTrial(trial, trials);
      accumulator.add(key, x.data, trial * size);
    }
  }
  return accumulator.groups();
}

/** Mean, std and SEM over the first axis (trials) of `input`, optionally of some trials only. */
export function trialStats(input: ArrayInput, indices?: readonly number[]): TrialStats {
  const x = toFloat64(input);
  const all = indices ?? Array.from({ length: x.shape[0] }, (_, i) => i);
  if (all.length === 0) throw new RangeError('trialStats: no trials to combine');
  const [{ key: _key, ...stats }] = groupedTrialStats(x, new Map([[undefined, all]]));
  return stats;
}
