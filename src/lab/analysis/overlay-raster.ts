/**
 * The overlay of every kept trial, without the DOM: per trial, channel and pixel column the
 * span (min, max) its trace covers; spans kept as one byte each against a per-channel level
 * scale; drawn as a raster of how many traces of each group cross each (column, level); and
 * the trace under the pointer picked from the spans.
 *
 * Why bytes on a power-of-two scale: 2000 trials x 8 channels x 512 columns of float32 pairs
 * would be 64 MB; as levels they are 16 MB. The scale grows by whole powers of two with its
 * base a multiple of the step, so the coarser levels contain the finer ones and the stored
 * levels are rebinned exactly (the same as quantizing the values anew), never re-read.
 */
import type { Rgb } from './group-colors.js';

/** Levels of a channel's scale (one byte). */
export const OVERLAY_LEVELS = 256;

/** Stored span of a column without a finite sample (min > max: drawn as nothing). */
const EMPTY_MIN = OVERLAY_LEVELS - 1;
const EMPTY_MAX = 0;

/**
 * Samples of column `column` of `columns` over `samples` samples: [from, to), plus `to` itself
 * when it exists (the sample joining this column to the next, so the drawn line stays whole).
 */
export function columnSamples(column: number, columns: number, samples: number): { from: number; last: number } {
  const from = Math.floor((column * samples) / columns);
  const to = Math.floor(((column + 1) * samples) / columns);
  return { from, last: Math.min(to, samples - 1) };
}

/** Pixel columns of a trace of `samples` samples drawn at most `cap` columns wide. */
export function overlayColumnCount(samples: number, cap: number): number {
  return Math.max(0, Math.min(samples, cap));
}

/**
 * Per column of one channel (samples `start` .. `start + samples` of `data`): the min and max of
 * its finite samples, written as pairs to `out` from `at`; NaN, NaN for a column with none.
 */
export function columnSpans(
  data: ArrayLike<number>,
  start: number,
  samples: number,
  columns: number,
  out: Float32Array,
  at: number
): void {
  for (let column = 0; column < columns; column++) {
    const { from, last } = columnSamples(column, columns, samples);
    let min = NaN;
    let max = NaN;
    for (let i = start + from; i <= start + last; i++) {
      const value = data[i];
      // Only finite samples: an inf would stretch the scale past every real peak.
      if (!(value > -Infinity && value < Infinity)) continue;
      if (!(value >= min)) min = value;
      if (!(value <= max)) max = value;
    }
    out[at + 2 * column] = min;
    out[at + 2 * column + 1] = max;
  }
}

/**
 * The columns (of `columns` stretched over `width` px) that pixel `pixel` shows: every one
 * whose extent [k, k + 1) * width / columns meets [pixel, pixel + 1).
 */
export function columnsUnderPixel(pixel: number, width: number, columns: number): { first: number; last: number } {
  const first = Math.max(0, Math.min(columns - 1, Math.floor((pixel * columns) / width)));
  const last = Math.max(first, Math.min(columns - 1, Math.ceil(((pixel + 1) * columns) / width) - 1));
  return { first, last };
}

/** Level q holds the values [base + q * step, base + (q + 1) * step); step a power of two, base a multiple of it. */
export interface ILevelScale {
  readonly base: number;
  readonly step: number;
}

/** The level of `value` on `scale` (may fall outside 0 .. OVERLAY_LEVELS - 1). */
export function levelOf(scale: ILevelScale, value: number): number {
  return Math.floor((value - scale.base) / scale.step);
}

/** The finest scale holding [min, max] (finite, min <= max). */
export function fitScale(min: number, max: number): ILevelScale {
  const magnitude = Math.max(Math.abs(min), Math.abs(max));
  // A constant trace: a step well below its value's size (or 1 for zeros).
  const span = max > min ? (max - min) / OVERLAY_LEVELS : magnitude > 0 ? magnitude * 2 ** -20 : 1;
  let step = 2 ** Math.floor(Math.log2(span));
  for (;;) {
    const base = Math.floor(min / step) * step;
    if (levelOf({ base, step }, max) < OVERLAY_LEVELS) return { base, step };
    step *= 2;
  }
}

/**
 * The scale holding `scale`'s levels and [min, max], `scale`'s step times 2^shift (shift >= 0),
 * and `offset`: stored level q becomes (q + offset) >> shift.
 */
export function widenScale(
  scale: ILevelScale,
  min: number,
  max: number
): { scale: ILevelScale; shift: number; offset: number } {
  const low = Math.min(min, scale.base);
  const high = Math.max(max, scale.base + (OVERLAY_LEVELS - 1) * scale.step);
  let shift = 0;
  for (;;) {
    const step = scale.step * 2 ** shift;
    const base = Math.floor(low / step) * step;
    if (levelOf({ base, step }, high) < OVERLAY_LEVELS) {
      return { scale: { base, step }, shift, offset: Math.round((scale.base - base) / scale.step) };
    }
    shift++;
  }
}

/**
 * The spans of every trial read for the overlay, per row: channels x columns x (min, max)
 * levels, each channel on its own scale.
 */
export class OverlaySpans {
  constructor(
    readonly channels: number,
    readonly columns: number
  ) {
    this._scales = Array.from({ length: channels }, () => undefined);
  }

  /** Rows held. */
  get size(): number {
    return this._levels.size;
  }

  has(row: number): boolean {
    return this._levels.has(row);
  }

  /** The scale of `channel` (undefined before a finite value came). */
  scale(channel: number): ILevelScale | undefined {
    return this._scales[channel];
  }

  /** Stored levels of `row` (channels x columns x (min, max)); min > max: an empty column. */
  levels(row: number): Uint8Array | undefined {
    return this._levels.get(row);
  }

  /** Adds the float spans of `rows` (per row channels x columns x (min, max)), widening scales as needed. */
  add(rows: readonly number[], spans: Float32Array): void {
    const perChannel = 2 * this.columns;
    const perRow = this.channels * perChannel;
    for (let c = 0; c < this.channels; c++) {
      let min = Infinity;
      let max = -Infinity;
      for (let r = 0; r < rows.length; r++) {
        for (let i = r * perRow + c * perChannel, end = i + perChannel; i < end; i++) {
          const value = spans[i];
          if (value < min) min = value;
          if (value > max) max = value;
        }
      }
      if (min > max) continue;
      const scale = this._scales[c];
      if (scale === undefined) this._scales[c] = fitScale(min, max);
      else if (levelOf(scale, min) < 0 || levelOf(scale, max) >= OVERLAY_LEVELS) this._widen(c, min, max);
    }
    rows.forEach((row, r) => {
      const levels = new Uint8Array(perRow);
      for (let c = 0; c < this.channels; c++) {
        const scale = this._scales[c];
        for (let k = 0; k < this.columns; k++) {
          const i = c * perChannel + 2 * k;
          const min = spans[r * perRow + i];
          const max = spans[r * perRow + i + 1];
          if (scale === undefined || Number.isNaN(min) || Number.isNaN(max)) {
            levels[i] = EMPTY_MIN;
            levels[i + 1] = EMPTY_MAX;
          } else {
            levels[i] = levelOf(scale, min);
            levels[i + 1] = levelOf(scale, max);
          }
        }
      }
      this._levels.set(row, levels);
    });
  }

  /** Lowest and highest level any of `rows` reaches on `channel` (undefined: none). */
  levelRange(channel: number, rows: readonly number[]): { low: number; high: number } | undefined {
    let low = OVERLAY_LEVELS;
    let high = -1;
    const first = channel * 2 * this.columns;
    for (const row of rows) {
      const levels = this._levels.get(row);
      if (!levels) continue;
      for (let i = first, end = first + 2 * this.columns; i < end; i += 2) {
        if (levels[i] > levels[i + 1]) continue;
        if (levels[i] < low) low = levels[i];
        if (levels[i + 1] > high) high = levels[i + 1];
      }
    }
    return high < 0 ? undefined : { low, high };
  }

  /**
   * The levels `rows` reach on `channel` and the values they stand for, [low, high) (the
   * overlay's y range); undefined when none has a finite value there.
   */
  drawnRange(
    channel: number,
    rows: readonly number[]
  ): { readonly low: number; readonly high: number; readonly values: readonly [number, number] } | undefined {
    const range = this.levelRange(channel, rows);
    const scale = this._scales[channel];
    if (!range || !scale) return undefined;
    return {
      ...range,
      values: [scale.base + range.low * scale.step, scale.base + (range.high + 1) * scale.step]
    };
  }

  /**
   * How many traces of each group cross each (level, column) of `channel`, for levels
   * `low` .. `high`: counts[(group * height + (high - level)) * columns + column] (the top
   * row is the highest level). One difference array per column, then a running sum along
   * the levels: O(rows x columns + groups x height x columns).
   */
  raster(
    channel: number,
    rows: readonly number[],
    groupOf: (row: number) => number,
    groups: number,
    low: number,
    high: number,
    scratch?: RasterScratch
  ): Int32Array {
    const height = high - low + 1;
    const columns = this.columns;
    const counts = scratch ? scratch.counts(groups * height * columns) : new Int32Array(groups * height * columns);
    const first = channel * 2 * columns;
    for (const row of rows) {
      const levels = this._levels.get(row);
      const group = groupOf(row);
      if (!levels || group < 0 || group >= groups) continue;
      const origin = group * height * columns;
      for (let k = 0; k < columns; k++) {
        const a = levels[first + 2 * k];
        const b = levels[first + 2 * k + 1];
        if (a > b || b < low || a > high) continue;
        // Top row (high) first: a span [a, b] starts at row high - b and ends after row high - a
        // (a span down to `low` ends with the raster: nothing to take off).
        counts[origin + (high - (b < high ? b : high)) * columns + k]++;
        if (a > low) counts[origin + (high - a + 1) * columns + k]--;
      }
    }
    for (let g = 0; g < groups; g++) {
      const origin = g * height * columns;
      for (let i = origin + columns, end = origin + height * columns; i < end; i++) counts[i] += counts[i - columns];
    }
    return counts;
  }

  /**
   * The row among `rows` whose span on `channel` over columns `first` .. `last` (those under
   * the pointer's pixel) holds `level`, else the nearest one; ties go to the span whose middle
   * is nearest, then to the first in `rows`. The distance is in levels (0: inside).
   */
  pick(
    channel: number,
    rows: readonly number[],
    first: number,
    last: number,
    level: number
  ): { row: number; distance: number } | undefined {
    let best: { row: number; distance: number; middle: number } | undefined;
    const origin = channel * 2 * this.columns;
    for (const row of rows) {
      const levels = this._levels.get(row);
      if (!levels) continue;
      let a = OVERLAY_LEVELS;
      let b = -1;
      for (let i = origin + 2 * first; i <= origin + 2 * last; i += 2) {
        if (levels[i] > levels[i + 1]) continue;
        if (levels[i] < a) a = levels[i];
        if (levels[i + 1] > b) b = levels[i + 1];
      }
      if (a > b) continue;
      const distance = level < a ? a - level : level > b ? level - b : 0;
      const middle = Math.abs((a + b) / 2 - level);
      if (!best || distance < best.distance || (distance === best.distance && middle < best.middle)) {
        best = { row, distance, middle };
      }
    }
    return best && { row: best.row, distance: best.distance };
  }

  private _widen(channel: number, min: number, max: number): void {
    const { scale, shift, offset } = widenScale(this._scales[channel]!, min, max);
    this._scales[channel] = scale;
    const first = channel * 2 * this.columns;
    for (const levels of this._levels.values()) {
      for (let i = first, end = first + 2 * this.columns; i < end; i += 2) {
        if (levels[i] > levels[i + 1]) continue;
        levels[i] = (levels[i] + offset) >> shift;
        levels[i + 1] = (levels[i + 1] + offset) >> shift;
      }
    }
  }

  private readonly _scales: (ILevelScale | undefined)[];
  private readonly _levels = new Map<number, Uint8Array>();
}

/** Opacity of one trace; n traces over a pixel give 1 - (1 - a)^n, as n lines drawn over one another. */
export const TRACE_ALPHA = 0.3;

/**
 * RGBA pixels (height x columns, top row first) of a raster from {@link OverlaySpans.raster}:
 * each group's colour with the opacity of its count, groups composited in order.
 */
export function compositeRaster(
  counts: Int32Array,
  colors: readonly Rgb[],
  height: number,
  columns: number,
  scratch?: RasterScratch
): Uint8ClampedArray<ArrayBuffer> {
  const pixels = scratch ? scratch.pixels(height * columns * 4) : new Uint8ClampedArray(height * columns * 4);
  const size = height * columns;
  let most = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > most) most = counts[i];
  const alphaOf = Float64Array.from({ length: most + 1 }, (_, n) => 1 - (1 - TRACE_ALPHA) ** n);
  const rgb = Float64Array.from(colors.flat());
  for (let p = 0; p < size; p++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let group = 0; group < colors.length; group++) {
      const n = counts[group * size + p];
      if (n <= 0) continue;
      const over = alphaOf[n];
      const keep = 1 - over;
      r = r * keep + rgb[3 * group] * over;
      g = g * keep + rgb[3 * group + 1] * over;
      b = b * keep + rgb[3 * group + 2] * over;
      a = a * keep + over;
    }
    if (a === 0) continue;
    pixels[4 * p] = r / a;
    pixels[4 * p + 1] = g / a;
    pixels[4 * p + 2] = b / a;
    pixels[4 * p + 3] = a * 255;
  }
  return pixels;
}

/**
 * The counts and pixels of one raster at a time, reused from raster to raster: an overlay is
 * drawn again every second while trials stream in, and each channel's counts (groups x levels
 * x columns) would otherwise be megabytes of garbage per draw. Each view handed out is zeroed
 * and valid until the next one of its kind.
 */
export class RasterScratch {
  counts(length: number): Int32Array {
    if (this._counts.length < length) this._counts = new Int32Array(length);
    return this._counts.subarray(0, length).fill(0);
  }

  pixels(length: number): Uint8ClampedArray<ArrayBuffer> {
    if (this._pixels.length < length) this._pixels = new Uint8ClampedArray(length);
    return this._pixels.subarray(0, length).fill(0);
  }

  private _counts = new Int32Array(0);
  private _pixels = new Uint8ClampedArray(0);
}
