/**
 * What the HDF5 worker computes from a chunk of trials for the analysis view, without the DOM
 * and without the worker: each trial is read, filtered for display, reduced into the running
 * moments of its cache group ("atom"), measured (AxoPy's features, on the unfiltered data),
 * reduced to per-pixel-column spans for overlays and per column for the epochs image, then dropped. Only
 * reductions leave the worker, never the trials, so memory stays that of one trial.
 */
import { RunningMoments } from '../../core/analysis/group-accumulator.js';
import { float64Array } from '../../core/analysis/axis.js';
import { NAMED_FEATURES } from '../../core/analysis/features.js';
import { datasetNameForRow } from '../../core/layout.js';
import { toNumbers } from '../previews/decimate.js';
import { columnSpans, overlayColumnCount } from './overlay-raster.js';
import { applyDisplayFilter, designDisplayFilter, type IDisplayFilter } from './display-filter.js';

/** The per-trial features, in the order of a trial's feature values. */
export const FEATURE_NAMES = ['mav', 'rms', 'wl', 'zc', 'ssc', 'iemg', 'logvar'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** One array's trial as read: dtype, shape and elements (what the worker's read gives). */
export interface ITrialArray {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}

/** A chunk of trials to reduce. */
export interface IReduceChunkRequest {
  /**
   * Each trial's row of trials.csv and its cache group (-1: none); `remove`: read to be taken
   * out of its group's moments (the table no longer keeps it).
   */
  readonly trials: readonly { readonly row: number; readonly atom: number; readonly remove?: boolean }[];
  readonly filter: IDisplayFilter;
  readonly sampleRate: number | undefined;
  /** Pixel columns of an overlay trace (at most the samples; see overlayColumnCount). */
  readonly overlayColumns: number;
  /** Rows whose overlay spans to return. */
  readonly overlayRows: readonly number[];
  /** Columns of a row of the epochs image (bucket means along time); 0: no image rows. */
  readonly imageColumns: number;
  /**
   * Whether to compute each trial's AxoPy features (the table's feature columns, the image's
   * sort): asked for only when shown, they cost more than the moments of the average.
   */
  readonly features?: boolean;
  /**
   * A buffer the page is done with (an earlier chunk's moments, merged), for this chunk's
   * moments when large enough: the page then makes no garbage of 2 MB per chunk.
   */
  readonly momentsBuffer?: ArrayBuffer;
  /** The same for the overlay's spans (an earlier chunk's, kept as bytes by the page). */
  readonly spansBuffer?: ArrayBuffer;
}

/** The moments of one atom over the trials of a chunk (those to remove apart). */
export interface IAtomMoments {
  readonly atom: number;
  /** Moments of the trials to take out of the atom's. */
  readonly remove: boolean;
  readonly count: number;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
}

/** What a chunk gives back (every array transferable). */
export interface IReducedChunk {
  /** (channels, samples) of the trials; undefined when none was read. */
  readonly trialShape: readonly [number, number] | undefined;
  /** Every atom's mean and M2 are views of one buffer (one transfer, one allocation). */
  readonly atoms: IAtomMoments[];
  /** Rows read, in request order (missing ones left out). */
  readonly rows: number[];
  /** Per row read: channels x features (FEATURE_NAMES order), unfiltered data. */
  readonly features: Float64Array;
  /**
   * Overlay spans of the requested rows read: per row, channels x columns x (min, max) of the
   * filtered samples of each pixel column (overlay-raster.ts columnSpans).
   */
  readonly overlay: { readonly rows: number[]; readonly spans: Float32Array };
  /** Per row read: channels x imageColumns bucket means of the filtered data (empty for 0 columns). */
  readonly image: Float32Array;
  /** Rows of the request without this array (a trial that has no dataset). */
  readonly missing: number[];
  /** A trial of another shape than the first: its row and shape. */
  readonly misshapen: { readonly row: number; readonly shape: readonly number[] }[];
}

/** (channels, samples) of a trial's shape (1-D is one channel); undefined for other ranks. */
export function trialLayout(shape: readonly number[]): [number, number] | undefined {
  if (shape.length === 1) return [1, shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  return undefined;
}

/** Reduces a chunk of trials, each read by `read(datasetName)` (undefined: no such dataset). */
export function reduceTrialChunk(
  read: (dataset: string) => ITrialArray | undefined,
  request: IReduceChunkRequest
): IReducedChunk {
  const designed = designDisplayFilter(request.filter, request.sampleRate);
  const overlayRows = new Set(request.overlayRows);
  const parts = momentParts(request);
  let atoms: RunningMoments[] = [];
  const rows: number[] = [];
  const missing: number[] = [];
  const misshapen: { row: number; shape: readonly number[] }[] = [];
  const features: number[] = [];
  const overlayRowsRead: number[] = [];
  // Every overlay row's spans in one buffer, made when the trials' shape is known.
  let overlaySpans = new Float32Array(0);
  let overlayFilled = 0;
  const imageRows: Float32Array[] = [];
  let trialShape: [number, number] | undefined;
  for (const { row, atom, remove = false } of request.trials) {
    const value = read(datasetNameForRow(row));
    if (value === undefined) {
      missing.push(row);
      continue;
    }
    const layout = trialLayout(value.shape);
    if (
      layout === undefined ||
      (trialShape !== undefined && (layout[0] !== trialShape[0] || layout[1] !== trialShape[1]))
    ) {
      misshapen.push({ row, shape: [...value.shape] });
      continue;
    }
    if (trialShape === undefined) {
      trialShape = layout;
      atoms = momentsInOneBuffer(parts.keys.length, layout[0] * layout[1], request.momentsBuffer);
    }
    const [channels, samples] = layout;
    // float64 data as read (not copied: nothing below writes into it); other dtypes converted.
    const raw = float64Array(
      layout,
      value.data instanceof Float64Array ? value.data : Float64Array.from(toNumbers(value.data))
    );
    for (const name of request.features ? FEATURE_NAMES : []) {
      const computed = NAMED_FEATURES[name](raw).data;
      for (let c = 0; c < channels; c++)
        features[(rows.length * channels + c) * FEATURE_NAMES.length + FEATURE_NAMES.indexOf(name)] = Number(
          computed[c]
        );
    }
    const shown = applyDisplayFilter(designed, raw);
    if (atom >= 0) atoms[parts.indexOf(atom, remove)].add(shown.data);
    if (overlayRows.has(row)) {
      const perRow = channels * 2 * overlayColumnCount(samples, request.overlayColumns);
      if (overlaySpans.length === 0)
        overlaySpans = arrayIn(Float32Array, request.spansBuffer, overlayRows.size * perRow);
      writeOverlaySpans(shown.data, channels, samples, request.overlayColumns, overlaySpans, overlayFilled);
      overlayFilled += perRow;
      overlayRowsRead.push(row);
    }
    if (request.imageColumns > 0) imageRows.push(bucketMeans(shown.data, channels, samples, request.imageColumns));
    rows.push(row);
  }
  const columns = trialShape ? Math.min(request.imageColumns, trialShape[1]) : 0;
  const image = new Float32Array(imageRows.length * (trialShape?.[0] ?? 0) * columns);
  imageRows.forEach((r, i) => image.set(r, i * r.length));
  return {
    trialShape,
    atoms: atoms.flatMap((m, i) =>
      m.count === 0
        ? []
        : [{ atom: parts.keys[i].atom, remove: parts.keys[i].remove, count: m.count, mean: m.mean, m2: m.m2 }]
    ),
    rows,
    features: Float64Array.from(features),
    overlay: {
      rows: overlayRowsRead,
      spans: overlaySpans.subarray(0, overlayFilled)
    },
    image,
    missing,
    misshapen
  };
}

/** The (atom, remove) pairs of a request's trials, each with its index. */
function momentParts(request: IReduceChunkRequest): {
  keys: { atom: number; remove: boolean }[];
  indexOf: (atom: number, remove: boolean) => number;
} {
  const index = new Map<string, number>();
  const keys: { atom: number; remove: boolean }[] = [];
  for (const { atom, remove = false } of request.trials) {
    const key = `${atom}${remove ? '-' : '+'}`;
    if (atom < 0 || index.has(key)) continue;
    index.set(key, keys.length);
    keys.push({ atom, remove });
  }
  return { keys, indexOf: (atom, remove) => index.get(`${atom}${remove ? '-' : '+'}`)! };
}

/** `count` running moments of `size` values, their arrays views of one buffer (`given`, when it fits). */
function momentsInOneBuffer(count: number, size: number, given?: ArrayBuffer): RunningMoments[] {
  const buffer = arrayIn(Float64Array, given, 2 * count * size).fill(0);
  return Array.from(
    { length: count },
    (_, i) =>
      new RunningMoments(
        size,
        buffer.subarray(2 * i * size, (2 * i + 1) * size),
        buffer.subarray((2 * i + 1) * size, (2 * i + 2) * size)
      )
  );
}

/** `length` elements over the start of `given` when it is large enough (a buffer the page sent back), else new ones. */
function arrayIn<T>(
  Typed: {
    new (buffer: ArrayBuffer, offset: number, length: number): T;
    new (length: number): T;
    BYTES_PER_ELEMENT: number;
  },
  given: ArrayBuffer | undefined,
  length: number
): T {
  return given !== undefined && given.byteLength >= length * Typed.BYTES_PER_ELEMENT
    ? new Typed(given, 0, length)
    : new Typed(length);
}

/** A trial's spans (channels x columns x (min, max)) written into `spans` from `offset`. */
function writeOverlaySpans(
  data: Float64Array,
  channels: number,
  samples: number,
  cap: number,
  spans: Float32Array,
  offset: number
): void {
  const columns = overlayColumnCount(samples, cap);
  for (let c = 0; c < channels; c++) columnSpans(data, c * samples, samples, columns, spans, offset + c * 2 * columns);
}

function bucketMeans(data: Float64Array, channels: number, samples: number, columns: number): Float32Array {
  const width = Math.min(columns, samples);
  const out = new Float32Array(channels * width);
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < width; b++) {
      const lo = Math.floor((b * samples) / width),
        hi = Math.floor(((b + 1) * samples) / width);
      let sum = 0;
      for (let i = lo; i < hi; i++) sum += data[c * samples + i];
      out[c * width + b] = sum / (hi - lo);
    }
  }
  return out;
}

/** The arrays of a reduced chunk, for postMessage's transfer list. */
export function transferablesOf(chunk: IReducedChunk): ArrayBuffer[] {
  return [
    ...new Set(chunk.atoms.flatMap(a => [a.mean.buffer as ArrayBuffer, a.m2.buffer as ArrayBuffer])),
    chunk.features.buffer as ArrayBuffer,
    chunk.image.buffer as ArrayBuffer,
    chunk.overlay.spans.buffer as ArrayBuffer
  ];
}
