/**
 * The preview of one task: its trials table on the left; on the right, the selected trial's
 * array of every `<array>.hdf5` (row index -> dataset name by the core's datasetNameForRow) and
 * the task's pickles. Keeps itself fresh while open: a listing per refresh, and trials.csv or
 * an array file re-read only when its modification time or size changed. A file that cannot be
 * read shows an error naming it; the rest keeps working.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import type { Message } from '@lumino/messaging';
import { Panel, SplitPanel, Widget } from '@lumino/widgets';
import { parseTrialsCsv } from '../../core/csv/index.js';
import { requireBrowserReadable } from '../../core/csv/lineGuard.js';
import { arrayNameOfFile, datasetNameForRow, pickleNameOfFile, sortIds, TRIALS_CSV } from '../../core/layout.js';
import { describeArrayReadError } from '../../core/plotText.js';
import { stampOf, type IFolderEntry } from '../provider/types.js';
import { ArrayPlot, type IPlotSummary } from './array-plot.js';
import type { ITaskFilesSource } from './check.js';
import { pickleItemInWorker } from './pickle-in-worker.js';
import type { IArrayProvider } from './providers.js';
import { renderPickleItem } from './report-views.js';
import { watchTheme } from './theme.js';
import { TrialsGrid } from './trials-grid.js';
import type { IAnalysisState } from '../analysis/analysis-section.js';
import { PreviewAnalysis } from '../analysis/preview-analysis.js';

/** What a preview shows, published for tests and diagnostics (data, not pixels). */
export interface ITaskPreviewState {
  taskPath: string;
  columns: string[];
  /** Column headers as the grid draws them (name, dtype, sort direction). */
  headers: string[];
  /** The trials summary line (counts, a filter that does not parse). */
  trialsSummary: string;
  dtypes: Record<string, string>;
  rowCount: number;
  /** Trials in view order (first 50). */
  viewTrials: number[];
  /** Their cells' texts, read from the grid's data model (what it draws). */
  viewCells: string[][];
  selectedTrial: number | undefined;
  trialsError: string | undefined;
  arrays: Record<string, { status: 'loading' | 'plotted' | 'missing' | 'error' | 'idle'; dataset?: string; message?: string; summary?: IPlotSummary; bytesFetched?: number }>;
  pickles: Record<string, { status: 'shown' | 'error'; message?: string }>;
  /** The analysis view of each array (mode, groups and their statistics from the model). */
  analysis: Record<string, IAnalysisState>;
  /** Increments on every change of this state. */
  version: number;
}

/** Options of {@link TaskPreview}. */
export interface ITaskPreviewOptions {
  readonly taskPath: string;
  readonly source: ITaskFilesSource;
  readonly arrays: IArrayProvider;
  readonly trans: TranslationBundle;
  readonly maxChannels: number;
  readonly refreshInterval: number;
}

const VIEW_ROWS_PUBLISHED = 50;

/** One array file's section: a heading, a message line, the plot. */
class ArraySection extends Widget {
  constructor(readonly name: string, trans: TranslationBundle, maxChannels: number, onDraw: (s: IPlotSummary) => void) {
    super();
    this.addClass('jp-AxoPyPreview-array');
    this.node.dataset.array = name;
    this.heading = document.createElement('h3');
    this.heading.className = 'jp-AxoPyPreview-arrayHeading';
    this.message = document.createElement('div');
    this.message.className = 'jp-AxoPyPreview-message';
    this.detail = document.createElement('pre');
    this.detail.className = 'jp-AxoPyPreview-errorDetail';
    this.detail.hidden = true;
    this.plot = new ArrayPlot({ trans, maxChannels, onDraw });
    this.node.append(this.heading, this.message, this.detail, this.plot.node);
  }

  /** Shows a message line: an error (in the theme's error colours, raw detail below) or not. */
  say(text: string, error?: { detail: string }): void {
    this.message.textContent = text;
    this.message.classList.toggle('jp-AxoPyPreview-error', error !== undefined);
    this.message.setAttribute('role', error !== undefined ? 'alert' : 'status');
    this.detail.textContent = error?.detail ?? '';
    this.detail.hidden = error === undefined;
  }

  readonly detail: HTMLPreElement;

  readonly heading: HTMLHeadingElement;
  readonly message: HTMLDivElement;
  readonly plot: ArrayPlot;

  dispose(): void {
    this.plot.dispose();
    super.dispose();
  }
}

/** The preview of a task folder. */
export class TaskPreview extends SplitPanel {
  constructor(private readonly _options: ITaskPreviewOptions) {
    super({ orientation: 'horizontal' });
    this.addClass('jp-AxoPyPreview');
    this.node.dataset.taskPath = _options.taskPath;
    const { trans } = _options;
    this._grid = new TrialsGrid(trans);
    this._grid.trialSelected.connect((_, trial) => this._onTrialSelected(trial));
    this._grid.viewChanged.connect(() => this._publishTable());
    this._trialsError = document.createElement('div');
    this._trialsError.className = 'jp-AxoPyPreview-error';
    this._trialsError.hidden = true;
    const left = new Panel();
    left.addClass('jp-AxoPyPreview-left');
    left.addWidget(new Widget({ node: this._trialsError }));
    left.addWidget(this._grid);
    this._details = new Panel();
    this._details.addClass('jp-AxoPyPreview-details');
    this._trialHeading = document.createElement('h2');
    this._trialHeading.className = 'jp-AxoPyPreview-trialHeading';
    this._details.addWidget(new Widget({ node: this._trialHeading }));
    this._pickles = document.createElement('div');
    this._pickles.className = 'jp-AxoPyPreview-pickles';
    this._pickleWidget = new Widget({ node: this._pickles });
    this.addWidget(left);
    this.addWidget(this._details);
    this.setRelativeSizes([2, 3]);
    this._state = {
      taskPath: _options.taskPath, columns: [], headers: [], trialsSummary: '', dtypes: {}, rowCount: 0, viewTrials: [], viewCells: [],
      selectedTrial: undefined, trialsError: undefined, arrays: {}, pickles: {}, analysis: {}, version: 0
    };
    this._analysis = new PreviewAnalysis({ ..._options, grid: this._grid, publish: () => this._publish() });
    // Computed when read (the statistics of every group are large): a getter on the state.
    Object.defineProperty(this._state, 'analysis', { get: () => this._analysis.state(), enumerable: true });
    this._stopThemeWatch = watchTheme(() => {
      this._grid.applyTheme();
      this._sections.forEach(section => section.plot.redraw());
    });
    this._poll = new Poll({
      name: `jupyterlab-axopy:preview:${_options.taskPath}`,
      auto: false,
      factory: () => this.refresh(),
      frequency: { interval: _options.refreshInterval, backoff: true, max: _options.refreshInterval * 15 },
      standby: 'when-hidden'
    });
    // The first load starts now, before the widget is laid out (its requests overlap that
    // work); polling takes over one interval later. The arrays' provider reads trial 0 ahead,
    // listing the task itself: the page's listing reply waits behind the layout of the new tab.
    _options.arrays.readAheadFolder?.(_options.taskPath, datasetNameForRow(0));
    void this.refresh();
    // A preview closed at once disposes the poll while this schedule awaits its previous tick,
    // and Lumino's Poll then rejects it (reading its cleared tick): nothing to report.
    this._poll.schedule({ phase: 'started', interval: _options.refreshInterval }).catch(() => undefined);
  }

  /** What is shown now (also published on `window.__axopyPreviews[taskPath]`). */
  get state(): Readonly<ITaskPreviewState> {
    return this._state;
  }

  get grid(): TrialsGrid {
    return this._grid;
  }

  /** Makes the next activation (now, if active) put the keyboard in the trials table. */
  focusTable(): void {
    this._focusTableOnActivate = true;
    if (this.isVisible && this.node.contains(document.activeElement)) this._focusGrid();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this._focusTableOnActivate) this._focusGrid();
  }

  private _focusGrid(): void {
    this._focusTableOnActivate = false;
    this._grid.grid.activate();
  }

  /**
   * Re-lists the task and re-reads what changed. A call while a refresh runs (a poll tick, the
   * sidebar's change signal) is served by one more refresh after it, shared by all such calls:
   * the files may have changed since the running one listed them, and overlapping refreshes
   * would read the same files twice.
   */
  refresh(): Promise<void> {
    if (this.isDisposed) {
      return Promise.resolve();
    }
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

  private async _refreshOnce(): Promise<void> {
    const { source, taskPath } = this._options;
    let entries: IFolderEntry[];
    try {
      entries = (await source.listFolder(taskPath)).filter(entry => !entry.isFolder);
    } catch (error) {
      if (!this.isDisposed) this._showTrialsError(`${taskPath}: ${(error as Error).message}`);
      return;
    }
    // Closed while the listing was on its way: its widgets are gone.
    if (this.isDisposed) return;
    const byName = new Map(entries.map(entry => [entry.name, entry]));
    const arrayEntries = sortIds(entries.map(e => e.name).filter(n => arrayNameOfFile(n) !== undefined)).map(n => byName.get(n)!);
    const trials = this._refreshTrials(byName.get(TRIALS_CSV));
    // Before trials.csv is first read, the arrays show trial 0 (see _shownTrial): their reads
    // start now, in parallel with reading and drawing the table.
    this._refreshArrays(arrayEntries);
    await trials;
    if (this.isDisposed) return;
    await this._refreshPickles(entries.filter(entry => pickleNameOfFile(entry.name) !== undefined));
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._poll.dispose();
    this._stopThemeWatch();
    this._analysis.dispose();
    const previews = publishedPreviews();
    if (previews[this._options.taskPath] === this._state) delete previews[this._options.taskPath];
    super.dispose();
  }

  private async _refreshTrials(entry: IFolderEntry | undefined): Promise<void> {
    const path = `${this._options.taskPath}/${TRIALS_CSV}`;
    if (entry === undefined) {
      this._showTrialsError(this._options.trans.__('No trials.csv in %1 yet', this._options.taskPath));
      this._settleTrials();
      return;
    }
    const stamp = stampOf(entry);
    if (stamp === this._trialsStamp) return;
    try {
      requireBrowserReadable(path, entry.size);
      const text = await this._options.source.readText(entry.path);
      if (this.isDisposed) return;
      const parsed = parseTrialsCsv(text, path, { ignoreIncompleteLastLine: true });
      this._trialsStamp = stamp;
      this._showTrialsError(undefined);
      this._grid.setContents(this._grid.view.withContents(parsed));
      this._analysis.trialsChanged(parsed);
      if (this._grid.selectedTrial === undefined && parsed.rowCount > 0 && !this._selectedOnce) {
        this._selectedOnce = true;
        this._grid.selectTrial(0);
      }
    } catch (error) {
      this._trialsStamp = stamp;
      this._showTrialsError((error as Error).message);
    }
    this._settleTrials();
  }

  /**
   * Marks trials.csv as read once (whatever came of it): from then on the arrays show the
   * selected trial; those that showed trial 0 ahead of the table follow the table's selection.
   */
  private _settleTrials(): void {
    if (this._trialsSettled) return;
    this._trialsSettled = true;
    for (const name of this._sections.keys()) void this._plot(name);
  }

  /**
   * The trial whose arrays are shown: the table's selection; until trials.csv has been read
   * once, row 0, which the table selects first when it has rows. Its dataset name ("0") is
   * known without the table, so its read need not wait for trials.csv.
   */
  private get _shownTrial(): number | undefined {
    return this._trialsSettled ? this._grid.selectedTrial : 0;
  }

  private _showTrialsError(message: string | undefined): void {
    this._trialsError.hidden = message === undefined;
    this._trialsError.textContent = message ?? '';
    this._state.trialsError = message;
    this._publish();
  }

  private _refreshArrays(entries: IFolderEntry[]): void {
    const names = new Set(entries.map(entry => arrayNameOfFile(entry.name)!));
    for (const [name, section] of this._sections) {
      if (!names.has(name)) {
        section.dispose();
        this._sections.delete(name);
        this._arrayFiles.delete(name);
        this._analysis.detach(name);
        delete this._state.arrays[name];
      }
    }
    for (const entry of entries) {
      const name = arrayNameOfFile(entry.name)!;
      const previous = this._arrayFiles.get(name);
      const version = { path: entry.path, stamp: stampOf(entry) };
      this._arrayFiles.set(name, version);
      this._analysis.setFile(name, version);
      if (!this._sections.has(name)) {
        const section = new ArraySection(name, this._options.trans, this._options.maxChannels, summary => {
          const state = this._state.arrays[name];
          if (state !== undefined) state.summary = summary;
          this._publish();
        });
        section.heading.textContent = entry.name;
        this._sections.set(name, section);
        this._details.insertWidget(this._details.widgets.indexOf(this._pickleWidget) >= 0 ? this._details.widgets.indexOf(this._pickleWidget) : this._details.widgets.length, section);
        this._state.arrays[name] = { status: 'idle' };
        this._analysis.attach(name, section.node, section.message, [section.message, section.plot.node], version);
        void this._plot(name);
      } else if (previous?.stamp !== version.stamp && this._state.arrays[name]?.status !== 'plotted') {
        // A trial without data yet may have it now; a plotted trial's data does not change.
        void this._plot(name);
      }
    }
  }

  private async _refreshPickles(entries: IFolderEntry[]): Promise<void> {
    if (entries.length > 0 && !this._details.widgets.includes(this._pickleWidget)) {
      this._details.addWidget(this._pickleWidget);
    }
    const stamp = entries.map(stampOf).join('\n');
    if (stamp === this._picklesStamp) return;
    this._picklesStamp = stamp;
    const sections: HTMLElement[] = [];
    this._state.pickles = {};
    for (const entry of entries) {
      const section = document.createElement('section');
      section.className = 'jp-AxoPyPreview-pickle';
      section.dataset.pickle = entry.name;
      const heading = document.createElement('h3');
      heading.textContent = entry.name;
      section.appendChild(heading);
      try {
        const bytes = await this._options.source.readBytes(entry.path);
        if (this.isDisposed) return;
        const item = await pickleItemInWorker(bytes, entry.path, pickleNameOfFile(entry.name)!);
        if (this.isDisposed) return;
        section.appendChild(renderPickleItem(item));
        this._state.pickles[entry.name] = { status: 'shown' };
      } catch (error) {
        const message = document.createElement('div');
        message.className = 'jp-AxoPyPreview-error';
        message.textContent = `${(error as Error).name}: ${(error as Error).message}`;
        section.appendChild(message);
        this._state.pickles[entry.name] = { status: 'error', message: message.textContent };
      }
      sections.push(section);
    }
    this._pickles.replaceChildren(...sections);
    this._publish();
  }

  private _onTrialSelected(trial: number | undefined): void {
    this._state.selectedTrial = trial;
    this._trialHeading.textContent =
      trial === undefined ? this._options.trans.__('No trial selected') : this._options.trans.__('Trial %1', trial);
    this._publish();
    for (const name of this._sections.keys()) void this._plot(name);
  }

  /**
   * Reads and plots the shown trial's dataset of one array file; the newest request wins. A
   * request for what is already read or being read (same dataset, same file version) is
   * dropped: reading it again would move the trial's bytes again.
   */
  private async _plot(name: string): Promise<void> {
    const section = this._sections.get(name);
    const file = this._arrayFiles.get(name);
    const trial = this._shownTrial;
    if (section === undefined || file === undefined) return;
    const request = `${trial === undefined ? '' : datasetNameForRow(trial)}\n${file.path}\n${file.stamp}`;
    const status = this._state.arrays[name]?.status;
    if (trial !== undefined && this._plotRequests.get(name) === request && (status === 'loading' || status === 'plotted')) return;
    this._plotRequests.set(name, request);
    const { trans } = this._options;
    const ticket = (this._tickets.get(name) ?? 0) + 1;
    this._tickets.set(name, ticket);
    const state = (this._state.arrays[name] = { status: 'idle' } as ITaskPreviewState['arrays'][string]);
    if (trial === undefined) {
      section.say(trans.__('Select a trial to plot its %1 array.', name));
      section.plot.hide();
      this._publish();
      return;
    }
    const dataset = datasetNameForRow(trial);
    state.status = 'loading';
    state.dataset = dataset;
    section.say(trans.__('Reading trial %1…', trial));
    this._publish();
    try {
      const array = await this._options.arrays.readDataset(file, dataset);
      if (this._tickets.get(name) !== ticket || this.isDisposed) return;
      state.bytesFetched = this._options.arrays.bytesFetched(file.path);
      if (array === undefined) {
        state.status = 'missing';
        section.say(trans.__('Trial %1 has no %2 array (no dataset "%3" in %4).', trial, name, dataset, file.path));
        section.plot.hide();
      } else {
        state.status = 'plotted';
        section.say(trans.__('dataset "%1": %2, shape (%3)', dataset, array.dtype, array.shape.join(', ')));
        section.plot.show();
        section.plot.setArray(array);
      }
    } catch (error) {
      if (this._tickets.get(name) !== ticket) return;
      if (await this._changedSince(file)) {
        // The read raced a writer flushing the file: not a bad file. The next refresh sees the
        // new stamp and reads again (a trial not plotted is re-read when its file changes).
        if (this._tickets.get(name) !== ticket || this.isDisposed) return;
        state.status = 'loading';
        section.say(trans.__('Reading trial %1 (the file is being written)…', trial));
        state.message = section.message.textContent;
        this._publish();
        return;
      }
      if (this._tickets.get(name) !== ticket) return;
      state.status = 'error';
      const worded = describeArrayReadError(file.path.split('/').pop() ?? file.path, (error as Error).message);
      state.message = `${worded.summary}\n${worded.detail}`;
      section.say(worded.summary, { detail: worded.detail });
      section.plot.hide();
    }
    state.message ??= section.message.textContent ?? '';
    this._publish();
  }

  /** Whether a file's listing no longer matches the version a read started from. */
  private async _changedSince(file: { path: string; stamp: string }): Promise<boolean> {
    try {
      const entries = await this._options.source.listFolder(this._options.taskPath);
      const now = entries.find(entry => entry.path === file.path);
      return now !== undefined && stampOf(now) !== file.stamp;
    } catch {
      return false;
    }
  }

  private _publishTable(): void {
    const view = this._grid.view;
    this._state.columns = [...view.columns];
    this._state.dtypes = { ...view.parsed.dtypes };
    this._state.rowCount = view.parsed.rowCount;
    this._state.viewTrials = view.rows.slice(0, VIEW_ROWS_PUBLISHED);
    this._state.viewCells = this._grid.bodyTexts(VIEW_ROWS_PUBLISHED);
    this._state.headers = this._grid.headerTexts();
    this._state.trialsSummary = this._grid.summaryText;
    this._publish();
  }

  private _publish(): void {
    // A closed preview publishes nothing (its entry was removed from the hook on dispose).
    if (this.isDisposed) return;
    this._state.version++;
    publishedPreviews()[this._options.taskPath] = this._state;
    this.node.dataset.version = String(this._state.version);
  }

  private readonly _grid: TrialsGrid;
  private readonly _analysis: PreviewAnalysis;
  private readonly _details: Panel;
  private readonly _trialHeading: HTMLHeadingElement;
  private readonly _trialsError: HTMLDivElement;
  private readonly _pickles: HTMLDivElement;
  private readonly _pickleWidget: Widget;
  private readonly _sections = new Map<string, ArraySection>();
  private readonly _arrayFiles = new Map<string, { path: string; stamp: string }>();
  private readonly _tickets = new Map<string, number>();
  /** What each array's latest read is for (dataset, path and stamp of its file). */
  private readonly _plotRequests = new Map<string, string>();
  private readonly _state: ITaskPreviewState;
  private readonly _poll: Poll;
  private readonly _stopThemeWatch: () => void;
  private _trialsStamp: string | undefined;
  private _picklesStamp: string | undefined;
  private _selectedOnce = false;
  private _focusTableOnActivate = false;
  /** Whether trials.csv was read (or found missing or bad) once: the arrays follow the table. */
  private _trialsSettled = false;
  private _refreshing: Promise<void> | undefined;
  private _refreshQueued: Promise<void> | undefined;
}

/** `window.__axopyPreviews`: the state of every open preview by task path (the test hook). */
export function publishedPreviews(): Record<string, ITaskPreviewState> {
  const scope = window as unknown as { __axopyPreviews?: Record<string, ITaskPreviewState> };
  scope.__axopyPreviews ??= {};
  return scope.__axopyPreviews;
}
