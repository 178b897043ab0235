/**
 * The view of one task preview: its trials table on the left; on the right, the selected
 * trial's array of every `<array>.hdf5` and the task's pickles. Draws what its
 * TaskPreviewModel (task-preview-model.ts) loads and forwards the user's selection to it. A
 * file that cannot be read shows an error naming it; the rest keeps working.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Message } from '@lumino/messaging';
import { Panel, SplitPanel, Widget } from '@lumino/widgets';
import { ArrayPlot, type IPlotSummary } from './array-plot.js';
import { renderPickleItem } from './report-views.js';
import { watchTheme } from './theme.js';
import { TrialsGrid } from './trials-grid.js';
import type { IArrayState, TaskPreviewModel } from './task-preview-model.js';
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
  arrays: Record<
    string,
    {
      status: 'loading' | 'plotted' | 'missing' | 'error' | 'idle';
      dataset?: string;
      message?: string;
      summary?: IPlotSummary;
      bytesFetched?: number;
    }
  >;
  pickles: Record<string, { status: 'shown' | 'error'; message?: string }>;
  /** What the task lacks under the trial heading ("no array files"), or ''. */
  detailsNote: string;
  /** The analysis view of each array (mode, groups and their statistics from the model). */
  analysis: Record<string, IAnalysisState>;
  /** Increments on every change of this state. */
  version: number;
}

/** Options of {@link TaskPreview}. */
export interface ITaskPreviewOptions {
  readonly model: TaskPreviewModel;
  readonly trans: TranslationBundle;
  readonly maxChannels: number;
  /** Where the view publishes its state for tests (absent: not published). */
  readonly published?: Record<string, ITaskPreviewState>;
}

const VIEW_ROWS_PUBLISHED = 50;

/** One array file's section: a heading, a message line, the plot. */
class ArraySection extends Widget {
  constructor(
    readonly name: string,
    trans: TranslationBundle,
    maxChannels: number,
    onDraw: (s: IPlotSummary) => void
  ) {
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

/** The preview of a task folder: the view of a {@link TaskPreviewModel}. */
export class TaskPreview extends SplitPanel {
  constructor(private readonly _options: ITaskPreviewOptions) {
    super({ orientation: 'horizontal' });
    const { model, trans } = _options;
    this.addClass('jp-AxoPyPreview');
    this.node.dataset.taskPath = model.taskPath;
    this._grid = new TrialsGrid(trans);
    this._grid.trialSelected.connect((_, trial) => model.select(trial));
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
    this._detailsNote = document.createElement('p');
    this._detailsNote.className = 'jp-AxoPyPreview-detailsNote';
    this._detailsNote.setAttribute('role', 'status');
    this._detailsNote.hidden = true;
    this._details.addWidget(new Widget({ node: this._detailsNote }));
    this._pickles = document.createElement('div');
    this._pickles.className = 'jp-AxoPyPreview-pickles';
    this._pickleWidget = new Widget({ node: this._pickles });
    this.addWidget(left);
    this.addWidget(this._details);
    this.setRelativeSizes([2, 3]);
    this._state = {
      taskPath: model.taskPath,
      columns: [],
      headers: [],
      trialsSummary: '',
      dtypes: {},
      rowCount: 0,
      viewTrials: [],
      viewCells: [],
      selectedTrial: undefined,
      trialsError: undefined,
      arrays: {},
      pickles: {},
      detailsNote: '',
      analysis: {},
      version: 0
    };
    this._analysis = new PreviewAnalysis({
      arrays: model.arrayProvider,
      metadataOf: name => model.metadataOf(name)?.metadata,
      plottedShapeOf: name => model.arrays.get(name)?.array?.shape,
      trans,
      grid: this._grid,
      publish: () => this._publish()
    });
    // Computed when read (the statistics of every group are large): a getter on the state.
    Object.defineProperty(this._state, 'analysis', { get: () => this._analysis.state(), enumerable: true });
    this._stopThemeWatch = watchTheme(() => {
      this._grid.applyTheme();
      this._sections.forEach(section => section.plot.redraw());
    });
    model.trialsChanged.connect(this._onTrialsChanged, this);
    model.selectionChanged.connect(this._onSelectionChanged, this);
    model.arraysChanged.connect(this._onArraysChanged, this);
    model.picklesChanged.connect(this._onPicklesChanged, this);
  }

  get model(): TaskPreviewModel {
    return this._options.model;
  }

  /** What is shown now (also published for tests when the page config asks for it). */
  get state(): Readonly<ITaskPreviewState> {
    return this._state;
  }

  get grid(): TrialsGrid {
    return this._grid;
  }

  /** Re-reads what changed (the model's refresh). */
  refresh(): Promise<void> {
    return this.model.refresh();
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

  dispose(): void {
    if (this.isDisposed) return;
    this.model.dispose();
    this._stopThemeWatch();
    this._analysis.dispose();
    const published = this._options.published;
    if (published !== undefined && published[this.model.taskPath] === this._state)
      delete published[this.model.taskPath];
    super.dispose();
  }

  private _onTrialsChanged(): void {
    const { parsed, error } = this.model.trials;
    if (parsed !== undefined) {
      this._grid.setContents(this._grid.view.withContents(parsed));
      this._analysis.trialsChanged(parsed);
    }
    const message =
      error === 'missing' ? this._options.trans.__('No trials.csv in %1 yet', this.model.taskPath) : error;
    this._trialsError.hidden = message === undefined;
    this._trialsError.textContent = message ?? '';
    this._state.trialsError = message;
    this._publish();
  }

  private _onSelectionChanged(_: TaskPreviewModel, trial: number | undefined): void {
    if (this._grid.selectedTrial !== trial) this._grid.selectTrial(trial);
    this._state.selectedTrial = trial;
    this._trialHeading.textContent =
      trial === undefined ? this._options.trans.__('No trial selected') : this._options.trans.__('Trial %1', trial);
    this._publish();
  }

  private _onArraysChanged(_: TaskPreviewModel, name: string | undefined): void {
    const arrays = this.model.arrays;
    if (name === undefined) {
      for (const [shown, section] of this._sections) {
        if (arrays.has(shown)) continue;
        section.dispose();
        this._sections.delete(shown);
        this._analysis.detach(shown);
        delete this._state.arrays[shown];
      }
      for (const state of arrays.values()) this._showArray(state);
      this._sayWhatIsMissing();
    } else {
      const state = arrays.get(name);
      if (state !== undefined) this._showArray(state);
    }
    this._publish();
  }

  /** A task without array files says so: the trial heading alone looked like a blank plot. */
  private _sayWhatIsMissing(): void {
    const { trans } = this._options;
    const missing = this.model.missingFiles;
    const taskPath = this.model.taskPath;
    const note =
      missing === 'arrays'
        ? trans.__('%1 has no array files (.hdf5): nothing to plot per trial.', taskPath)
        : missing === 'arrays-and-pickles'
          ? trans.__('%1 has no array files (.hdf5) and no pickles (.pkl): only trials.csv.', taskPath)
          : '';
    this._detailsNote.textContent = note;
    this._detailsNote.hidden = note === '';
    this._state.detailsNote = note;
  }

  private _section(state: IArrayState): ArraySection {
    let section = this._sections.get(state.name);
    if (section === undefined) {
      const name = state.name;
      section = new ArraySection(name, this._options.trans, this._options.maxChannels, summary => {
        const published = this._state.arrays[name];
        if (published !== undefined) published.summary = summary;
        this._publish();
      });
      section.heading.textContent = state.file.path.split('/').pop() ?? state.file.path;
      this._sections.set(name, section);
      const pickles = this._details.widgets.indexOf(this._pickleWidget);
      this._details.insertWidget(pickles >= 0 ? pickles : this._details.widgets.length, section);
      this._analysis.attach(name, section.node, section.message, [section.message, section.plot.node], state.file);
    }
    this._analysis.setFile(state.name, state.file);
    return section;
  }

  private _showArray(state: IArrayState): void {
    const { trans } = this._options;
    const section = this._section(state);
    // The sample rate and channel names (sidecar, else settings): the trial plot redraws and the
    // analysis view starts again only when they change.
    const metadata = this.model.metadataOf(state.name);
    if (metadata !== undefined) {
      section.plot.setMetadata(metadata.metadata, metadata.problem);
      this._analysis.metadataChanged(state.name);
    }
    const published: ITaskPreviewState['arrays'][string] = {
      status: state.status,
      dataset: state.dataset,
      bytesFetched: state.bytesFetched
    };
    const shownBefore = this._shownArrays.get(state.name);
    const summaryBefore = this._state.arrays[state.name]?.summary;
    this._shownArrays.set(state.name, state);
    // Before drawing: the plot reports its summary into this record as it draws.
    this._state.arrays[state.name] = published;
    switch (state.status) {
      case 'idle':
        section.say(trans.__('Select a trial to plot its %1 array.', state.name));
        section.plot.hide();
        break;
      case 'loading':
        if (state.beingWritten) {
          section.say(trans.__('Reading trial %1 (the file is being written)…', state.trial));
          published.message = section.message.textContent ?? '';
        } else {
          section.say(trans.__('Reading trial %1…', state.trial));
        }
        break;
      case 'missing':
        section.say(
          trans.__(
            'Trial %1 has no %2 array (no dataset "%3" in %4).',
            state.trial,
            state.name,
            state.dataset,
            state.file.path
          )
        );
        section.plot.hide();
        published.message = section.message.textContent ?? '';
        break;
      case 'plotted':
        section.say(
          trans.__('dataset "%1": %2, shape (%3)', state.dataset, state.array!.dtype, state.array!.shape.join(', '))
        );
        section.plot.show();
        if (shownBefore?.array !== state.array) section.plot.setArray(state.array!);
        else published.summary = summaryBefore;
        published.message = section.message.textContent ?? '';
        break;
      case 'error':
        section.say(state.error!.summary, { detail: state.error!.detail });
        section.plot.hide();
        published.message = `${state.error!.summary}\n${state.error!.detail}`;
        break;
    }
  }

  private _onPicklesChanged(): void {
    const pickles = this.model.pickles;
    if (pickles.length > 0 && !this._details.widgets.includes(this._pickleWidget)) {
      this._details.addWidget(this._pickleWidget);
    }
    this._state.pickles = {};
    const sections = pickles.map(pickle => {
      const section = document.createElement('section');
      section.className = 'jp-AxoPyPreview-pickle';
      section.dataset.pickle = pickle.fileName;
      const heading = document.createElement('h3');
      heading.textContent = pickle.fileName;
      section.appendChild(heading);
      if (pickle.error === undefined) {
        section.appendChild(renderPickleItem(pickle.item!));
        this._state.pickles[pickle.fileName] = { status: 'shown' };
      } else {
        const message = document.createElement('div');
        message.className = 'jp-AxoPyPreview-error';
        message.textContent = pickle.error;
        section.appendChild(message);
        this._state.pickles[pickle.fileName] = { status: 'error', message: pickle.error };
      }
      return section;
    });
    this._pickles.replaceChildren(...sections);
    this._publish();
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
    if (this.isDisposed) return;
    this._state.version++;
    this.node.dataset.version = String(this._state.version);
    if (this._options.published !== undefined) this._options.published[this.model.taskPath] = this._state;
  }

  private readonly _grid: TrialsGrid;
  private readonly _analysis: PreviewAnalysis;
  private readonly _details: Panel;
  private readonly _trialHeading: HTMLHeadingElement;
  private readonly _detailsNote: HTMLParagraphElement;
  private readonly _trialsError: HTMLDivElement;
  private readonly _pickles: HTMLDivElement;
  private readonly _pickleWidget: Widget;
  private readonly _sections = new Map<string, ArraySection>();
  private readonly _shownArrays = new Map<string, IArrayState>();
  private readonly _state: ITaskPreviewState;
  private readonly _stopThemeWatch: () => void;
  private _focusTableOnActivate = false;
}
