/**
 * What a task preview shows, without the DOM: trials.csv parsed, the selected trial's dataset of
 * every `<array>.hdf5` (row index -> dataset name by the core's datasetNameForRow), the task's
 * pickles. Keeps itself fresh while polled: a listing per refresh, and trials.csv or an array
 * file re-read only when its modification time or size changed. Views listen to its signals.
 */
import { Poll } from '@lumino/polling';
import { Signal, type ISignal } from '@lumino/signaling';
import { parseTrialsCsv, type ParsedTrialsCsv } from '../../core/csv/index.js';
import {
  arrayNameOfFile,
  datasetNameForRow,
  joinPath,
  pickleNameOfFile,
  sortIds,
  TRIALS_CSV
} from '../../core/layout.js';
import { requireBrowserReadable } from '../../core/csv/line-guard.js';
import type { IPickleItem } from './pickle-tree.js';
import { describeArrayReadError } from '../../core/plot-text.js';
import { stampOf, type IFolderEntry } from '../provider/types.js';
import type { ITaskFilesSource } from './check.js';
import { SidecarReader, type IArrayMetadataReading, type ISidecarReading } from './array-metadata.js';
import { resolveArrayMetadata, type IArrayMetadataSetting } from '../../core/axis-metadata.js';
import type { IArrayData, IArrayProvider, IFileVersion } from '../hdf5/provider.js';

/** Options of {@link TaskPreviewModel}. */
export interface ITaskPreviewModelOptions {
  readonly taskPath: string;
  readonly source: ITaskFilesSource;
  readonly arrays: IArrayProvider;
  /** Milliseconds between refreshes once polling started (default 2000). */
  readonly refreshInterval?: number;
  /** Longest trials.csv line accepted, in bytes (undefined: the core's default). */
  readonly maxLineBytes?: number;
  /**
   * Loads a pickle's bytes into its display tree's root item (the page gives the pickle
   * worker's, pickle-in-worker.ts, so a hostile pickle never holds up the page).
   */
  readonly loadPickleItem: (bytes: Uint8Array, path: string, name: string) => Promise<IPickleItem>;
  /** The `arrayMetadata` setting: sample rates and channel names per storage root (and array). */
  readonly metadataSettings?: readonly IArrayMetadataSetting[];
}

/** trials.csv as last read: its table, or why there is none. */
export interface ITrialsState {
  readonly parsed?: ParsedTrialsCsv;
  /** "missing": no trials.csv in the folder yet; else the reading's error message. */
  readonly error?: 'missing' | string;
}

/** One array file's shown trial. */
export interface IArrayState {
  readonly name: string;
  readonly file: IFileVersion;
  /** idle: no trial selected; missing: the trial has no dataset in this file. */
  status: 'idle' | 'loading' | 'plotted' | 'missing' | 'error';
  /** The trial shown (or being read). */
  trial?: number;
  dataset?: string;
  /** True while a read raced a writer flushing the file (read again on the next refresh). */
  beingWritten?: boolean;
  array?: IArrayData;
  error?: { summary: string; detail: string };
  bytesFetched?: number;
}

/** One pickle file: its display tree or why it could not be read. */
export interface IPickleState {
  readonly fileName: string;
  readonly name: string;
  readonly item?: IPickleItem;
  readonly error?: string;
}

/** The model of one task preview. */
export class TaskPreviewModel {
  constructor(private readonly _options: ITaskPreviewModelOptions) {
    this._sidecars = new SidecarReader(_options.source);
    this._metadataSettings = _options.metadataSettings ?? [];
    const interval = _options.refreshInterval ?? 2000;
    this._poll = new Poll({
      name: `jupyterlab-axopy:preview:${_options.taskPath}`,
      auto: false,
      factory: () => this.refresh(),
      frequency: { interval, backoff: true, max: interval * 15 },
      standby: 'when-hidden'
    });
  }

  /** Where the task's files and arrays are read from (the analysis view reads through them too). */
  get source(): ITaskFilesSource {
    return this._options.source;
  }

  get arrayProvider(): IArrayProvider {
    return this._options.arrays;
  }

  get taskPath(): string {
    return this._options.taskPath;
  }

  get trials(): ITrialsState {
    return this._trials;
  }

  /** Array files by name, in code-point order of their file names. */
  get arrays(): ReadonlyMap<string, IArrayState> {
    return this._arrays;
  }

  /**
   * An array's sample rate and channel names, once its sidecar was looked for: the sidecar's
   * `<array>.json`, else the settings' (core/axis-metadata.ts), each field with its source; and
   * why the sidecar is not used. The same object until one of them changes.
   */
  metadataOf(name: string): IArrayMetadataReading | undefined {
    return this._metadata.get(name);
  }

  /** The `arrayMetadata` setting changed: arrays whose metadata changes are shown again. */
  setMetadataSettings(settings: readonly IArrayMetadataSetting[]): void {
    this._metadataSettings = settings;
    for (const [name, reading] of this._sidecarReadings) this._resolveMetadata(name, reading);
  }

  /**
   * What the task lacks, from the last listing: 'arrays' (no array file), 'arrays-and-pickles'
   * (trials.csv alone), '' (it has array files), undefined before the first listing.
   */
  get missingFiles(): '' | 'arrays' | 'arrays-and-pickles' | undefined {
    return this._missingFiles;
  }

  get pickles(): readonly IPickleState[] {
    return this._pickles;
  }

  get selectedTrial(): number | undefined {
    return this._selected;
  }

  /** trials.csv was read (or was missing) or its error changed. */
  get trialsChanged(): ISignal<this, void> {
    return this._trialsChanged;
  }

  /** An array file appeared, went, or its shown trial changed state (its name; undefined: the set). */
  get arraysChanged(): ISignal<this, string | undefined> {
    return this._arraysChanged;
  }

  get picklesChanged(): ISignal<this, void> {
    return this._picklesChanged;
  }

  get selectionChanged(): ISignal<this, number | undefined> {
    return this._selectionChanged;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Starts: reads trial 0 ahead (its dataset name is known without the table), refreshes now
   * and polls from one interval later.
   */
  start(): void {
    const interval = this._options.refreshInterval ?? 2000;
    this._options.arrays.readAheadFolder?.(this._options.taskPath, datasetNameForRow(0));
    void this.refresh();
    // A model disposed at once disposes the poll while this schedule awaits its previous tick,
    // and Lumino's Poll then rejects it: nothing to report.
    this._poll.schedule({ phase: 'started', interval }).catch(() => undefined);
  }

  /** Shows another trial's arrays (undefined: none). */
  select(trial: number | undefined): void {
    if (trial === this._selected) return;
    this._selected = trial;
    this._selectionChanged.emit(trial);
    for (const name of this._arrays.keys()) void this._read(name);
  }

  /**
   * Re-lists the task and re-reads what changed. A call while a refresh runs is served by one
   * more refresh after it, shared by all such calls: the files may have changed since the
   * running one listed them, and overlapping refreshes would read the same files twice.
   */
  refresh(): Promise<void> {
    if (this._disposed) return Promise.resolve();
    if (this._refreshing === undefined) {
      this._refreshing = this._refreshOnce().finally(() => (this._refreshing = undefined));
      return this._refreshing;
    }
    this._refreshQueued ??= this._refreshing.then(() => {
      this._refreshQueued = undefined;
      return this.refresh();
    });
    return this._refreshQueued;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _refreshOnce(): Promise<void> {
    const { source, taskPath } = this._options;
    let entries: IFolderEntry[];
    try {
      entries = (await source.listFolder(taskPath)).filter(entry => !entry.isFolder);
    } catch (error) {
      if (!this._disposed) this._setTrials({ error: `${taskPath}: ${(error as Error).message}` });
      return;
    }
    if (this._disposed) return;
    const byName = new Map(entries.map(entry => [entry.name, entry]));
    const arrayEntries = sortIds(entries.map(e => e.name).filter(n => arrayNameOfFile(n) !== undefined)).map(n =>
      byName.get(n)!
    );
    const trials = this._refreshTrials(byName.get(TRIALS_CSV));
    // Before trials.csv is first read the arrays show trial 0: their reads start now, in
    // parallel with reading the table.
    this._refreshArrays(arrayEntries);
    const hasPickles = entries.some(entry => pickleNameOfFile(entry.name) !== undefined);
    const missing = arrayEntries.length > 0 ? '' : hasPickles ? 'arrays' : 'arrays-and-pickles';
    if (missing !== this._missingFiles) {
      this._missingFiles = missing;
      this._arraysChanged.emit(undefined);
    }
    void this._refreshSidecars(arrayEntries, byName);
    await trials;
    if (this._disposed) return;
    await this._refreshPickles(entries.filter(entry => pickleNameOfFile(entry.name) !== undefined));
  }

  private async _refreshTrials(entry: IFolderEntry | undefined): Promise<void> {
    if (entry === undefined) {
      this._trialsStamp = undefined;
      this._setTrials({ error: 'missing' });
      this._settleTrials();
      return;
    }
    const stamp = stampOf(entry);
    if (stamp === this._trialsStamp) return;
    let parsed: ParsedTrialsCsv | undefined;
    try {
      requireBrowserReadable(`${this._options.taskPath}/${TRIALS_CSV}`, entry.size);
      const text = await this._options.source.readText(entry.path);
      if (this._disposed) return;
      parsed = parseTrialsCsv(text, `${this._options.taskPath}/${TRIALS_CSV}`, {
        ignoreIncompleteLastLine: true,
        maxLineBytes: this._options.maxLineBytes
      });
      this._setTrials({ parsed });
    } catch (error) {
      this._setTrials({ error: (error as Error).message });
    }
    this._trialsStamp = stamp;
    if (parsed !== undefined && parsed.rowCount > 0 && this._selected === undefined && !this._selectedOnce) {
      this._selectedOnce = true;
      this.select(0);
    }
    this._settleTrials();
  }

  private _setTrials(trials: ITrialsState): void {
    this._trials = trials;
    this._trialsChanged.emit();
  }

  /**
   * Marks trials.csv as read once (whatever came of it): from then on the arrays show the
   * selected trial; those that showed trial 0 ahead of the table follow the selection.
   */
  private _settleTrials(): void {
    if (this._trialsSettled) return;
    this._trialsSettled = true;
    for (const name of this._arrays.keys()) void this._read(name);
  }

  /** The trial whose arrays are shown: row 0 until trials.csv is read, then the selection. */
  private get _shownTrial(): number | undefined {
    return this._trialsSettled ? this._selected : 0;
  }

  /** Reads each array's `<array>.json` when it appears or changes. */
  private async _refreshSidecars(
    arrayEntries: IFolderEntry[],
    byName: ReadonlyMap<string, IFolderEntry>
  ): Promise<void> {
    await Promise.all(
      arrayEntries.map(async entry => {
        const name = arrayNameOfFile(entry.name)!;
        const reading = await this._sidecars.read(name, byName.get(`${name}.json`));
        if (reading === undefined || this._disposed) return;
        this._sidecarReadings.set(name, reading);
        this._resolveMetadata(name, reading);
      })
    );
  }

  /** Merges an array's sidecar with the settings; emits when the outcome changed. */
  private _resolveMetadata(name: string, sidecar: ISidecarReading): void {
    const { taskPath } = this._options;
    const metadata = resolveArrayMetadata(
      taskPath,
      name,
      sidecar.metadata,
      // Not arraySidecarPath: a listed file's name is shown, never refused as an id.
      joinPath(taskPath, `${name}.json`),
      this._metadataSettings
    );
    const reading = { metadata, problem: sidecar.problem };
    if (JSON.stringify(reading) === JSON.stringify(this._metadata.get(name))) return;
    this._metadata.set(name, reading);
    if (this._arrays.has(name)) this._arraysChanged.emit(name);
  }

  private _refreshArrays(entries: IFolderEntry[]): void {
    const names = new Set(entries.map(entry => arrayNameOfFile(entry.name)!));
    let setChanged = false;
    for (const name of [...this._arrays.keys()]) {
      if (!names.has(name)) {
        this._arrays.delete(name);
        setChanged = true;
      }
    }
    for (const entry of entries) {
      const name = arrayNameOfFile(entry.name)!;
      const previous = this._arrays.get(name);
      const file = { path: entry.path, stamp: stampOf(entry) };
      if (previous === undefined) {
        this._arrays.set(name, { name, file, status: 'idle' });
        setChanged = true;
        void this._read(name);
      } else if (previous.file.stamp !== file.stamp) {
        this._arrays.set(name, { ...previous, file });
        // A trial without data yet may have it now; a plotted trial's data does not change.
        if (previous.status !== 'plotted') void this._read(name);
      }
    }
    if (setChanged) this._arraysChanged.emit(undefined);
  }

  /**
   * Reads the shown trial's dataset of one array file; the newest request wins. A request for
   * what is already read or being read (same dataset, same file version) is dropped.
   */
  private async _read(name: string): Promise<void> {
    const current = this._arrays.get(name);
    const trial = this._shownTrial;
    if (current === undefined) return;
    const { file } = current;
    const request = `${trial === undefined ? '' : datasetNameForRow(trial)}\n${file.path}\n${file.stamp}`;
    if (
      trial !== undefined &&
      this._requests.get(name) === request &&
      (current.status === 'loading' || current.status === 'plotted')
    )
      return;
    this._requests.set(name, request);
    const ticket = (this._tickets.get(name) ?? 0) + 1;
    this._tickets.set(name, ticket);
    if (trial === undefined) {
      this._setArray({ name, file, status: 'idle' });
      return;
    }
    const dataset = datasetNameForRow(trial);
    this._setArray({ name, file, status: 'loading', trial, dataset });
    const stale = (): boolean => this._tickets.get(name) !== ticket || this._disposed;
    try {
      const array = await this._options.arrays.readDataset(file, dataset);
      if (stale()) return;
      const bytesFetched = this._options.arrays.bytesFetched(file.path);
      this._setArray(
        array === undefined
          ? { name, file, status: 'missing', trial, dataset, bytesFetched }
          : { name, file, status: 'plotted', trial, dataset, array, bytesFetched }
      );
    } catch (error) {
      if (stale()) return;
      if (await this._changedSince(file)) {
        // The read raced a writer flushing the file: not a bad file. The next refresh sees the
        // new stamp and reads again.
        if (!stale()) this._setArray({ name, file, status: 'loading', trial, dataset, beingWritten: true });
        return;
      }
      if (stale()) return;
      const worded = describeArrayReadError(file.path.split('/').pop() ?? file.path, (error as Error).message);
      this._setArray({ name, file, status: 'error', trial, dataset, error: worded });
    }
  }

  private _setArray(state: IArrayState): void {
    if (!this._arrays.has(state.name)) return;
    this._arrays.set(state.name, state);
    this._arraysChanged.emit(state.name);
  }

  /** Whether a file's listing no longer matches the version a read started from. */
  private async _changedSince(file: IFileVersion): Promise<boolean> {
    try {
      const entries = await this._options.source.listFolder(this._options.taskPath);
      const now = entries.find(entry => entry.path === file.path);
      return now !== undefined && stampOf(now) !== file.stamp;
    } catch {
      return false;
    }
  }

  private async _refreshPickles(entries: IFolderEntry[]): Promise<void> {
    const stamp = entries.map(stampOf).join('\n');
    if (stamp === this._picklesStamp) return;
    this._picklesStamp = stamp;
    const pickles: IPickleState[] = [];
    for (const entry of entries) {
      const name = pickleNameOfFile(entry.name)!;
      try {
        const bytes = await this._options.source.readBytes(entry.path);
        if (this._disposed) return;
        const item = await this._options.loadPickleItem(bytes, entry.path, name);
        if (this._disposed) return;
        pickles.push({ fileName: entry.name, name, item });
      } catch (error) {
        pickles.push({ fileName: entry.name, name, error: `${(error as Error).name}: ${(error as Error).message}` });
      }
    }
    this._pickles = pickles;
    this._picklesChanged.emit();
  }

  private readonly _poll: Poll;
  private readonly _arrays = new Map<string, IArrayState>();
  private readonly _tickets = new Map<string, number>();
  /** What each array's latest read is for (dataset, path and stamp of its file). */
  private readonly _requests = new Map<string, string>();
  private readonly _sidecars: SidecarReader;
  private readonly _sidecarReadings = new Map<string, ISidecarReading>();
  private readonly _metadata = new Map<string, IArrayMetadataReading>();
  private _metadataSettings: readonly IArrayMetadataSetting[];
  private _missingFiles: '' | 'arrays' | 'arrays-and-pickles' | undefined;
  private readonly _trialsChanged = new Signal<this, void>(this);
  private readonly _arraysChanged = new Signal<this, string | undefined>(this);
  private readonly _picklesChanged = new Signal<this, void>(this);
  private readonly _selectionChanged = new Signal<this, number | undefined>(this);
  private _trials: ITrialsState = {};
  private _pickles: IPickleState[] = [];
  private _selected: number | undefined;
  private _trialsStamp: string | undefined;
  private _picklesStamp: string | undefined;
  private _trialsSettled = false;
  private _selectedOnce = false;
  private _disposed = false;
  private _refreshing: Promise<void> | undefined;
  private _refreshQueued: Promise<void> | undefined;
}
