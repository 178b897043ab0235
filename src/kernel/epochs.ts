/**
 * Epochs: one array of every trial as (trials, channels, samples) float64, with the trials
 * table beside it (its `row` column: the row of trials.csv, i.e. the HDF5 dataset name), so a
 * notebook selects, groups and reduces trials without index arithmetic. What pandas + numpy
 * do with a DataFrame and a 3-D array, in one object.
 */
// @ts-ignore TS1479 (see core/csv/table.ts: arquero is an ES module required from CommonJS)
import { table as makeTable, type ColumnTable } from 'arquero';
import type { NDArray } from '../core/ndarray.js';
import { TrialIndexError } from '../core/errors.js';
import type { ArrayMetadata } from '../core/array-sidecar.js';
import { channelName } from '../core/axis-metadata.js';
import { type Float64NDArray, float64Array, toFloat64 } from '../core/analysis/axis.js';
import { groupedTrialStats, takeTrials, type TrialStats } from '../core/analysis/trial-stats.js';
import {
  NAMED_FEATURES,
  integratedEmg,
  meanAbsoluteValue,
  rootMeanSquare,
  slopeSignChanges,
  waveformLength,
  zeroCrossings
} from '../core/analysis/features.js';
import { columnDTypesOf, withColumnDTypes } from './display-table.js';

/** A trials-table row as a plain object (column name -> value). */
export type TrialRow = Record<string, unknown>;

/** The column holding each trial's row of trials.csv. */
export const ROW_COLUMN = 'row';

/** The trials of an Epochs: a table (which keeps its `row` column) or a test on each row. */
export type TrialSelection = ColumnTable | ((trial: TrialRow, index: number) => boolean);

/** (trials, channels, samples) float64 data of one array with its trials table. */
export class Epochs {
  /** (trials, channels, samples); `data.data` is a Float64Array. */
  readonly data: Float64NDArray;
  /** One row per trial, trials.csv's columns after `row` (the row of trials.csv). */
  readonly trials: ColumnTable;
  /** The recorded channel number of each channel here (0, 1, ... until `channel()` picks some). */
  readonly channels: readonly number[];
  /** Samples per second, from the array's sidecar `<array>.json` (undefined without it). */
  readonly sampleRate: number | undefined;
  /** The recorded channels' names, from the sidecar (undefined without it). */
  readonly recordedChannelNames: readonly string[] | undefined;

  /**
   * `data` of shape (trials, channels, samples) and a table with one row per trial; a table
   * without a `row` column gets one (0, 1, ...). `channels`: the recorded number of each
   * channel (default 0, 1, ...). `metadata`: the array's sample rate and the names of its
   * recorded channels (as its sidecar gives them).
   */
  constructor(data: NDArray, trials: ColumnTable, channels?: readonly number[], metadata: ArrayMetadata = {}) {
    const x = toFloat64(data, 'epochs data');
    if (x.shape.length !== 3) {
      throw new RangeError(`Epochs: data must be (trials, channels, samples), got shape [${x.shape.join(', ')}]`);
    }
    if (trials.numRows() !== x.shape[0]) {
      throw new RangeError(`Epochs: ${x.shape[0]} trials of data but ${trials.numRows()} rows in the trials table`);
    }
    this.data = x;
    this.trials = trials.columnNames().includes(ROW_COLUMN) ? trials : withRowColumn(trials);
    this.channels = channels ? [...channels] : Array.from({ length: x.shape[1] }, (_, c) => c);
    if (this.channels.length !== x.shape[1]) {
      throw new RangeError(`Epochs: ${x.shape[1]} channels of data but ${this.channels.length} channel numbers`);
    }
    this.sampleRate = metadata.sampleRate;
    this.recordedChannelNames = metadata.channelNames;
  }

  /** The name of each channel here: its sidecar name, or "channel <number>" without one. */
  get channelNames(): string[] {
    return this.channels.map(c => channelName(this.recordedChannelNames, c));
  }

  private get metadata(): ArrayMetadata {
    return { sampleRate: this.sampleRate, channelNames: this.recordedChannelNames };
  }

  /** Number of trials. */
  get trialCount(): number {
    return this.data.shape[0];
  }

  /** Number of channels. */
  get channelCount(): number {
    return this.data.shape[1];
  }

  /** Samples per trial. */
  get sampleCount(): number {
    return this.data.shape[2];
  }

  /** The rows of trials.csv of these trials, in order. */
  get rows(): number[] {
    return this.trials.array(ROW_COLUMN) as unknown as number[];
  }

  /** Trial `i` (0-based position here) as (channels, samples), sharing this data. */
  trial(i: number): Float64NDArray {
    checkTrialIndex(i, this.trialCount);
    const size = this.channelCount * this.sampleCount;
    return float64Array([this.channelCount, this.sampleCount], this.data.data.subarray(i * size, (i + 1) * size));
  }

  /** The trials table's row `i` as an object. */
  trialInfo(i: number): TrialRow {
    checkTrialIndex(i, this.trialCount);
    return Object.fromEntries(this.trials.columnNames().map(name => [name, this.trials.get(name, i)]));
  }

  /**
   * Only channel `c` (or the channels listed), still (trials, channels, samples); `c` are
   * positions here, and `channels` keeps their recorded numbers.
   */
  channel(c: number | readonly number[]): Epochs {
    const channels = typeof c === 'number' ? [c] : [...c];
    const { trialCount: T, channelCount: C, sampleCount: S } = this;
    for (const k of channels) {
      if (!Number.isInteger(k) || k < 0 || k >= C) throw new RangeError(`channel ${k} out of range (${C} channels)`);
    }
    const out = new Float64Array(T * channels.length * S);
    for (let t = 0; t < T; t++) {
      channels.forEach((k, i) =>
        out.set(this.data.data.subarray((t * C + k) * S, (t * C + k + 1) * S), (t * channels.length + i) * S)
      );
    }
    return new Epochs(
      float64Array([T, channels.length, S], out),
      this.trials,
      channels.map(k => this.channels[k]),
      this.metadata
    );
  }

  /** The trials at these positions, in this order. */
  take(indices: readonly number[]): Epochs {
    indices.forEach(i => checkTrialIndex(i, this.trialCount));
    return new Epochs(takeTrials(this.data, indices), selectRows(this.trials, indices), this.channels, this.metadata);
  }

  /**
   * The trials for which `test(row)` is true, or those whose `row` is in a table (e.g.
   * `epochs.trials.filter(...)`, an arquero selection of this table).
   */
  where(selection: TrialSelection): Epochs {
    if (typeof selection === 'function') {
      const kept: number[] = [];
      for (let i = 0; i < this.trialCount; i++) if (selection(this.trialInfo(i), i)) kept.push(i);
      return this.take(kept);
    }
    if (!selection.columnNames().includes(ROW_COLUMN)) {
      throw new RangeError(
        `Epochs.where: the table has no "${ROW_COLUMN}" column to match trials by; filter epochs.trials instead of reader.trials`
      );
    }
    const position = new Map(this.rows.map((row, i) => [row, i]));
    const kept = (selection.array(ROW_COLUMN) as unknown as number[]).map(row => {
      const i = position.get(row);
      if (i === undefined)
        throw new RangeError(`Epochs.where: row ${row} is not among these ${this.trialCount} trials`);
      return i;
    });
    return this.take(kept);
  }

  /** The trials of each value of `column`, in order of first appearance. */
  groupBy(column: string): Map<unknown, Epochs> {
    const groups = groupIndices(this.trials, column);
    return new Map([...groups].map(([key, indices]) => [key, this.take(indices)]));
  }

  /**
   * New epochs from a function of the (trials, channels, samples) data that keeps the trials
   * (a filter, a rectifier, a moving RMS): `epochs.map(x => filtfilt(sos, x))`.
   */
  map(transform: (data: Float64NDArray) => NDArray): Epochs {
    const result = toFloat64(transform(this.data), 'Epochs.map result');
    if (result.shape.length !== 3 || result.shape[0] !== this.trialCount) {
      throw new RangeError(
        `Epochs.map: the function must return (${this.trialCount}, channels, samples), got [${result.shape.join(', ')}]`
      );
    }
    const sameChannels = result.shape[1] === this.channelCount;
    return new Epochs(
      result,
      this.trials,
      sameChannels ? this.channels : undefined,
      sameChannels ? this.metadata : { sampleRate: this.sampleRate }
    );
  }
}

function checkTrialIndex(i: number, count: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= count) throw new TrialIndexError(i, count);
}

function withRowColumn(trials: ColumnTable): ColumnTable {
  const rows = Array.from({ length: trials.numRows() }, (_, i) => i);
  return tableOf({ [ROW_COLUMN]: rows, ...columnsOf(trials) }, { [ROW_COLUMN]: 'int64', ...columnDTypesOf(trials) });
}

function columnsOf(trials: ColumnTable, indices?: readonly number[]): Record<string, unknown[]> {
  const picked = indices ?? Array.from({ length: trials.numRows() }, (_, i) => i);
  return Object.fromEntries(trials.columnNames().map(name => [name, picked.map(i => trials.get(name, i))]));
}

function selectRows(trials: ColumnTable, indices: readonly number[]): ColumnTable {
  return tableOf(columnsOf(trials, indices), columnDTypesOf(trials));
}

function tableOf(columns: Record<string, unknown[]>, dtypes: Record<string, string> | undefined): ColumnTable {
  const table = makeTable(columns, Object.keys(columns)) as ColumnTable;
  return dtypes === undefined ? table : withColumnDTypes(table, dtypes);
}

/** Trial positions by value of `column`, in order of first appearance (NaN and null are groups). */
function groupIndices(trials: ColumnTable, column: string): Map<unknown, number[]> {
  if (!trials.columnNames().includes(column)) {
    throw new RangeError(`no column "${column}" in the trials table; columns: ${trials.columnNames().join(', ')}`);
  }
  const groups = new Map<unknown, number[]>();
  for (let i = 0; i < trials.numRows(); i++) {
    const key = trials.get(column, i);
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  }
  return groups;
}

/** A feature: a function of (trials, channels, samples) along the last axis giving (trials, channels). */
export type FeatureFunction = (data: Float64NDArray, options: { axis: number }) => NDArray;

/** A feature to compute: a name (see {@link FEATURES}), a function (column named after it) or [column, function]. */
export type FeatureSpec = keyof typeof FEATURES | FeatureFunction | readonly [string, FeatureFunction];

/** Features by name: AxoPy's function names in camelCase and their usual abbreviations. */
export const FEATURES = {
  ...NAMED_FEATURES,
  meanAbsoluteValue: (x: Float64NDArray) => meanAbsoluteValue(x),
  waveformLength: (x: Float64NDArray) => waveformLength(x),
  zeroCrossings: (x: Float64NDArray) => zeroCrossings(x),
  slopeSignChanges: (x: Float64NDArray) => slopeSignChanges(x),
  rootMeanSquare: (x: Float64NDArray) => rootMeanSquare(x),
  integratedEmg: (x: Float64NDArray) => integratedEmg(x)
} as const;

function resolveFeature(spec: FeatureSpec): [string, FeatureFunction] {
  if (typeof spec === 'string') {
    if (!Object.prototype.hasOwnProperty.call(FEATURES, spec)) {
      throw new RangeError(
        `unknown feature ${JSON.stringify(spec)}; known: ${Object.keys(FEATURES).join(', ')}, or pass a function`
      );
    }
    return [spec, FEATURES[spec]];
  }
  if (typeof spec === 'function') {
    if (!spec.name) throw new RangeError('features: an anonymous function needs a column name: pass ["name", fn]');
    return [spec.name, spec];
  }
  return [spec[0], spec[1]];
}

/**
 * A tidy table of features: one row per (trial, channel) with the trials' columns, `channel`
 * (its recorded number)
 * and one column per feature, each computed along time with AxoPy's definition, e.g.
 * `features(epochs, ["rms", "mav", "zc"])` or `features(epochs, [rootMeanSquare, ["zc10", x => zeroCrossings(x, { threshold: 0.01 })]])`.
 */
export function features(epochs: Epochs, specs: readonly FeatureSpec[]): ColumnTable {
  const { trialCount: T, channelCount: C } = epochs;
  const resolved = specs.map(resolveFeature);
  const dtypes: Record<string, string> = { ...columnDTypesOf(epochs.trials), channel: 'int64' };
  const columns: Record<string, unknown[]> = {};
  for (const name of epochs.trials.columnNames()) {
    columns[name] = [];
    for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) columns[name].push(epochs.trials.get(name, t));
  }
  columns.channel = Array.from({ length: T * C }, (_, i) => epochs.channels[i % C]);
  for (const [name, compute] of resolved) {
    const values = compute(epochs.data, { axis: -1 });
    if (values.data.length !== T * C) {
      throw new RangeError(`feature "${name}" gave shape [${values.shape.join(', ')}]; expected (${T}, ${C})`);
    }
    columns[name] = Array.from(values.data as ArrayLike<number | bigint>, Number);
    dtypes[name] = values.dtype === 'float64' || values.dtype === 'float32' ? 'float64' : 'int64';
  }
  return tableOf(columns, dtypes);
}

/** {@link TrialStats} of one group of trials. */
export interface GroupStats extends TrialStats {
  /** The group's value of the grouping column (undefined when not grouped). */
  readonly key: unknown;
}

/**
 * Mean, standard deviation (ddof = 1) and standard error over trials, per value of column
 * `by` (all trials as one group without it): each an array of one trial's shape
 * (channels, samples), as pandas' `groupby(by).agg(['mean', 'std', 'sem'])` per sample.
 */
export function groupStats(epochs: Epochs, by?: string): GroupStats[] {
  const all = Array.from({ length: epochs.trialCount }, (_, i) => i);
  return groupedTrialStats<unknown>(
    epochs.data,
    by === undefined ? new Map([[undefined, all]]) : groupIndices(epochs.trials, by)
  );
}
