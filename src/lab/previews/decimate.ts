/**
 * What the array preview draws, computed without the DOM: how a trial's N-D array maps onto
 * channels x samples and per-channel statistics; min/max decimation is the core's
 * (core/decimation.ts), shared with the notebook's plots.
 */

/** Numeric elements of a trial's array, flat in C order. */
export type NumericData = ArrayLike<number>;

/** How an array of some shape is plotted. */
export interface IPlotLayout {
  /** Rows drawn as lines (1 for 0-D and 1-D arrays). */
  readonly channels: number;
  /** Samples per line (the last axis). */
  readonly samples: number;
  /** Sizes of the axes before channels x samples (N-D arrays: picked with a slice picker). */
  readonly sliceAxes: readonly number[];
}

/** Layout of a shape: 1-D one line, 2-D channels x samples, N-D slices of the last two axes. */
export function plotLayout(shape: readonly number[]): IPlotLayout {
  if (shape.length === 0) {
    return { channels: 1, samples: 1, sliceAxes: [] };
  }
  if (shape.length === 1) {
    return { channels: 1, samples: shape[0], sliceAxes: [] };
  }
  return {
    channels: shape[shape.length - 2],
    samples: shape[shape.length - 1],
    sliceAxes: shape.slice(0, -2)
  };
}

/** Flat offset of the first element of the slice picked by `index` (one entry per slice axis). */
export function sliceOffset(layout: IPlotLayout, index: readonly number[]): number {
  let offset = 0;
  layout.sliceAxes.forEach((size, axis) => {
    const at = Math.min(Math.max(index[axis] ?? 0, 0), size - 1);
    offset = offset * size + at;
  });
  return offset * layout.channels * layout.samples;
}

/** Minimum, maximum and mean of one channel (finite values only; NaN when none). */
export interface IChannelStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Statistics of `samples` values of `data` starting at `start`, skipping NaN and +-inf (they
 * are counted and said apart: a mean of -Infinity tells nothing about the finite samples).
 */
export function channelStats(data: NumericData, start: number, samples: number): IChannelStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = start; i < start + samples; i++) {
    const value = data[i];
    if (!(value > -Infinity && value < Infinity)) {
      continue;
    }
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    count++;
  }
  return count === 0 ? { min: NaN, max: NaN, mean: NaN } : { min, max, mean: sum / count };
}

/** Element values as plain numbers (int64/uint64 rounded to the nearest double, bool as 0/1). */
export function toNumbers(data: ArrayLike<number | bigint>): Float64Array | ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  return data as ArrayLike<number>;
}
