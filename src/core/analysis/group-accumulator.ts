/**
 * Mean, standard deviation and standard error per group of trials, one trial at a time: a
 * trial is added under its group's key and forgotten, so a view can reduce thousands of
 * trials while they stream in, and show the groups so far at any moment.
 *
 * Welford's update per element (n, mean, sum of squared deviations M2); two partial results
 * combine with Chan's formula, which is how cached groups are merged into coarser ones.
 * Conventions as pandas' `groupby(...).mean()/.std()/.sem()`: std with ddof = 1 (NaN for one
 * trial), sem = std / sqrt(n).
 */
import { type Float64NDArray, float64Array } from './axis.js';

/** Mean, std (ddof = 1) and SEM over trials, each of one trial's shape. */
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

/** {@link TrialStats} of one group, with its key. */
export interface KeyedTrialStats<K> extends TrialStats {
  readonly key: K;
}

/** The running state of one group: count, mean and M2 per element. */
export class RunningMoments {
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;

  /** `mean` and `m2`: storage to use (e.g. views of one buffer holding many groups), zeros by default. */
  constructor(
    readonly size: number,
    mean: Float64Array = new Float64Array(size),
    m2: Float64Array = new Float64Array(size)
  ) {
    if (mean.length !== size || m2.length !== size)
      throw new RangeError(`moments of ${size} values need mean and M2 of ${size} values`);
    this.mean = mean;
    this.m2 = m2;
  }

  /** Adds one trial's values (`size` of them, from `offset` of `values`). */
  add(values: ArrayLike<number>, offset = 0): void {
    const n = ++this.count;
    // One division per trial, not per element (a product is several times cheaper).
    const share = 1 / n;
    const { mean, m2, size } = this;
    for (let i = 0; i < size; i++) {
      const x = values[offset + i];
      const delta = x - mean[i];
      const m = mean[i] + delta * share;
      mean[i] = m;
      m2[i] += delta * (x - m);
    }
  }

  /** Adds another group's moments (Chan et al.'s pairwise combination). */
  merge(other: RunningMoments): void {
    if (other.size !== this.size)
      throw new RangeError(`cannot merge moments of ${other.size} values into ${this.size}`);
    if (other.count === 0) return;
    if (this.count === 0) {
      this.mean.set(other.mean);
      this.m2.set(other.m2);
      this.count = other.count;
      return;
    }
    const na = this.count,
      nb = other.count,
      n = na + nb;
    for (let i = 0; i < this.size; i++) {
      const delta = other.mean[i] - this.mean[i];
      this.mean[i] += (delta * nb) / n;
      this.m2[i] += other.m2[i] + (delta * delta * na * nb) / n;
    }
    this.count = n;
  }

  /**
   * Takes out trials added before, given as their own moments: Chan's combination solved for
   * the other part, so that dropping a few trials of many costs reading those few. Exact up to
   * rounding, which grows with the share taken out: callers take out at most what stays.
   */
  remove(other: RunningMoments): void {
    if (other.size !== this.size)
      throw new RangeError(`cannot remove moments of ${other.size} values from ${this.size}`);
    if (other.count > this.count)
      throw new RangeError(`cannot remove ${other.count} trials from moments of ${this.count}`);
    if (other.count === 0) return;
    const n = this.count,
      nb = other.count,
      na = n - nb;
    this.count = na;
    if (na === 0) {
      this.mean.fill(0);
      this.m2.fill(0);
      return;
    }
    for (let i = 0; i < this.size; i++) {
      const meanA = this.mean[i] + ((this.mean[i] - other.mean[i]) * nb) / na;
      const delta = other.mean[i] - meanA;
      // Rounding must not leave a negative sum of squares (a NaN standard deviation).
      this.m2[i] = Math.max(0, this.m2[i] - other.m2[i] - (delta * delta * na * nb) / n);
      this.mean[i] = meanA;
    }
  }

  /** A copy (to merge into without changing this one). */
  clone(): RunningMoments {
    const copy = new RunningMoments(this.size);
    copy.merge(this);
    return copy;
  }

  /** Mean, std (ddof = 1) and SEM with `shape` (the shape of one trial). */
  stats(shape: readonly number[]): TrialStats {
    const { count, size } = this;
    const std = new Float64Array(size);
    const sem = new Float64Array(size);
    const rootCount = Math.sqrt(count);
    for (let i = 0; i < size; i++) {
      std[i] = count > 1 ? Math.sqrt(this.m2[i] / (count - 1)) : NaN;
      sem[i] = std[i] / rootCount;
    }
    return {
      count,
      mean: float64Array(shape, Float64Array.from(this.mean)),
      std: float64Array(shape, std),
      sem: float64Array(shape, sem)
    };
  }
}

/**
 * Trials added one by one under a group key; {@link groups} gives each group's statistics in
 * order of first appearance. Memory: two arrays of one trial's size per group, whatever the
 * number of trials.
 */
export class GroupAccumulator<K = unknown> {
  private readonly moments = new Map<K, RunningMoments>();
  readonly trialSize: number;

  /** `trialShape`: the shape of every trial, e.g. [channels, samples]. */
  constructor(readonly trialShape: readonly number[]) {
    this.trialSize = trialShape.reduce((a, b) => a * b, 1);
  }

  /** Adds one trial (trialSize values from `offset`) to the group `key`. */
  add(key: K, trial: ArrayLike<number>, offset = 0): void {
    if (trial.length - offset < this.trialSize) {
      throw new RangeError(
        `a trial has ${trial.length - offset} values; expected ${this.trialSize} (shape [${this.trialShape.join(', ')}])`
      );
    }
    this.momentsOf(key).add(trial, offset);
  }

  /** Adds a group's running moments (e.g. a cached finer group) to group `key`. */
  merge(key: K, moments: RunningMoments): void {
    this.momentsOf(key).merge(moments);
  }

  /** Group keys in order of first appearance. */
  get keys(): K[] {
    return [...this.moments.keys()];
  }

  /** Trials added to `key` (0 when none). */
  count(key: K): number {
    return this.moments.get(key)?.count ?? 0;
  }

  /** The running moments of `key` (undefined when no trial was added to it). */
  momentsFor(key: K): RunningMoments | undefined {
    return this.moments.get(key);
  }

  /** Statistics of group `key`. */
  stats(key: K): TrialStats {
    const moments = this.moments.get(key);
    if (!moments || moments.count === 0) throw new RangeError(`no trials in group ${String(key)}`);
    return moments.stats(this.trialShape);
  }

  /** Statistics of every group, in order of first appearance. */
  groups(): KeyedTrialStats<K>[] {
    return this.keys.map(key => ({ key, ...this.stats(key) }));
  }

  private momentsOf(key: K): RunningMoments {
    let moments = this.moments.get(key);
    if (!moments) {
      moments = new RunningMoments(this.trialSize);
      this.moments.set(key, moments);
    }
    return moments;
  }
}
