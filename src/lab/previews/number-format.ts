/**
 * How the array previews write numbers: statistics, and the tick labels of the plots' value
 * axes. Pure, for tests. EMG is recorded in volts (values around 1e-4) and other arrays hold
 * counts in the millions: uPlot's default tick labels (Intl.NumberFormat, at most 3 decimals)
 * print every tick of a 1e-4 V signal as "0".
 */

/** Fixed notation for magnitudes in [FIXED_MIN, FIXED_MAX) (and 0); exponent notation outside. */
const FIXED_MIN = 1e-3;
const FIXED_MAX = 1e5;
/** Most decimals a tick label gets (its increment is never finer in practice). */
const MAX_DECIMALS = 6;
/** Most mantissa decimals of a label in exponent notation (4 significant digits). */
const MAX_MANTISSA_DECIMALS = 3;

/** A statistic (min, max, mean) for the table: 5 significant digits, exponent outside [1e-3, 1e5). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= FIXED_MAX || (Math.abs(value) < FIXED_MIN && value !== 0)
    ? value.toExponential(3)
    : String(Number(value.toPrecision(5)));
}

/** Fewest decimals (up to `max`) that write `step` exactly enough to tell ticks apart. */
function decimalsFor(step: number, max: number): number {
  for (let decimals = 0; decimals < max; decimals++) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return decimals;
  }
  return max;
}

/** "1.50e-4" -> "1.5e-4", "2.00e+6" -> "2e6": no trailing zeros, no "+". */
function tidyExponential(text: string): string {
  const [mantissa, exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return `${trimmed}e${Number(exponent)}`;
}

/**
 * Labels for the ticks of a value axis, `increment` apart (as uPlot's axis `values` receives
 * them). All labels of an axis use one notation: fixed when the largest magnitude is in
 * [1e-3, 1e5), with as many decimals as the increment needs; else exponent notation
 * ("1.5e-4", "2e6") with as many mantissa digits as tell neighbouring ticks apart (at most 4
 * significant digits). Zero is "0"; non-finite ticks are written as JavaScript writes them.
 */
export function formatTicks(ticks: readonly number[], increment: number): string[] {
  const finite = ticks.filter(Number.isFinite);
  const largest = finite.reduce((most, tick) => Math.max(most, Math.abs(tick)), 0);
  const step = Number.isFinite(increment) && increment > 0 ? increment : undefined;
  if (largest === 0 || (largest >= FIXED_MIN && largest < FIXED_MAX)) {
    const decimals = step === undefined ? 3 : decimalsFor(step, MAX_DECIMALS);
    return ticks.map(tick => (Number.isFinite(tick) ? fixedTick(tick, decimals) : String(tick)));
  }
  return ticks.map(tick => {
    if (!Number.isFinite(tick)) return String(tick);
    if (tick === 0 || (step !== undefined && Math.abs(tick) < step / 2)) return '0';
    const exponent = Math.floor(Math.log10(Math.abs(tick)));
    const decimals = step === undefined ? 2 : decimalsFor(step / 10 ** exponent, MAX_MANTISSA_DECIMALS);
    return tidyExponential(tick.toExponential(decimals));
  });
}

function fixedTick(tick: number, decimals: number): string {
  const text = tick.toFixed(decimals);
  // -0.00 (a tick at zero computed as -1e-17) reads as "0".
  return Number(text) === 0 ? '0' : text;
}

/** Steps ticks may be apart: 1, 2, 2.5 and 5 times a power of ten. */
const NICE_STEPS = [1, 2, 2.5, 5, 10];

/**
 * Where a value axis of [min, max] puts its ticks: multiples of a round step (1, 2, 2.5 or 5
 * times a power of ten), the smallest giving at most `most` ticks inside the range. A channel
 * plot is ~90 px tall: left to uPlot's spacing rule, a burst of EMG often got the single tick
 * 0, as the round step that fits is larger than half the range; this keeps two or more.
 */
export function valueTicks(min: number, max: number, most = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min) || most < 1) {
    return Number.isFinite(min) ? [min] : [];
  }
  const rough = (max - min) / most;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const nice of NICE_STEPS) {
    const step = nice * power;
    const first = Math.ceil(min / step);
    const last = Math.floor(max / step);
    if (last - first + 1 <= most) {
      const ticks: number[] = [];
      for (let k = first; k <= last; k++) {
        // k * step, rounded to the step's precision so 3 * 0.1 reads 0.3, not 0.30000000000000004.
        ticks.push(Number((k * step).toPrecision(12)));
      }
      return ticks;
    }
  }
  return [min, max];
}
