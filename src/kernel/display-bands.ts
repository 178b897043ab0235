/**
 * Group summaries as SVG: mean curves with a shaded spread (`plotBands`) and feature values
 * per group (`plotFeatures`), the two plots of a per-condition EMG analysis. Vega-Lite specs
 * rendered in Node like the signal plots.
 */
import type { TopLevelSpec } from 'vega-lite';
// @ts-ignore TS1479 (see core/csv/table.ts: arquero is an ES module required from CommonJS)
import { table as makeTable, type ColumnTable } from 'arquero';
import type { NDArray } from '../core/ndarray.js';
import { Epochs, groupStats } from './epochs.js';
import { vegaLiteToSvg } from './display-plot.js';
import { unnamedChannel } from '../core/axis-metadata.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface BandsOptions {
  /**
   * The groups (one colour each): a column of the epochs' trials table, or one label per
   * trial; all trials as one group without it.
   */
  by?: string | readonly unknown[];
  /** Samples per second: x in seconds, else sample index. */
  sampleRate?: number;
  /** The band: mean ± standard error (`'sem'`, default) or ± standard deviation (`'sd'`). */
  spread?: 'sem' | 'sd';
  /** Points per curve at most (default 500): longer curves are averaged in equal bins. */
  maxPoints?: number;
  title?: string;
  /** Plot width in pixels (default 600); each channel's panel is `channelHeight` (default 120) high. */
  width?: number;
  channelHeight?: number;
}

/** One drawn point of a band: group, channel, x, mean and the band's edges. */
export interface BandPoint {
  group: string;
  channel: string;
  x: number;
  mean: number;
  low: number;
  high: number;
}

/** Start of each of `bins` equal bins over `length` samples (and `length` at the end). */
function binEdges(length: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, b) => Math.floor((b * length) / bins));
}

function binMean(values: Float64Array, offset: number, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[offset + i];
  return sum / (to - from);
}

/** Curves to summarise: epochs, or an array of (trials, samples) or (trials, channels, samples). */
export type Curves = Epochs | NDArray;

const LABEL_COLUMN = 'group';

/** The curves as epochs, with `by` as a column name (labels become a column of their own). */
function curvesAsEpochs(curves: Curves, by: BandsOptions['by']): { epochs: Epochs; column?: string } {
  const labels = Array.isArray(by) ? (by as readonly unknown[]) : undefined;
  if (curves instanceof Epochs) {
    if (labels === undefined) return { epochs: curves, column: by as string | undefined };
    if (labels.length !== curves.trialCount)
      throw new RangeError(`plotBands: ${labels.length} labels for ${curves.trialCount} trials`);
    return {
      epochs: new Epochs(curves.data, makeTable({ [LABEL_COLUMN]: [...labels] }), curves.channels),
      column: LABEL_COLUMN
    };
  }
  const shape = curves.shape;
  if (shape.length !== 2 && shape.length !== 3) {
    throw new RangeError(
      `plotBands: curves must be (trials, samples) or (trials, channels, samples), got shape [${shape.join(', ')}]`
    );
  }
  if (typeof by === 'string')
    throw new RangeError('plotBands: an array has no trials table: give `by` as one label per trial');
  const trials = shape[0];
  if (labels !== undefined && labels.length !== trials)
    throw new RangeError(`plotBands: ${labels.length} labels for ${trials} trials`);
  const data = { ...curves, shape: shape.length === 2 ? [trials, 1, shape[1]] : shape } as NDArray;
  const table = makeTable({ [LABEL_COLUMN]: labels ? [...labels] : new Array(trials).fill('all') });
  return { epochs: new Epochs(data, table), column: labels ? LABEL_COLUMN : undefined };
}

/** The points {@link bandsSvg} draws: per group and channel, mean ± spread, bin-averaged. */
export function bandPoints(curves: Curves, options: BandsOptions = {}): BandPoint[] {
  const { epochs, column } = curvesAsEpochs(curves, options.by);
  const maxPoints = options.maxPoints ?? 500;
  if (!Number.isInteger(maxPoints) || maxPoints < 2)
    throw new RangeError(`plotBands: maxPoints must be an integer >= 2, got ${maxPoints}`);
  const { sampleRate } = options;
  if (sampleRate !== undefined && !(sampleRate > 0))
    throw new RangeError(`plotBands: sampleRate must be positive, got ${sampleRate}`);
  const { channelCount: C, sampleCount: S } = epochs;
  const bins = Math.min(S, maxPoints);
  const edges = binEdges(S, bins);
  const points: BandPoint[] = [];
  for (const stats of groupStats(epochs, column)) {
    const spread = options.spread === 'sd' ? stats.std : stats.sem;
    const group = column === undefined ? 'all' : String(stats.key);
    for (let c = 0; c < C; c++) {
      for (let b = 0; b < bins; b++) {
        const [from, to] = [edges[b], edges[b + 1]];
        const mean = binMean(stats.mean.data, c * S, from, to);
        const width = binMean(spread.data, c * S, from, to);
        const centre = (from + to - 1) / 2;
        const x = sampleRate ? centre / sampleRate : centre;
        const band = Number.isNaN(width) ? 0 : width;
        points.push({
          group,
          channel: unnamedChannel(epochs.channels[c]),
          x,
          mean,
          low: mean - band,
          high: mean + band
        });
      }
    }
  }
  return points;
}

/**
 * Mean curve of each group with a band of ± SEM (or SD) across its trials, one panel per
 * channel, as SVG.
 */
export async function bandsSvg(curves: Curves, options: BandsOptions = {}): Promise<string> {
  const values = bandPoints(curves, options);
  const channelOrder = [...new Set(values.map(point => point.channel))];
  const xTitle = options.sampleRate ? 'time (s)' : 'sample';
  const color = { field: 'group', type: 'nominal', title: typeof options.by === 'string' ? options.by : null };
  const spec = {
    $schema: SCHEMA,
    data: { values },
    facet: {
      row: {
        field: 'channel',
        type: 'nominal',
        title: null,
        sort: channelOrder,
        header: { labelAngle: 0, labelAlign: 'left' }
      }
    },
    spec: {
      width: options.width ?? 600,
      height: options.channelHeight ?? 120,
      layer: [
        {
          mark: { type: 'area', opacity: 0.25 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: xTitle, scale: { nice: false } },
            y: { field: 'low', type: 'quantitative', title: null, scale: { zero: false } },
            y2: { field: 'high' },
            color
          }
        },
        {
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: xTitle },
            y: { field: 'mean', type: 'quantitative', title: null },
            color
          }
        }
      ]
    },
    resolve: { scale: { y: 'independent' } },
    ...(options.title === undefined ? {} : { title: options.title })
  } as unknown as TopLevelSpec;
  return vegaLiteToSvg(spec);
}

export interface FeaturePlotOptions {
  /** Column of groups on the x axis (e.g. the condition). */
  by: string;
  /** Feature column(s) to plot, one panel row each (default every column after `channel`). */
  features?: readonly string[];
  title?: string;
  /** Width of each channel's panel (default 120) and height of each feature's (default 140). */
  width?: number;
  height?: number;
}

/**
 * Feature values of a tidy table (from `features`) per group: every trial as a faint point,
 * the group mean ± SEM as a bar with a dot; one panel per channel (columns) and feature (rows).
 */
export async function featuresSvg(table: ColumnTable, options: FeaturePlotOptions): Promise<string> {
  const names = table.columnNames();
  for (const column of [options.by, 'channel']) {
    if (!names.includes(column))
      throw new RangeError(`plotFeatures: no column "${column}"; columns: ${names.join(', ')}`);
  }
  const features = options.features ?? names.slice(names.indexOf('channel') + 1);
  const missing = features.filter(f => !names.includes(f));
  if (features.length === 0 || missing.length > 0) {
    throw new RangeError(
      `plotFeatures: feature column(s) ${missing.join(', ') || '(none)'} not found; columns: ${names.join(', ')}`
    );
  }
  const values: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows(); i++) {
    for (const feature of features) {
      values.push({
        group: String(table.get(options.by, i)),
        channel: unnamedChannel(Number(table.get('channel', i))),
        feature,
        value: Number(table.get(feature, i))
      });
    }
  }
  const channelNumbers = [
    ...new Set(Array.from({ length: table.numRows() }, (_, i) => Number(table.get('channel', i))))
  ];
  const channelLabels = channelNumbers.sort((a, b) => a - b).map(c => unnamedChannel(c));
  const x = { field: 'group', type: 'nominal', title: options.by };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { zero: false } };
  const spec = {
    $schema: SCHEMA,
    data: { values },
    facet: {
      row: { field: 'feature', type: 'nominal', title: null, sort: features },
      column: { field: 'channel', type: 'nominal', title: null, sort: channelLabels }
    },
    spec: {
      width: options.width ?? 120,
      height: options.height ?? 140,
      layer: [
        {
          mark: { type: 'point', opacity: 0.3, size: 12 },
          encoding: { x, y, color: { field: 'group', type: 'nominal', legend: null } }
        },
        { mark: { type: 'errorbar', extent: 'stderr' }, encoding: { x, y } },
        { mark: { type: 'point', filled: true, color: 'black' }, encoding: { x, y: { ...y, aggregate: 'mean' } } }
      ]
    },
    resolve: { scale: { y: 'independent' } },
    ...(options.title === undefined ? {} : { title: options.title })
  } as unknown as TopLevelSpec;
  return vegaLiteToSvg(spec);
}
