/**
 * Group summaries as SVG: mean curves with a shaded spread (`plotBands`) and feature values
 * per group (`plotFeatures`), the two plots of a per-condition EMG analysis. Vega-Lite specs
 * rendered in Node like the signal plots.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ColumnTable } from 'arquero';
import { type Epochs, groupStats } from './epochs.js';
import { vegaLiteToSvg } from './displayPlot.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface BandsOptions {
  /** Trials-table column whose values are the groups (one colour each); all trials as one without it. */
  by?: string;
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

/** The points {@link bandsSvg} draws: per group and channel, mean ± spread, bin-averaged. */
export function bandPoints(epochs: Epochs, options: BandsOptions = {}): BandPoint[] {
  const maxPoints = options.maxPoints ?? 500;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`plotBands: maxPoints must be an integer >= 2, got ${maxPoints}`);
  const { sampleRate } = options;
  if (sampleRate !== undefined && !(sampleRate > 0)) throw new RangeError(`plotBands: sampleRate must be positive, got ${sampleRate}`);
  const { channelCount: C, sampleCount: S } = epochs;
  const bins = Math.min(S, maxPoints);
  const edges = binEdges(S, bins);
  const points: BandPoint[] = [];
  for (const stats of groupStats(epochs, options.by)) {
    const spread = options.spread === 'sd' ? stats.std : stats.sem;
    const group = options.by === undefined ? 'all' : String(stats.key);
    for (let c = 0; c < C; c++) {
      for (let b = 0; b < bins; b++) {
        const [from, to] = [edges[b], edges[b + 1]];
        const mean = binMean(stats.mean.data, c * S, from, to);
        const width = binMean(spread.data, c * S, from, to);
        const centre = (from + to - 1) / 2;
        const x = sampleRate ? centre / sampleRate : centre;
        const band = Number.isNaN(width) ? 0 : width;
        points.push({ group, channel: `ch ${epochs.channels[c]}`, x, mean, low: mean - band, high: mean + band });
      }
    }
  }
  return points;
}

/**
 * Mean curve of each group with a band of ± SEM (or SD) across its trials, one panel per
 * channel, as SVG.
 */
export async function bandsSvg(epochs: Epochs, options: BandsOptions = {}): Promise<string> {
  const values = bandPoints(epochs, options);
  const xTitle = options.sampleRate ? 'time (s)' : 'sample';
  const color = { field: 'group', type: 'nominal', title: options.by ?? null };
  const spec = {
    $schema: SCHEMA,
    data: { values },
    facet: { row: { field: 'channel', type: 'nominal', title: null, sort: epochs.channels.map(c => `ch ${c}`), header: { labelAngle: 0, labelAlign: 'left' } } },
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
    if (!names.includes(column)) throw new RangeError(`plotFeatures: no column "${column}"; columns: ${names.join(', ')}`);
  }
  const features = options.features ?? names.slice(names.indexOf('channel') + 1);
  const missing = features.filter(f => !names.includes(f));
  if (features.length === 0 || missing.length > 0) {
    throw new RangeError(`plotFeatures: feature column(s) ${missing.join(', ') || '(none)'} not found; columns: ${names.join(', ')}`);
  }
  const values: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows(); i++) {
    for (const feature of features) {
      values.push({ group: String(table.get(options.by, i)), channel: `ch ${table.get('channel', i)}`, feature, value: Number(table.get(feature, i)) });
    }
  }
  const channelNumbers = [...new Set(Array.from({ length: table.numRows() }, (_, i) => Number(table.get('channel', i))))];
  const channelLabels = channelNumbers.sort((a, b) => a - b).map(c => `ch ${c}`);
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
        { mark: { type: 'point', opacity: 0.3, size: 12 }, encoding: { x, y, color: { field: 'group', type: 'nominal', legend: null } } },
        { mark: { type: 'errorbar', extent: 'stderr' }, encoding: { x, y } },
        { mark: { type: 'point', filled: true, color: 'black' }, encoding: { x, y: { ...y, aggregate: 'mean' } } }
      ]
    },
    resolve: { scale: { y: 'independent' } },
    ...(options.title === undefined ? {} : { title: options.title })
  } as unknown as TopLevelSpec;
  return vegaLiteToSvg(spec);
}
