/**
 * The analysis view's model: which trials (the table's kept rows), grouped by which column,
 * drawn how (overlay, average, spectrum, image) and through which display filter; results
 * that grow while trials stream in, chunk by chunk, from the HDF5 worker. No DOM.
 *
 * Cache: reductions are kept per "atom", the trials sharing every groupable column's value,
 * per display filter. A grouping is a union of atoms, so changing it merges cached moments
 * without reading a trial; keeping more trials reads only the new ones; dropping trials from an
 * atom reads the fewer of the dropped ones (taken out of its moments) and the ones it keeps (its
 * moments made again); an atom none of whose trials is kept stays as it was, for when the
 * table keeps them again. Features do not depend on the filter and are kept per trial.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { RunningMoments, type TrialStats } from '../../core/analysis/group-accumulator.js';
import { epochsImageOrder } from '../../core/analysis/epochs-image.js';
import { welch } from '../../core/analysis/welch.js';
import { describeAxes, type IArrayAxesMetadata, type IAxesText } from '../../core/axis-metadata.js';
import type { ParsedCell, ParsedTrialsCsv } from '../../core/csv/index.js';
import {
  type IDisplayFilter,
  NO_FILTER,
  describeDisplayFilter,
  designDisplayFilter,
  filterKey
} from './display-filter.js';
import {
  FEATURE_NAMES,
  type FeatureName,
  type IReduceChunkRequest,
  type IReducedChunk,
  trialLayout
} from './trial-reduction.js';
import { OverlaySpans, overlayColumnCount } from './overlay-raster.js';

/**
 * Trials of the first chunk of a read: the first groups are drawn after a few trials (and
 * without the multi-range endpoint the worker reads a file's first chunk through h5wasm).
 */
export const FIRST_CHUNK_TRIALS = 10;

/**
 * Chunks asked of the worker at once, the one awaited included. The worker fetches two of them
 * at a time (hdf5.worker.ts, its buffers bounded), the third as soon as a reduction ends,
 * without waiting for the page to ask.
 */
export const CHUNKS_IN_FLIGHT = 3;
/**
 * Bytes of trials (as float64) per chunk at most: what the worker holds per chunk being read,
 * so the view's memory does not grow with the trials' size (49 trials of 8 x 2000 samples).
 * Fewer, larger chunks cost less per trial (a request, a journal check, a reply merged on the
 * page); on the benchmark 6 MiB read as fast as 8 MiB, in less memory.
 */
export const CHUNK_BYTES = 6 * 1024 * 1024;

/** The views of the analysis section. */
export type AnalysisMode = 'trial' | 'overlay' | 'average' | 'spectrum' | 'image';
export const ANALYSIS_MODES: readonly AnalysisMode[] = ['trial', 'overlay', 'average', 'spectrum', 'image'];

/** Reduces chunks of trials of one array file (the HDF5 worker in the browser). */
export interface ITrialReducer {
  reduceTrials(chunk: IReduceChunkRequest): Promise<{ reduced: IReducedChunk; bytesFetched: number }>;
}

/** Options of {@link AnalysisModel}. */
export interface IAnalysisModelOptions {
  readonly reducer: ITrialReducer;
  readonly trials: ParsedTrialsCsv;
  /** Sample rate and channel names (the preview model's: sidecar, else settings). */
  readonly metadata?: IArrayAxesMetadata;
  /** Trials per request to the worker at most (default 500; fewer for large trials, CHUNK_BYTES): each chunk's groups are drawn on arrival. */
  readonly chunkSize?: number;
  /**
   * The shape one trial is expected to have (the trial the preview plotted): chunks are sized
   * by it until a reply gives the trials' shape. Without it the first chunk goes alone.
   */
  readonly trialShapeHint?: readonly number[];
  /** A column with at most this many distinct values can group trials (default 16). */
  readonly maxGroups?: number;
  /** Pixel columns of the overlay at most (default 512; the raster is stretched to the plot's width). */
  readonly overlayColumns?: number;
  /** Columns of a row of the epochs image (default 256). */
  readonly imageColumns?: number;
}

/** One group's statistics: its key, label and mean / std / sem per channel and sample. */
export interface IAnalysisGroup extends TrialStats {
  readonly key: ParsedCell | undefined;
  readonly label: string;
}

interface IAtomCache {
  /** Rows whose trials are in the moments. */
  rows: Set<number>;
  moments: RunningMoments | undefined;
  /** Rows in the moments no longer kept, to take out (the atom is not shown until then). */
  removing: Set<number>;
}

interface IFilterCache {
  readonly atoms: Map<number, IAtomCache>;
  /** Every kept trial's spans read for the overlay (made with the first ones). */
  overlay: OverlaySpans | undefined;
  readonly image: Map<number, Float32Array>;
}

/** Text of a group key as the legend shows it. */
function keyText(key: ParsedCell | undefined): string {
  if (key === undefined) return 'all trials';
  if (key === null) return 'missing';
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  return String(key);
}

export class AnalysisModel {
  constructor(options: IAnalysisModelOptions) {
    this._reducer = options.reducer;
    this._trials = options.trials;
    this._metadata = options.metadata ?? {};
    this._chunkSize = options.chunkSize ?? 500;
    this._shapeHint = options.trialShapeHint && trialLayout(options.trialShapeHint);
    this._overlayColumns = options.overlayColumns ?? 512;
    this._imageColumns = options.imageColumns ?? 256;
    this._maxGroups = options.maxGroups ?? 16;
    this._groupable = this._groupableColumns(this._trials);
    this._atoms(0);
    this._kept = [...Array(this._trials.rowCount).keys()];
  }

  /** Emitted whenever results or settings change (after each chunk while reading). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when reading fails (the message names the file's trial). */
  get failed(): ISignal<this, string> {
    return this._failed;
  }

  get metadata(): IArrayAxesMetadata {
    return this._metadata;
  }

  /** Columns that can group trials (few distinct values). */
  get groupableColumns(): readonly string[] {
    return this._groupable;
  }

  get mode(): AnalysisMode {
    return this._mode;
  }
  set mode(mode: AnalysisMode) {
    this._set(() => (this._mode = mode), true);
  }

  /** The column whose values group trials; undefined: one group of all kept trials. */
  get grouping(): string | undefined {
    return this._grouping;
  }
  set grouping(column: string | undefined) {
    if (column !== undefined && !this._groupable.includes(column)) {
      throw new RangeError(
        `cannot group by "${column}": groupable columns are ${this._groupable.join(', ') || 'none'}`
      );
    }
    this._set(() => (this._grouping = column));
  }

  get filter(): IDisplayFilter {
    return this._filter;
  }
  /** A filter the core cannot design (a cutoff past Nyquist) throws here, and is not taken. */
  set filter(filter: IDisplayFilter) {
    designDisplayFilter(filter, this._metadata.sampleRate);
    this._set(() => (this._filter = filter), true);
  }

  /** The filter as the plot states it. */
  get filterText(): string {
    return describeDisplayFilter(this._filter, this._metadata.sampleRate);
  }

  /** The channel of the epochs image and of the spectrum's highlighted trace. */
  get channel(): number {
    return this._channel;
  }
  set channel(channel: number) {
    this._set(() => (this._channel = channel));
  }

  /**
   * Whether the trials' features are read (read again for the trials read without them): the
   * table's feature columns. The image sorted by a feature reads them too.
   */
  get features(): boolean {
    return this._featuresShown;
  }
  set features(shown: boolean) {
    this._set(() => (this._featuresShown = shown), shown);
  }

  /** The feature ordering the epochs image's rows (undefined: trial order). */
  get sortBy(): FeatureName | undefined {
    return this._sortBy;
  }
  set sortBy(feature: FeatureName | undefined) {
    this._set(() => (this._sortBy = feature), feature !== undefined);
  }

  /** Trials (rows of trials.csv) kept by the table's filter or selection, in view order. */
  get kept(): readonly number[] {
    return this._kept;
  }
  setKept(rows: readonly number[]): void {
    if (rows.length === this._kept.length && rows.every((row, i) => row === this._kept[i])) return;
    this._set(() => {
      this._kept = [...rows];
      this._settleAtoms();
    }, true);
  }

  /** (channels, samples) of the trials, once one was read. */
  get trialShape(): readonly [number, number] | undefined {
    return this._trialShape;
  }

  /** Kept trials whose reductions are in, and kept trials in all. */
  get progress(): { readonly done: number; readonly total: number } {
    const cache = this._cache();
    let done = 0;
    for (const row of this._kept) {
      const entry = cache.atoms.get(this._atomOfRow[row]);
      if (entry?.rows.has(row) && entry.removing.size === 0) done++;
    }
    return { done, total: this._kept.length };
  }

  /** True while chunks are being read. */
  get busy(): boolean {
    return this._running;
  }

  /** Bytes the worker moved for the file so far. */
  get bytesFetched(): number {
    return this._bytesFetched;
  }

  /** Trials without this array, and trials of another shape than the first (left out). */
  get skipped(): { readonly missing: readonly number[]; readonly misshapen: readonly number[] } {
    return { missing: [...this._missing], misshapen: [...this._misshapen] };
  }

  /** The axes' names by the core's rule: seconds and channel names with metadata, else "sample" and "channel c". */
  get axes(): IAxesText {
    return describeAxes(this._metadata, this._trialShape?.[0] ?? this._metadata.channelNames?.length ?? 0);
  }

  /** Channel names: the metadata's, else "channel 0..n-1". */
  get channelNames(): string[] {
    return this.axes.channelNames;
  }

  /**
   * Statistics per group of the kept trials read so far, groups in order of first appearance
   * in the table; each group counts its trials read.
   */
  groups(): IAnalysisGroup[] {
    // Computed once per change: a draw, its legend and the test hook all ask for them.
    return (this._groups ??= this._computeGroups());
  }

  private _computeGroups(): IAnalysisGroup[] {
    const shape = this._trialShape;
    if (shape === undefined) return [];
    const cache = this._cache();
    const index = this._grouping === undefined ? -1 : this._groupable.indexOf(this._grouping);
    const merged = new Map<ParsedCell | undefined, RunningMoments>();
    const keptAtoms = new Set(this._keptSets().keptAtoms);
    for (let row = 0; row < this._trials.rowCount; row++) {
      const atom = this._atomOfRow[row];
      if (!keptAtoms.has(atom)) continue;
      const key = index < 0 ? undefined : this._atomKeys[atom][index];
      if (!merged.has(key)) merged.set(key, new RunningMoments(shape[0] * shape[1]));
      keptAtoms.delete(atom);
      const entry = cache.atoms.get(atom);
      if (entry?.moments && entry.removing.size === 0) merged.get(key)!.merge(entry.moments);
    }
    return [...merged]
      .filter(([, moments]) => moments.count > 0)
      .map(([key, moments]) => ({
        key,
        label: index < 0 ? keyText(key) : `${this._grouping} = ${keyText(key)}`,
        ...moments.stats(shape)
      }));
  }

  /**
   * The overlay: the kept trials whose spans are in (every kept trial once read, in view
   * order) and the spans of the current filter (undefined before any).
   */
  overlay(): { readonly rows: readonly number[]; readonly spans: OverlaySpans | undefined } {
    const spans = this._cache().overlay;
    return { rows: spans ? this._kept.filter(row => spans.has(row)) : [], spans };
  }

  /** Welch PSD of each group's mean (per channel): frequencies and (channels, bins) values. */
  spectra(): {
    readonly label: string;
    readonly frequencies: Float64Array;
    readonly psd: Float64Array;
    readonly bins: number;
  }[] {
    return this.groups().map(group => {
      const { frequencies, psd } = welch(group.mean, { fs: this._metadata.sampleRate ?? 1 });
      return { label: group.label, frequencies, psd: psd.data, bins: frequencies.length };
    });
  }

  /**
   * The epochs image of {@link channel}: kept trials read, ordered by {@link sortBy}'s value
   * on that channel; `columns` bucket means per row.
   */
  image(): { readonly rows: number[]; readonly columns: number; readonly data: Float32Array } {
    const cache = this._cache();
    const shape = this._trialShape;
    const rows = this._kept.filter(row => cache.image.has(row));
    if (shape === undefined || rows.length === 0) return { rows: [], columns: 0, data: new Float32Array(0) };
    const columns = Math.min(this._imageColumns, shape[1]);
    const sortValues =
      this._sortBy === undefined ? undefined : rows.map(row => this.feature(row, this._sortBy!, this._channel));
    const order = epochsImageOrder(rows.length, sortValues).map(i => rows[i]);
    const data = new Float32Array(order.length * columns);
    order.forEach((row, r) =>
      data.set(cache.image.get(row)!.subarray(this._channel * columns, (this._channel + 1) * columns), r * columns)
    );
    return { rows: order, columns, data };
  }

  /** Feature `name` of trial `row` on `channel` (NaN until the trial is read). */
  feature(row: number, name: FeatureName, channel: number): number {
    const values = this._features.get(row);
    return values === undefined ? NaN : values[channel * FEATURE_NAMES.length + FEATURE_NAMES.indexOf(name)];
  }

  /**
   * The feature columns for the trials table, `<feature>_<channel>` (the channel's name made an
   * identifier: "FDS", else "channel_0"), NaN for trials not read yet.
   */
  featureColumns(): { readonly name: string; readonly values: number[] }[] {
    if (!this._featuresShown) return [];
    const channels = this._trialShape?.[0] ?? 0;
    const rowCount = this._trials.rowCount;
    const columns: { name: string; values: number[] }[] = [];
    const labels = describeAxes(this._metadata, channels).channelNames.map(name => name.replace(/[^A-Za-z0-9_]/g, '_'));
    for (const feature of FEATURE_NAMES) {
      for (let c = 0; c < channels; c++) {
        columns.push({ name: `${feature}_${labels[c]}`, values: new Array<number>(rowCount).fill(NaN) });
      }
    }
    // One pass over the trials read: column (feature f, channel c) takes value c * features + f.
    const count = FEATURE_NAMES.length;
    for (const [row, values] of this._features) {
      if (row >= rowCount) continue;
      for (let f = 0; f < count; f++)
        for (let c = 0; c < channels; c++) columns[f * channels + c].values[row] = values[c * count + f];
    }
    return columns;
  }

  /**
   * trials.csv read again during a recording: when it only gained rows (same columns, the rows
   * before unchanged, the same groupable columns) the cache stays and only new trials will be
   * read; false when the model must be made anew.
   */
  extendTrials(trials: ParsedTrialsCsv): boolean {
    const old = this._trials;
    if (trials.rowCount < old.rowCount || trials.columns.join('\n') !== old.columns.join('\n')) return false;
    for (const column of old.columns) {
      const before = old.values[column],
        after = trials.values[column];
      for (let row = 0; row < old.rowCount; row++) if (!Object.is(before[row], after[row])) return false;
    }
    if (this._groupableColumns(trials).join('\n') !== this._groupable.join('\n')) return false;
    this._trials = trials;
    this._atoms(old.rowCount);
    this._groups = undefined;
    this._keptSetsOf = undefined;
    this._changed.emit();
    void this.update();
    return true;
  }

  /**
   * The array file's new version (a recording appends datasets; those read stay as they were),
   * read through `reducer` from now on.
   */
  setReducer(reducer: ITrialReducer): void {
    this._reducer = reducer;
    // Trials that had no dataset yet may have one now.
    this._missing.clear();
    void this.update();
  }

  /** Reads what the current settings need and is not cached; resolves when all is in. */
  update(): Promise<void> {
    if (!this._running) {
      this._running = true;
      this._idle = this._readMissing();
    }
    return this._idle;
  }

  dispose(): void {
    this._disposed = true;
    Signal.clearData(this);
  }

  /**
   * Chunk after chunk until nothing is missing, {@link CHUNKS_IN_FLIGHT} asked for at once (the
   * worker fetches the next while it reduces one, and does not wait for the page between them);
   * settings changed meanwhile apply to the next chunk planned.
   */
  private async _readMissing(): Promise<void> {
    let first = true;
    const ask = ():
      | {
          chunk: { key: string; request: IReduceChunkRequest };
          reply: Promise<{ reduced: IReducedChunk; bytesFetched: number }>;
        }
      | undefined => {
      // Sized when asked: by then the first reply may have told the trials' shape.
      const size = first ? Math.min(FIRST_CHUNK_TRIALS, this._chunkTrials()) : this._chunkTrials();
      const chunk = this._disposed ? undefined : this._nextChunk(size);
      first = false;
      if (chunk === undefined) return undefined;
      chunk.request.trials.forEach(({ row }) => this._inFlight.add(row));
      return { chunk, reply: this._reducer.reduceTrials(chunk.request) };
    };
    type Asked = NonNullable<ReturnType<typeof ask>>;
    const queue: Asked[] = [];
    // Until a trial's shape is known (or expected), the first chunk goes alone: the chunks after
    // it are sized by the shape (CHUNK_BYTES), and the worker's buffers with them.
    const fill = () => {
      while (queue.length < (this._sizingShape() === undefined ? 1 : CHUNKS_IN_FLIGHT)) {
        const asked = ask();
        if (asked === undefined) break;
        queue.push(asked);
      }
    };
    try {
      fill();
      while (queue.length > 0) {
        // The chunk awaited counts as in flight until its reply is in: the next are already asked.
        const current = queue[0];
        let reply: { reduced: IReducedChunk; bytesFetched: number };
        try {
          reply = await current.reply;
        } catch (error) {
          this._failed.emit(error instanceof Error ? error.message : String(error));
          await Promise.all(queue.slice(1).map(asked => asked.reply.catch(() => undefined)));
          return;
        } finally {
          queue.shift();
          current.chunk.request.trials.forEach(({ row }) => this._inFlight.delete(row));
        }
        this._bytesFetched = Math.max(this._bytesFetched, reply.bytesFetched);
        this._apply(current.chunk.key, current.chunk.request, reply.reduced);
        this._changed.emit();
        // Nothing awaits between the last look and `finally`: an update() cannot be lost.
        fill();
      }
    } finally {
      this._inFlight.clear();
      this._running = false;
      if (!this._disposed) this._changed.emit();
    }
  }

  /**
   * Atoms holding trials no longer kept, for the kept trials: the fewer of the dropped trials
   * (read again and taken out) and the kept ones (the moments made again from them) are read.
   * An atom with no kept trial is left as it is (not shown; ready if they are kept again).
   */
  private _settleAtoms(): void {
    const { kept, keptAtoms } = this._keptSets();
    for (const cache of this._caches.values()) {
      for (const [atom, entry] of cache.atoms) {
        if (!keptAtoms.has(atom)) continue;
        const dropped = [...entry.rows].filter(row => !kept.has(row));
        if (dropped.length === entry.removing.size && dropped.every(row => entry.removing.has(row))) continue;
        this._groups = undefined;
        if (dropped.length <= entry.rows.size - dropped.length) entry.removing = new Set(dropped);
        else cache.atoms.delete(atom);
      }
    }
  }

  /** The kept rows and their atoms as sets, made again only when the kept rows change. */
  private _keptSets(): { kept: Set<number>; keptAtoms: Set<number> } {
    if (this._keptSetsOf?.rows !== this._kept) {
      const kept = new Set(this._kept);
      const keptAtoms = new Set(this._kept.map(row => this._atomOfRow[row]));
      this._keptSetsOf = { rows: this._kept, kept, keptAtoms };
    }
    return this._keptSetsOf;
  }

  /** The next trials to read for the current settings, or undefined when all are cached. */
  private _nextChunk(size: number): { key: string; request: IReduceChunkRequest } | undefined {
    this._settleAtoms();
    const cache = this._cache();
    const wanted: { row: number; atom: number; remove?: boolean }[] = [];
    // Trials to take out first: their atoms are not shown until then.
    for (const [atom, entry] of cache.atoms)
      for (const row of entry.removing)
        if (wanted.length < size && !this._inFlight.has(row)) wanted.push({ row, atom, remove: true });
    for (const row of this._kept) {
      if (wanted.length >= size) break;
      // A row the table shows before the model's trials.csv has it (extendTrials) waits for it.
      if (row >= this._trials.rowCount || this._missing.has(row) || this._misshapen.has(row) || this._inFlight.has(row))
        continue;
      const atom = this._atomOfRow[row];
      const inMoments = cache.atoms.get(atom)?.rows.has(row) ?? false;
      const needsOverlay = this._mode === 'overlay' && !(cache.overlay?.has(row) ?? false);
      const needsImage = this._mode === 'image' && !cache.image.has(row);
      const needsFeatures = this._featuresNeeded() && !this._features.has(row);
      if (!inMoments) wanted.push({ row, atom });
      // Read again only for its overlay trace, image row or features: not added to the moments twice.
      else if (needsOverlay || needsImage || needsFeatures) wanted.push({ row, atom: -1 });
    }
    if (wanted.length === 0) return undefined;
    return {
      key: filterKey(this._filter),
      request: {
        trials: wanted,
        filter: this._filter,
        sampleRate: this._metadata.sampleRate,
        overlayColumns: this._overlayColumns,
        overlayRows: this._mode === 'overlay' ? wanted.filter(w => !w.remove).map(w => w.row) : [],
        // Image rows only for the image (16 MB for 2000 trials x 8 channels at 256 columns).
        imageColumns: this._mode === 'image' ? this._imageColumns : 0,
        features: this._featuresNeeded(),
        momentsBuffer: this._takeSpare('moments'),
        spansBuffer: this._mode === 'overlay' ? this._takeSpare('spans') : undefined
      }
    };
  }

  private _apply(key: string, request: IReduceChunkRequest, reduced: IReducedChunk): void {
    this._groups = undefined;
    reduced.missing.forEach(row => this._missing.add(row));
    reduced.misshapen.forEach(({ row }) => this._misshapen.add(row));
    if (reduced.trialShape === undefined) return;
    const shape = (this._trialShape ??= [reduced.trialShape[0], reduced.trialShape[1]]);
    if (shape[0] !== reduced.trialShape[0] || shape[1] !== reduced.trialShape[1]) {
      // Another shape than the trials read before: left out, as trials of another shape within a chunk.
      request.trials.forEach(({ row }) => this._misshapen.add(row));
      return;
    }
    const cache = this._cacheFor(key);
    this._applyMoments(cache, request, reduced);
    // Trials the table dropped while they were read: out of the moments shown.
    this._settleAtoms();
    const perTrial = shape[0] * FEATURE_NAMES.length;
    const columns = Math.min(request.imageColumns, shape[1]);
    reduced.rows.forEach((row, i) => {
      if (request.features) this._features.set(row, reduced.features.slice(i * perTrial, (i + 1) * perTrial));
      if (request.imageColumns > 0)
        cache.image.set(row, reduced.image.slice(i * shape[0] * columns, (i + 1) * shape[0] * columns));
    });
    if (reduced.overlay.rows.length > 0) {
      cache.overlay ??= new OverlaySpans(shape[0], overlayColumnCount(shape[1], request.overlayColumns));
      cache.overlay.add(reduced.overlay.rows, reduced.overlay.spans);
      // Kept as bytes: the floats' buffer goes back to the worker for the next chunk's spans.
      this._spares.spans = reduced.overlay.spans.buffer as ArrayBuffer;
    }
  }

  /** Features are read for the table's columns, or for the image sorted by one. */
  private _featuresNeeded(): boolean {
    return this._featuresShown || (this._mode === 'image' && this._sortBy !== undefined);
  }

  /** The trials' shape as read, else as expected; undefined before either is known. */
  private _sizingShape(): readonly [number, number] | undefined {
    return this._trialShape ?? this._shapeHint;
  }

  /** Trials per chunk: the chunkSize option, fewer when that many would exceed CHUNK_BYTES. */
  private _chunkTrials(): number {
    const shape = this._sizingShape();
    if (shape === undefined) return this._chunkSize;
    return Math.max(1, Math.min(this._chunkSize, Math.floor(CHUNK_BYTES / (shape[0] * shape[1] * 8))));
  }

  /** The spare buffer of that kind, for the next chunk asked (then the worker's); taken once. */
  private _takeSpare(kind: 'moments' | 'spans'): ArrayBuffer | undefined {
    const spare = this._spares[kind];
    this._spares[kind] = undefined;
    return spare;
  }

  /** A chunk's moments into its atoms': added, or taken out when the atom still holds those trials. */
  private _applyMoments(cache: IFilterCache, request: IReduceChunkRequest, reduced: IReducedChunk): void {
    let adopted = false;
    const read = new Set(reduced.rows);
    const rowsOf = (atom: number, remove: boolean): number[] =>
      request.trials.filter(t => t.atom === atom && (t.remove ?? false) === remove && read.has(t.row)).map(t => t.row);
    for (const { atom, remove, count, mean, m2 } of reduced.atoms) {
      const rows = rowsOf(atom, remove);
      const moments = new RunningMoments(mean.length, mean, m2);
      moments.count = count;
      const entry = cache.atoms.get(atom);
      if (remove) {
        // Made again meanwhile (from kept trials only): nothing to take out of it.
        if (!entry?.moments || !rows.every(row => entry.rows.has(row))) continue;
        entry.moments.remove(moments);
        rows.forEach(row => (entry.rows.delete(row), entry.removing.delete(row)));
      } else if (entry?.moments) {
        entry.moments.merge(moments);
        rows.forEach(row => entry.rows.add(row));
      } else {
        // The worker's arrays, transferred, become the atom's: no copy.
        cache.atoms.set(atom, { rows: new Set(rows), moments, removing: new Set() });
        adopted = true;
      }
    }
    // Merged into atoms that were there: the buffer goes back to the worker with the next chunk.
    if (!adopted && reduced.atoms.length > 0) this._spares.moments = reduced.atoms[0].mean.buffer as ArrayBuffer;
  }

  private _groupableColumns(trials: ParsedTrialsCsv): string[] {
    return trials.columns.filter(column => new Set(trials.values[column]).size <= this._maxGroups);
  }

  /** The atom of each row from `from` on: the index of its tuple of groupable columns' values. */
  private _atoms(from: number): void {
    for (let row = from; row < this._trials.rowCount; row++) {
      const tuple = this._groupable.map(column => this._trials.values[column][row]);
      const text = JSON.stringify(
        tuple.map(v => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : typeof v === 'bigint' ? `${v}n` : v))
      );
      let atom = this._atomIndex.get(text);
      if (atom === undefined) {
        atom = this._atomKeys.length;
        this._atomIndex.set(text, atom);
        this._atomKeys.push(tuple);
      }
      this._atomOfRow[row] = atom;
    }
  }

  private _cache(): IFilterCache {
    return this._cacheFor(filterKey(this._filter));
  }

  private _cacheFor(key: string): IFilterCache {
    let cache = this._caches.get(key);
    if (!cache) {
      cache = { atoms: new Map(), overlay: undefined, image: new Map() };
      this._caches.set(key, cache);
      // Caches of two filters at most: the current one and the one before it.
      while (this._caches.size > 2) this._caches.delete(this._caches.keys().next().value as string);
    }
    return cache;
  }

  private _set(change: () => void, needsReading = false): void {
    change();
    this._groups = undefined;
    this._changed.emit();
    if (needsReading) void this.update();
  }

  private _reducer: ITrialReducer;
  private _trials: ParsedTrialsCsv;
  private readonly _maxGroups: number;
  private readonly _atomIndex = new Map<string, number>();
  private readonly _metadata: IArrayAxesMetadata;
  private readonly _chunkSize: number;
  private readonly _shapeHint: readonly [number, number] | undefined;
  private readonly _overlayColumns: number;
  private readonly _imageColumns: number;
  private readonly _groupable: string[];
  private readonly _atomKeys: (ParsedCell | undefined)[][] = [];
  private readonly _atomOfRow: number[] = [];
  private readonly _caches = new Map<string, IFilterCache>();
  private readonly _features = new Map<number, Float64Array>();
  private _featuresShown = false;
  private readonly _missing = new Set<number>();
  private readonly _misshapen = new Set<number>();
  /** Rows of the chunks asked for and not yet applied. */
  private readonly _inFlight = new Set<number>();
  private _kept: number[];
  private _mode: AnalysisMode = 'trial';
  private _grouping: string | undefined;
  private _filter: IDisplayFilter = NO_FILTER;
  private _channel = 0;
  private _sortBy: FeatureName | undefined;
  private _trialShape: [number, number] | undefined;
  /**
   * Buffers of chunks the page is done with, sent back to the worker with the next chunk asked:
   * a chunk's moments no atom kept, and an overlay chunk's spans (kept as bytes once merged).
   */
  private readonly _spares: { moments?: ArrayBuffer; spans?: ArrayBuffer } = {};
  private _bytesFetched = 0;
  private _groups: IAnalysisGroup[] | undefined;
  private _keptSetsOf: { rows: readonly number[]; kept: Set<number>; keptAtoms: Set<number> } | undefined;
  private _running = false;
  private _idle: Promise<void> = Promise.resolve();
  private _disposed = false;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _failed = new Signal<this, string>(this);
}
