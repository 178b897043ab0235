/**
 * The analysis part of an array's section in the task preview: a mode switch (Trial, Overlay,
 * Average, Spectrum, Image), the grouping and display-filter controls, a legend with group
 * sizes, a line stating the filter and progress, and the drawings. The model is made on the
 * first switch away from "Trial" (reading every kept trial is on demand) and again when the
 * array file or trials.csv changes.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type uPlot from 'uplot';
import type { IArrayAxesMetadata } from '../../core/axis-metadata.js';
import type { ParsedTrialsCsv } from '../../core/csv/index.js';
import type { IArrayData, IFileVersion } from '../hdf5/provider.js';
import { toNumbers } from '../previews/decimate.js';
import { float64Array } from '../../core/analysis/axis.js';
import { welch } from '../../core/analysis/welch.js';
import { applyDisplayFilter, designDisplayFilter } from './display-filter.js';
import { trialLayout } from './trial-reduction.js';
import { ANALYSIS_MODES, AnalysisModel, type AnalysisMode, type ITrialReducer } from './analysis-model.js';
import {
  drawAverage,
  drawImage,
  drawOverlay,
  drawSpectrum,
  type IPlotContext,
  updateAverage
} from './analysis-plots.js';
import { AnalysisControls, type ControlName } from './analysis-controls.js';
import { type Rgb, groupColors } from './group-colors.js';

/** What the section asks of the preview holding it. */
export interface IAnalysisHost {
  readonly trans: TranslationBundle;
  /** The worker's reduction bound to one version of the array file. */
  reducerFor(file: IFileVersion): ITrialReducer;
  /**
   * The array's sample rate and channel names as the preview's model holds them (its sidecar,
   * else the settings), undefined until its sidecar was looked for.
   */
  metadata(arrayName: string): IArrayAxesMetadata | undefined;
  /** The shape of the trial the preview plotted, if any: sizes the first chunks read. */
  plottedShape(arrayName: string): readonly number[] | undefined;
  /** trials.csv as read (without feature columns). */
  trials(): ParsedTrialsCsv | undefined;
  /** Trials kept by the table's filter, in its order. */
  keptTrials(): readonly number[];
  selectTrial(row: number): void;
  /** The trial selected in the table. */
  selectedTrial(): number | undefined;
  /** One trial's array (the provider's read, as the trial plot reads it). */
  readTrial(file: IFileVersion, row: number): Promise<IArrayData | undefined>;
  /** The feature columns changed (the table shows them). */
  featuresChanged(): void;
  /** Something shown changed (for the test hook). */
  changed(): void;
}

/** What the section shows, for the test hook (numbers from the model, not pixels). */
export interface IAnalysisState {
  readonly mode: AnalysisMode;
  readonly grouping: string | undefined;
  readonly spread: 'sem' | 'std';
  readonly filterText: string;
  readonly progress: { readonly done: number; readonly total: number };
  /** Trials being read, or a draw of them pending. */
  readonly busy: boolean;
  readonly bytesFetched: number;
  readonly channelNames: readonly string[];
  /** The x axis' unit ("time (s)" or "sample"; "frequency" plots have their own). */
  readonly xLabel: string;
  /** The x axis' title as drawn in overlay and average: unit, rate and where it came from. */
  readonly xTitle: string;
  /** The x values of the first plot as drawn (seconds or samples; frequencies in spectrum mode). */
  readonly xValues: readonly number[];
  /** Per group: label, size, colour, and mean / sem / std per channel (channels x samples). */
  readonly groups: readonly {
    label: string;
    count: number;
    color: Rgb;
    mean: number[][];
    sem: number[][];
    std: number[][];
  }[];
  /** Overlay mode: the trials drawn (every kept trial read), and per channel the y range drawn. */
  readonly overlayRows: readonly number[];
  readonly overlayRanges: readonly (readonly [number, number] | undefined)[];
  readonly hoveredTrial: number | undefined;
  readonly imageRows: readonly number[];
  /** Spectrum mode: Welch PSD of the selected trial (display filter applied), channels x bins. */
  readonly trialSpectrum:
    { readonly row: number; readonly frequencies: number[]; readonly psd: number[][] } | undefined;
  /** Increments on every redraw. */
  readonly draws: number;
}

/** Least ms between two draws while trials stream in. */
const DRAW_INTERVAL_MS = 500;
/** The same for the overlay, whose every draw makes a raster per channel (the average's plots get new data in place). */
const OVERLAY_DRAW_INTERVAL_MS = 1000;

/**
 * Least ms between two updates of the table's feature columns while trials stream in: each
 * gives the grid new contents (a full repaint of the table), so not at every draw.
 */
const FEATURES_INTERVAL_MS = 3000;

export class AnalysisSection extends Widget {
  constructor(
    readonly arrayName: string,
    private readonly _host: IAnalysisHost
  ) {
    super();
    this.addClass('jp-AxoPyAnalysis');
    const trans = _host.trans;
    this._modes = document.createElement('div');
    this._modes.className = 'jp-AxoPyAnalysis-modes';
    this._modes.setAttribute('role', 'toolbar');
    this._modes.setAttribute('aria-label', trans.__('How to show the %1 array', arrayName));
    const labels: Record<AnalysisMode, string> = {
      trial: trans.__('Trial'),
      overlay: trans.__('Overlay'),
      average: trans.__('Average'),
      spectrum: trans.__('Spectrum'),
      image: trans.__('Image')
    };
    for (const mode of ANALYSIS_MODES) {
      const button = document.createElement('button');
      button.className = 'jp-AxoPyAnalysis-mode jp-mod-styled';
      button.dataset.mode = mode;
      button.textContent = labels[mode];
      button.addEventListener('click', () => this.setMode(mode));
      this._modes.appendChild(button);
    }
    this._controls = new AnalysisControls(trans, name => this._onControl(name));
    this._caption = document.createElement('div');
    this._caption.className = 'jp-AxoPyAnalysis-caption';
    this._caption.setAttribute('role', 'status');
    this._legend = document.createElement('ul');
    this._legend.className = 'jp-AxoPyAnalysis-legend';
    this._plots = document.createElement('div');
    this._plots.className = 'jp-AxoPyAnalysis-plots';
    this._body = document.createElement('div');
    this._body.append(this._controls.node, this._caption, this._legend, this._plots);
    this.node.append(this._modes, this._body);
    // Redrawn when the column's width changes (a redraw changes the height only).
    this._resizeObserver = new ResizeObserver(() => {
      if (this._plots.clientWidth !== this._drawnWidth) this._scheduleDraw();
    });
    this._resizeObserver.observe(this._plots);
    this._showMode();
  }

  /** Emitted when the mode changes (the preview shows its trial plot only in "trial"). */
  get modeChanged(): ISignal<this, AnalysisMode> {
    return this._modeChanged;
  }

  get mode(): AnalysisMode {
    return this._mode;
  }

  /** The model, once an analysis mode was chosen. */
  get model(): AnalysisModel | undefined {
    return this._model;
  }

  setMode(mode: AnalysisMode): void {
    if (mode === this._mode) return;
    this._mode = mode;
    if (mode !== 'trial') this._ensureModel();
    if (this._model) this._model.mode = mode;
    void this._updateTrialSpectrum();
    this._showMode();
    this._modeChanged.emit(mode);
  }

  /** The array file (a new version makes a new model when one is in use). */
  setFile(file: IFileVersion): void {
    if (this._file?.path === file.path && this._file.stamp === file.stamp) return;
    const samePath = this._file?.path === file.path;
    this._file = file;
    // A recording appends trials: what was read stays; a file elsewhere starts again.
    if (this._model && samePath) this._model.setReducer(this._host.reducerFor(file));
    else this._resetModel();
  }

  /** The array's metadata changed (sidecar or settings): a model in use starts again with it. */
  metadataChanged(): void {
    if (this._host.metadata(this.arrayName) === this._metadataUsed) return;
    if (this._model) this._resetModel();
  }

  /** trials.csv was read again (a recording's new rows extend the model; anything else remakes it). */
  trialsChanged(): void {
    const trials = this._host.trials();
    if (trials === this._trialsUsed) return;
    if (trials && this._model?.extendTrials(trials)) {
      this._trialsUsed = trials;
      this._controls.fill(this._model);
      return;
    }
    this._resetModel();
  }

  /** The table's filter or order changed. */
  keptChanged(): void {
    this._model?.setKept(this._host.keptTrials());
  }

  /** The table's selection changed: in spectrum mode, the selected trial's PSD follows. */
  selectionChanged(): void {
    void this._updateTrialSpectrum();
  }

  /** Reads the selected trial and computes its PSD through the display filter (spectrum mode only). */
  private async _updateTrialSpectrum(): Promise<void> {
    const row = this._host.selectedTrial();
    const model = this._model;
    const file = this._file;
    const ticket = ++this._spectrumTicket;
    if (this._mode !== 'spectrum' || row === undefined || !model || !file) {
      if (this._trialSpectrum !== undefined) {
        this._trialSpectrum = undefined;
        this._scheduleDraw();
      }
      return;
    }
    const key = `${row}\n${file.stamp}\n${model.filterText}`;
    if (this._trialSpectrum?.key === key) return;
    try {
      const array = await this._host.readTrial(file, row);
      const layout = array && trialLayout(array.shape);
      if (ticket !== this._spectrumTicket || this.isDisposed) return;
      if (!array || !layout) {
        this._trialSpectrum = undefined;
      } else {
        const trial = float64Array(layout, Float64Array.from(toNumbers(array.data)));
        const shown = applyDisplayFilter(designDisplayFilter(model.filter, model.metadata.sampleRate), trial);
        const { frequencies, psd } = welch(shown, { fs: model.metadata.sampleRate ?? 1 });
        this._trialSpectrum = { key, row, channels: layout[0], frequencies, psd: psd.data };
      }
    } catch (error) {
      if (ticket !== this._spectrumTicket) return;
      this._trialSpectrum = undefined;
      this._caption.textContent = (error as Error).message;
    }
    this._scheduleDraw();
  }

  /** Feature columns for the trials table (empty before an analysis mode was used). */
  featureColumns(): { readonly name: string; readonly values: number[] }[] {
    return this._model?.featureColumns() ?? [];
  }

  get state(): IAnalysisState {
    const model = this._model;
    const shape = model?.trialShape;
    const overlay = this._mode === 'overlay' ? model?.overlay() : undefined;
    const split = (values: Float64Array): number[][] =>
      shape
        ? Array.from({ length: shape[0] }, (_, c) => Array.from(values.subarray(c * shape[1], (c + 1) * shape[1])))
        : [];
    return {
      mode: this._mode,
      grouping: model?.grouping,
      spread: this._controls.spread,
      filterText: model?.filterText ?? '',
      progress: model?.progress ?? { done: 0, total: 0 },
      // Settled only once what was read is drawn too: the drawn x values below and the model's
      // numbers above then belong to the same model.
      busy: (model?.busy ?? false) || this._drawPending,
      bytesFetched: model?.bytesFetched ?? 0,
      channelNames: model?.channelNames ?? [],
      xLabel: model?.axes.xLabel ?? 'sample',
      xTitle: model?.axes.xTitle ?? 'sample',
      xValues: Array.from(this._uplots[0]?.data[0] ?? []),
      groups: (model?.groups() ?? []).map(g => ({
        label: g.label,
        count: g.count,
        color: this._colors.get(g.label) ?? [0, 0, 0],
        mean: split(g.mean.data),
        sem: split(g.sem.data),
        std: split(g.std.data)
      })),
      overlayRows: overlay?.rows ?? [],
      overlayRanges: Array.from(
        { length: overlay?.spans ? (shape?.[0] ?? 0) : 0 },
        (_, c) => overlay!.spans!.drawnRange(c, overlay!.rows)?.values
      ),
      hoveredTrial: this._hovered,
      imageRows: this._mode === 'image' ? (model?.image().rows ?? []) : [],
      trialSpectrum: this._trialSpectrum && {
        row: this._trialSpectrum.row,
        frequencies: Array.from(this._trialSpectrum.frequencies),
        psd: Array.from({ length: this._trialSpectrum.channels }, (_, c) =>
          Array.from(
            this._trialSpectrum!.psd.subarray(
              c * this._trialSpectrum!.frequencies.length,
              (c + 1) * this._trialSpectrum!.frequencies.length
            )
          )
        )
      },
      draws: this._draws
    };
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._resizeObserver.disconnect();
    this._destroyPlots();
    this._model?.dispose();
    super.dispose();
  }

  private _ensureModel(): void {
    if (this._model || !this._file) return;
    const trials = this._host.trials();
    if (!trials) return;
    const file = this._file;
    this._metadataUsed = this._host.metadata(this.arrayName);
    const model = new AnalysisModel({
      reducer: this._host.reducerFor(file),
      trials,
      metadata: this._metadataUsed,
      trialShapeHint: this._host.plottedShape(this.arrayName)
    });
    this._model = model;
    this._trialsUsed = trials;
    model.mode = this._mode;
    model.setKept(this._host.keptTrials());
    try {
      model.filter = this._controls.filter;
    } catch (error) {
      // The filter chosen does not fit this sample rate (a cutoff past Nyquist): said, not applied.
      this._caption.textContent = (error as Error).message;
      this._caption.classList.add('jp-AxoPyPreview-error');
    }
    const grouping = this._controls.grouping;
    model.grouping = grouping !== undefined && model.groupableColumns.includes(grouping) ? grouping : undefined;
    model.sortBy = this._controls.sortBy;
    model.features = this._controls.featureColumns;
    this._controls.fill(model);
    void this._updateTrialSpectrum();
    let lastFeatures = 0;
    model.changed.connect(() => {
      this._scheduleDraw();
      // The table's feature columns follow every few seconds, and when reading ends.
      const now = performance.now();
      if (!model.busy || now - lastFeatures > FEATURES_INTERVAL_MS) {
        lastFeatures = now;
        this._host.featuresChanged();
      }
    });
    model.failed.connect((_, message) => {
      this._caption.textContent = message;
      this._caption.classList.add('jp-AxoPyPreview-error');
    });
    void model.update();
  }

  private _resetModel(): void {
    if (!this._model) {
      if (this._mode !== 'trial') this._ensureModel();
      return;
    }
    this._model?.dispose();
    this._model = undefined;
    // A new model's first results are drawn at once, not after the interval of the old one's.
    this._drawnTrials = 0;
    this._host.featuresChanged();
    if (this._mode !== 'trial') this._ensureModel();
  }

  private _onControl(name: ControlName): void {
    const model = this._model;
    if (!model) return;
    try {
      if (name === 'grouping') model.grouping = this._controls.grouping;
      if (name === 'channel') model.channel = this._controls.channel;
      if (name === 'sortBy') model.sortBy = this._controls.sortBy;
      if (name === 'features') {
        model.features = this._controls.featureColumns;
        this._host.featuresChanged();
      }
      if (name === 'filter') {
        model.filter = this._controls.filter;
        void this._updateTrialSpectrum();
      }
      this._caption.classList.remove('jp-AxoPyPreview-error');
    } catch (error) {
      // A filter the core cannot design (a cutoff past Nyquist): said, the previous one kept.
      this._caption.textContent = (error as Error).message;
      this._caption.classList.add('jp-AxoPyPreview-error');
      return;
    }
    this._scheduleDraw();
  }

  private _showMode(): void {
    for (const button of this._modes.querySelectorAll<HTMLButtonElement>('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.mode === this._mode));
    }
    this._body.hidden = this._mode === 'trial';
    this._controls.showFor(this._mode);
    this._scheduleDraw();
  }

  /**
   * Draws at the next frame; while trials stream in, at most every DRAW_INTERVAL_MS (the overlay
   * OVERLAY_DRAW_INTERVAL_MS) once some were drawn: the first of them are drawn as soon as they
   * come, and so is the end of a read (a draw held back for the interval is brought forward).
   */
  private _scheduleDraw(): void {
    if (this._mode === 'trial') return;
    const throttled = this._model?.busy === true && this._drawnTrials > 0;
    const interval = this._mode === 'overlay' ? OVERLAY_DRAW_INTERVAL_MS : DRAW_INTERVAL_MS;
    const wait = throttled ? Math.max(0, this._lastDraw + interval - performance.now()) : 0;
    if (this._drawPending && (this._drawTimer === undefined || wait > 0)) return;
    clearTimeout(this._drawTimer);
    this._drawPending = true;
    this._drawTimer = setTimeout(() => {
      this._drawTimer = undefined;
      requestAnimationFrame(() => {
        this._drawPending = false;
        if (!this.isDisposed) this._draw();
      });
    }, wait);
  }

  private _draw(): void {
    this._lastDraw = performance.now();
    const model = this._model;
    // What the mode shows of the read: the overlay's traces (after an average, every trial's
    // moments may be in while no trace is), else the trials in the moments.
    this._drawnTrials = !model ? 0 : this._mode === 'overlay' ? model.overlay().rows.length : model.progress.done;
    this._draws++;
    if (
      model &&
      this._mode === 'average' &&
      this._averageLayout === this._averageLayoutOf(model, this._plots.clientWidth)
    ) {
      // The same plots with new numbers (trials streaming in): no element made or measured.
      this._renderLegend(model);
      this._renderCaption(model);
      updateAverage(this._uplots, this._plotContext(model, this._drawnWidth));
      this._host.changed();
      return;
    }
    this._destroyPlots();
    if (!model) {
      this._caption.textContent = this._host.trans.__('Reading trials…');
      this._host.changed();
      return;
    }
    this._controls.fillChannels(model);
    const groups = model.groups();
    const colors = groupColors(groups.length);
    this._colors = new Map(groups.map((g, i) => [g.label, colors[i]]));
    this._renderLegend(model);
    this._renderCaption(model);
    this._drawnWidth = this._plots.clientWidth;
    const context = this._plotContext(model, this._drawnWidth);
    this._hover.className = 'jp-AxoPyAnalysis-hover';
    this._plots.appendChild(this._hover);
    if (this._mode === 'average') {
      this._uplots = drawAverage(this._plots, context);
      this._averageLayout = this._averageLayoutOf(model, this._drawnWidth);
    } else if (this._mode === 'overlay') this._uplots = drawOverlay(this._plots, context);
    else if (this._mode === 'spectrum') this._uplots = drawSpectrum(this._plots, context);
    else if (this._mode === 'image') drawImage(this._plots, model, context.width);
    this._host.changed();
  }

  /** What makes the average's plots (besides their numbers): when unchanged, they are updated. */
  private _averageLayoutOf(model: AnalysisModel, plotsWidth: number): string {
    return JSON.stringify([
      plotsWidth,
      this._controls.spread,
      model.trialShape,
      model.channelNames,
      model.metadata.sampleRate,
      model.groups().map(g => g.label)
    ]);
  }

  /** The line stating the filter, the progress and the trials left out. */
  private _renderCaption(model: AnalysisModel): void {
    const { done, total } = model.progress;
    const skipped = model.skipped;
    const parts = [model.filterText, this._host.trans.__('%1 of %2 kept trials', done, total)];
    if (skipped.missing.length + skipped.misshapen.length > 0) {
      parts.push(
        this._host.trans.__(
          '%1 without this array, %2 of another shape left out',
          skipped.missing.length,
          skipped.misshapen.length
        )
      );
    }
    if (this._mode === 'overlay') parts.push(this._host.trans.__('%1 traces drawn', model.overlay().rows.length));
    const text = parts.join(' · ');
    if (!this._caption.classList.contains('jp-AxoPyPreview-error') && this._caption.textContent !== text)
      this._caption.textContent = text;
  }

  private _plotContext(model: AnalysisModel, plotsWidth: number): IPlotContext {
    const width = Math.max(240, plotsWidth || 600);
    const groupOfRow = this._groupOfRow(model);
    return {
      model,
      width,
      colors: this._colors,
      groupOfRow,
      spread: this._controls.spread,
      onHover: row => {
        this._hovered = row;
        this._hover.textContent =
          row === undefined ? '' : this._host.trans.__('trial %1 (%2) — click to select it', row, groupOfRow(row));
        this._host.changed();
      },
      onPick: row => this._host.selectTrial(row),
      trialSpectrum: this._trialSpectrum
    };
  }

  /** The legend: a swatch, the group's label and its size (only the sizes change while reading). */
  private _renderLegend(model: AnalysisModel): void {
    const groups = model.groups();
    this._legend.hidden = this._mode === 'image';
    const items = this._legend.children;
    if (items.length === groups.length && groups.every((g, i) => (items[i] as HTMLElement).dataset.group === g.label)) {
      groups.forEach((group, i) => {
        const text = ` ${group.label} (n = ${group.count})`;
        const node = items[i].lastChild!;
        if (node.textContent !== text) node.textContent = text;
      });
      return;
    }
    const made = groups.map(group => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'jp-AxoPyAnalysis-swatch';
      const [r, g, b] = this._colors.get(group.label) ?? [0, 0, 0];
      swatch.style.backgroundColor = `rgb(${r}, ${g}, ${b})`;
      item.append(swatch, ` ${group.label} (n = ${group.count})`);
      item.dataset.group = group.label;
      return item;
    });
    this._legend.replaceChildren(...made);
  }

  private _groupOfRow(model: AnalysisModel): (row: number) => string {
    const column = model.grouping;
    const trials = this._trialsUsed;
    if (column === undefined || trials === undefined) return () => 'all trials';
    const labels = new Map(model.groups().map(g => [String(g.key), g.label]));
    return row => labels.get(String(trials.values[column][row])) ?? '';
  }

  private _destroyPlots(): void {
    this._uplots.forEach(plot => plot.destroy());
    this._uplots = [];
    this._averageLayout = undefined;
    this._plots.replaceChildren();
  }

  private readonly _modes: HTMLDivElement;
  private readonly _controls: AnalysisControls;
  private readonly _caption: HTMLDivElement;
  private readonly _legend: HTMLUListElement;
  private readonly _plots: HTMLDivElement;
  private readonly _body: HTMLDivElement;
  private readonly _hover = document.createElement('div');
  private readonly _resizeObserver: ResizeObserver;
  private readonly _modeChanged = new Signal<this, AnalysisMode>(this);
  private _mode: AnalysisMode = 'trial';
  private _model: AnalysisModel | undefined;
  private _metadataUsed: IArrayAxesMetadata | undefined;
  private _file: IFileVersion | undefined;
  private _trialsUsed: ParsedTrialsCsv | undefined;
  private _colors = new Map<string, Rgb>();
  private _uplots: uPlot[] = [];
  private _hovered: number | undefined;
  private _drawPending = false;
  private _trialSpectrum:
    { key: string; row: number; channels: number; frequencies: Float64Array; psd: Float64Array } | undefined;
  private _spectrumTicket = 0;
  private _lastDraw = -Infinity;
  /** Trials the last draw showed (traces in the overlay, else trials in the moments). */
  private _drawnTrials = 0;
  /** The timer of a draw held back while trials stream in (undefined once its frame is asked for). */
  private _drawTimer: ReturnType<typeof setTimeout> | undefined;
  private _drawnWidth = -1;
  /** {@link _averageLayoutOf} of the average's plots shown (undefined: other plots or none). */
  private _averageLayout: string | undefined;
  private _draws = 0;
}
