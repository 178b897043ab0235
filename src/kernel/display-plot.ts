/**
 * Multi-channel signal plots as SVG, rendered in Node by Vega-Lite + Vega (no browser, no
 * canvas), for notebooks. Each channel gets its own stacked panel with its own y scale, as
 * EMG channels differ in amplitude. Long signals are reduced to the minimum and maximum of
 * each of ~1000 buckets per channel: the drawn envelope is then the same as with every
 * sample (peaks are never dropped, unlike plain subsampling), at a size a notebook can hold.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FacetedUnitSpec } from 'vega-lite/build/src/spec/index.js';
import { decimateMinMax } from '../core/decimation.js';
import type { NDArray } from '../core/ndarray.js';
import { unnamedChannel } from '../core/axis-metadata.js';

/** How {@link arraySvg} and {@link trialSvg} draw. */
export interface PlotOptions {
  /** Title above the plot. */
  title?: string;
  /** Samples per second: the x axis is then time in seconds, else the sample index. */
  sampleRate?: number;
  /** One label per channel (row of a 2-D array); default "ch 0", "ch 1", ... */
  channelNames?: readonly string[];
  /** Points drawn per channel at most (default 2000); longer channels are min/max decimated. */
  maxPointsPerChannel?: number;
  /** Width of the plotting area in pixels (default 600). */
  width?: number;
  /** Height of each channel's panel in pixels (default 60). */
  channelHeight?: number;
}

/** Sample indices and values of one channel after decimation, in sample order. */
export interface DecimatedSeries {
  readonly sample: number[];
  readonly value: number[];
}

export const DEFAULT_MAX_POINTS_PER_CHANNEL = 2000;

/**
 * Reduces `length` samples starting at `data[offset]` to at most `maxPoints` points with the
 * core's min/max decimation (core/decimation.ts, as the sidebar's preview draws); its gaps
 * (NaN and +-inf samples) are left out, as Vega draws no point there.
 */
function decimatedSeries(
  data: ArrayLike<number | bigint>,
  offset: number,
  length: number,
  maxPoints = DEFAULT_MAX_POINTS_PER_CHANNEL
): DecimatedSeries {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`maxPointsPerChannel must be an integer >= 2, got ${maxPoints}`);
  }
  const line = decimateMinMax(data, offset, 0, length, Math.floor(maxPoints / 2));
  const sample: number[] = [];
  const value: number[] = [];
  for (let k = 0; k < line.x.length; k++) {
    if (Number.isNaN(line.y[k])) continue;
    sample.push(line.x[k]);
    value.push(line.y[k]);
  }
  return { sample, value };
}

/** (channels, samples) of an array to plot: a 1-D array is one channel. */
export function channelLayout(array: NDArray, what = 'array'): { channels: number; samples: number } {
  if (array.shape.length === 1) {
    return { channels: 1, samples: array.shape[0] };
  }
  if (array.shape.length === 2) {
    return { channels: array.shape[0], samples: array.shape[1] };
  }
  throw new RangeError(
    `${what}: can only plot 1-D (samples) or 2-D (channels, samples) arrays, got shape [${array.shape.join(', ')}]`
  );
}

/** One drawn point: channel label, x (sample index or seconds) and value. */
export interface PlotPoint {
  channel: string;
  x: number;
  y: number;
}

/** A Vega-Lite spec with its inline data; the rest of it is kept out of the public types. */
export interface ArrayPlotSpec {
  readonly data: { readonly values: PlotPoint[] };
}

function channelLabels(channels: number, names: readonly string[] | undefined, what: string): string[] {
  if (names === undefined) {
    return Array.from({ length: channels }, (_, c) => unnamedChannel(c));
  }
  if (names.length !== channels || new Set(names).size !== channels) {
    throw new RangeError(`${what}: channelNames must be ${channels} distinct names, got ${names.length}`);
  }
  return [...names];
}

type UnitSpecWithPoints = FacetedUnitSpec<string> & { data: { values: PlotPoint[] } };

/**
 * The Vega-Lite spec {@link arraySvg} renders: a panel per channel, stacked, each with its
 * own y scale. Render a changed copy with {@link vegaLiteToSvg}.
 */
export function arrayPlotSpec(array: NDArray, options: PlotOptions = {}): ArrayPlotSpec {
  return unitSpecOfArray(array, options, 'array');
}

function unitSpecOfArray(array: NDArray, options: PlotOptions, what: string): UnitSpecWithPoints {
  const { channels, samples } = channelLayout(array, what);
  const labels = channelLabels(channels, options.channelNames, what);
  const { sampleRate } = options;
  if (sampleRate !== undefined && !(sampleRate > 0 && Number.isFinite(sampleRate))) {
    throw new RangeError(`${what}: sampleRate must be a positive number, got ${sampleRate}`);
  }
  const values: PlotPoint[] = [];
  for (let c = 0; c < channels; c++) {
    const series = decimatedSeries(array.data, c * samples, samples, options.maxPointsPerChannel);
    for (let k = 0; k < series.sample.length; k++) {
      const index = series.sample[k];
      values.push({ channel: labels[c], x: sampleRate ? index / sampleRate : index, y: series.value[k] });
    }
  }
  const spec: UnitSpecWithPoints = {
    data: { values },
    mark: { type: 'line', strokeWidth: 0.8, clip: true },
    width: options.width ?? 600,
    height: options.channelHeight ?? 60,
    encoding: {
      row: {
        field: 'channel',
        type: 'nominal',
        sort: labels,
        title: null,
        header: { labelAngle: 0, labelAlign: 'left' }
      },
      x: { field: 'x', type: 'quantitative', title: sampleRate ? 'time (s)' : 'sample', scale: { nice: false } },
      y: { field: 'y', type: 'quantitative', title: null, scale: { zero: false }, axis: { tickCount: 3 } }
    },
    resolve: { scale: { y: 'independent' } }
  };
  return options.title === undefined ? spec : { ...spec, title: options.title };
}

interface VegaModules {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
}

let vegaModules: VegaModules | undefined;

/** Vega is loaded on first plot only: importing the kernel API should not pay for it. */
function loadVega(): VegaModules {
  vegaModules ??= {
    vega: require('vega') as typeof import('vega'),
    vegaLite: require('vega-lite') as typeof import('vega-lite')
  };
  return vegaModules;
}

/**
 * Renders a Vega-Lite spec (https://vega.github.io/vega-lite/) to an SVG document string, in
 * Node. Typed loosely so that notebooks do not depend on Vega-Lite's types.
 */
export async function vegaLiteToSvg(spec: object): Promise<string> {
  const { vega, vegaLite } = loadVega();
  const view = new vega.View(vega.parse(vegaLite.compile(spec as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * One array as an SVG plot: a 1-D array as one channel, a 2-D array as (channels, samples)
 * with a stacked panel per channel. See {@link PlotOptions}.
 */
export async function arraySvg(array: NDArray, options: PlotOptions = {}): Promise<string> {
  const spec: TopLevelSpec = { $schema: SCHEMA, ...unitSpecOfArray(array, options, 'array') };
  return vegaLiteToSvg(spec);
}

/**
 * The arrays of one trial (name -> array, e.g. `{ emg, force }`) as one SVG: each array's
 * channels stacked under its name. `channelNames` in options apply to every array.
 */
export async function trialSvg(arrays: Readonly<Record<string, NDArray>>, options: PlotOptions = {}): Promise<string> {
  const names = Object.keys(arrays);
  if (names.length === 0) {
    throw new RangeError('trialSvg: no arrays to plot');
  }
  const { title, ...perArray } = options;
  const panels = names.map(name => unitSpecOfArray(arrays[name], { ...perArray, title: name }, `array "${name}"`));
  const spec: TopLevelSpec = { $schema: SCHEMA, vconcat: panels, ...(title === undefined ? {} : { title }) };
  return vegaLiteToSvg(spec);
}
