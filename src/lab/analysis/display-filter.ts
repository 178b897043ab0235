/**
 * Display filters of the analysis view: applied to trials before they are drawn or averaged,
 * never written to disk. Band-pass, then notch, then rectify + envelope (a low-pass of the
 * rectified signal), each a zero-phase Butterworth (`filtfilt`) from the core.
 */
import { butter, filtfilt, rectify, type Sos } from '../../core/analysis/index.js';
import type { Float64NDArray } from '../../core/analysis/axis.js';

/** Frequencies are in Hz when the array's sample rate is known, else cycles per sample. */
export interface IDisplayFilter {
  readonly bandpass?: { readonly low: number; readonly high: number; readonly order: number };
  readonly notch?: { readonly center: number; readonly width: number };
  readonly envelope?: { readonly cutoff: number; readonly order: number };
}

/** The filter sections for one sample rate, designed once per chunk of trials. */
export interface IDesignedFilter {
  readonly stages: readonly (Sos | 'rectify')[];
}

/** No filter at all. */
export const NO_FILTER: IDisplayFilter = {};

/** A key equal for equal filters (the cache of reductions is per filter). */
export function filterKey(filter: IDisplayFilter): string {
  return JSON.stringify([filter.bandpass ?? null, filter.notch ?? null, filter.envelope ?? null]);
}

/** Designs the sections; `sampleRate` undefined means frequencies in cycles per sample. */
export function designDisplayFilter(filter: IDisplayFilter, sampleRate: number | undefined): IDesignedFilter {
  const rate = sampleRate ?? 1;
  const stages: (Sos | 'rectify')[] = [];
  if (filter.bandpass)
    stages.push(
      butter(filter.bandpass.order, [filter.bandpass.low, filter.bandpass.high], { type: 'bandpass', sampleRate: rate })
    );
  if (filter.notch) {
    const { center, width } = filter.notch;
    stages.push(butter(2, [center - width / 2, center + width / 2], { type: 'bandstop', sampleRate: rate }));
  }
  if (filter.envelope) {
    stages.push('rectify');
    stages.push(butter(filter.envelope.order, filter.envelope.cutoff, { sampleRate: rate }));
  }
  return { stages };
}

/** `trial` (channels, samples) through the filter's stages; the input itself when none. */
export function applyDisplayFilter(designed: IDesignedFilter, trial: Float64NDArray): Float64NDArray {
  let x = trial;
  for (const stage of designed.stages) x = stage === 'rectify' ? rectify(x) : filtfilt(stage, x, { axis: -1 });
  return x;
}

/** The filter as the plot states it, e.g. "band-pass 20-450 Hz (order 4) · notch 50 Hz (width 2) · envelope 6 Hz". */
export function describeDisplayFilter(filter: IDisplayFilter, sampleRate: number | undefined): string {
  const unit = sampleRate !== undefined ? ' Hz' : ' cycles/sample';
  const parts: string[] = [];
  if (filter.bandpass)
    parts.push(
      `band-pass ${filter.bandpass.low}-${filter.bandpass.high}${unit} (Butterworth order ${filter.bandpass.order}, zero-phase)`
    );
  if (filter.notch) parts.push(`notch ${filter.notch.center}${unit} (width ${filter.notch.width})`);
  if (filter.envelope)
    parts.push(`rectified, envelope low-pass ${filter.envelope.cutoff}${unit} (order ${filter.envelope.order})`);
  return parts.length === 0 ? 'unfiltered' : parts.join(' · ');
}
