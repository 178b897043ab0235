/**
 * What the array plots say in words and where an axis of sample indices puts its ticks: pure
 * rules, so the browser's plot and the tests share one definition.
 */

/** Non-finite values of a channel, counted by kind. */
export interface INonFiniteCounts {
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
}

/** Counts NaN, +inf and -inf among `count` values of `data` from `start`. */
export function countNonFinite(data: ArrayLike<number>, start: number, count: number): INonFiniteCounts {
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  for (let i = start; i < start + count; i++) {
    const value = data[i];
    if (value !== value) nan++;
    else if (value === Infinity) posInf++;
    else if (value === -Infinity) negInf++;
  }
  return { nan, posInf, negInf };
}

/** "contains 1 NaN, 1 -inf" (numpy's spellings); '' when every value is finite. */
export function describeNonFinite(counts: INonFiniteCounts): string {
  const parts: string[] = [];
  if (counts.nan > 0) parts.push(`${counts.nan} NaN`);
  if (counts.posInf > 0) parts.push(`${counts.posInf} inf`);
  if (counts.negInf > 0) parts.push(`${counts.negInf} -inf`);
  return parts.length === 0 ? '' : `contains ${parts.join(', ')}`;
}

/** What to say instead of a plot of an array with no element; undefined when it has some. */
export function describeEmptyShape(shape: readonly number[]): string | undefined {
  if (!shape.includes(0)) return undefined;
  const samples = shape.length === 0 ? 1 : shape[shape.length - 1];
  return `empty array (${samples} samples)`;
}

/**
 * Ticks of an axis of sample indices over [min, max]: whole numbers only, a step of 1, 2 or 5
 * times a power of ten (never below 1), at most `most` of them.
 */
export function sampleTicks(min: number, max: number, most = 8): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min || most < 1) return [];
  const first = Math.ceil(min);
  const last = Math.floor(max);
  if (last < first) return [];
  let power = 1;
  for (;;) {
    for (const nice of [1, 2, 5]) {
      const step = nice * power;
      const from = Math.ceil(first / step) * step;
      if (Math.floor((last - from) / step) + 1 <= most) {
        const ticks: number[] = [];
        for (let tick = from; tick <= last; tick += step) ticks.push(tick);
        return ticks;
      }
    }
    power *= 10;
  }
}

/**
 * The x scale [min, max] showing the samples [from, to): first to last sample; one sample
 * either side of a lone sample (a range of zero width is not drawable, and uPlot's fallback
 * for it is 0..100, an axis of samples that do not exist).
 */
export function sampleScale(from: number, to: number): [number, number] {
  return to - from <= 1 ? [from - 1, from + 1] : [from, to - 1];
}

/** 74240 -> "74 240" (a thin group separator, as the SI writes large numbers). */
export function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A read error said in words, with the raw message kept as its detail. */
export interface IWordedError {
  readonly summary: string;
  readonly detail: string;
}

/**
 * An array file's read error in words: HDF5's "truncated file: eof = 20000, ..., stored_eof =
 * 74240" becomes "emg.hdf5 is truncated: 20 000 of 74 240 bytes"; a file without HDF5's
 * signature is "not an HDF5 file". Other messages keep their text after the file's name.
 */
export function describeArrayReadError(fileName: string, message: string): IWordedError {
  const truncated = /truncated file: eof = (\d+).*stored_eof = (\d+)/s.exec(message);
  if (truncated !== null) {
    const [, has, needs] = truncated;
    return {
      summary: `${fileName} is truncated: ${groupDigits(Number(has))} of ${groupDigits(Number(needs))} bytes`,
      detail: message
    };
  }
  if (/file signature not found|not an hdf5 file|unable to (open|find) (file|superblock)/i.test(message)) {
    return { summary: `${fileName} is not an HDF5 file (or is damaged at its start)`, detail: message };
  }
  return { summary: `${fileName} cannot be read`, detail: message };
}
