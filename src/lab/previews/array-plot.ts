/**
 * The plot of one trial's array with uPlot: a 1-D array is one line; a 2-D (channels x samples)
 * array is one line per channel, stacked, sharing the x axis (zoom one, all follow); N-D arrays
 * show one (channels x samples) slice, chosen with a slice picker. Lines are min/max-decimated
 * to the plot's width and re-decimated on zoom, so millions of samples draw fast. Drag to zoom,
 * wheel to zoom around the pointer, shift+wheel to pan, double-click to reset.
 */
import uPlot from 'uplot';
import { Widget } from '@lumino/widgets';
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  channelStats,
  plotLayout,
  sliceOffset,
  toNumbers,
  type IChannelStats,
  type IPlotLayout,
  type NumericData
} from './decimate.js';
import { decimateMinMax } from '../../core/decimation.js';
import {
  countNonFinite,
  describeEmptyShape,
  describeNonFinite,
  sampleScale,
  sampleTicks,
  type INonFiniteCounts
} from '../../core/plot-text.js';
import { formatNumber, formatTicks, valueTicks } from './number-format.js';
import { describeAxes, type IArrayAxesMetadata, type IAxesText } from '../../core/axis-metadata.js';
import type { IArrayData } from '../hdf5/provider.js';
import { cssVar } from './theme.js';

/** What the plot shows, for the test hook: data, not pixels. */
export interface IPlotSummary {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly slice: readonly number[];
  /** Channels drawn (at most the limit), each with its statistics, points drawn, NaN/inf counts and name. */
  readonly channels: ReadonlyArray<
    IChannelStats & { readonly points: number; readonly nonFinite: INonFiniteCounts; readonly name: string }
  >;
  /** Channels in the slice (may exceed those drawn). */
  readonly channelCount: number;
  readonly samples: number;
  /** The x range shown [from, to). */
  readonly xRange: readonly [number, number];
  /** The x scale of the plots as uPlot drew it [min, max] (undefined: nothing drawn). */
  readonly xScale: readonly [number, number] | undefined;
  /** The x axis' unit: "time (s)" with a sample rate, else "sample". */
  readonly xLabel: string;
  /** The x axis' title as drawn: the unit, the rate and where rate and names came from. */
  readonly xTitle: string;
  /** What is said above the plot: non-finite values, an empty array ('' when nothing). */
  readonly note: string;
  /** The x axis' ticks as last drawn, in samples (where they are on the data). */
  readonly xTicks: readonly number[];
  /** Their labels as drawn: sample indices, or seconds with a sample rate. */
  readonly xTickLabels: readonly string[];
  /** Samples per second from the array's sidecar or the settings, if one gives it. */
  readonly sampleRate: number | undefined;
  /** Each channel's value-axis ticks as last drawn. */
  readonly yTicks: ReadonlyArray<readonly number[]>;
}

/** Options of {@link ArrayPlot}. */
export interface IArrayPlotOptions {
  readonly trans: TranslationBundle;
  /** Most channels drawn. */
  readonly maxChannels: number;
  /** Emitted after every draw. */
  readonly onDraw?: (summary: IPlotSummary) => void;
}

/** Height of every channel's plotting area (the same for all, so their scales compare). */
const CHANNEL_HEIGHT = 80;
/** Padding around the plotting area [top, right, bottom, left], the same on every channel. */
// 16 px between two channels' plotting areas: a value label centred on a tick at the edge
// sticks out ~6 px, so the labels of neighbouring channels never meet.
const PAD_TOP = 8;
const PAD_BOTTOM = 8;
const PADDING: uPlot.Padding = [PAD_TOP, 16, PAD_BOTTOM, 0];
/** Width of the value axis (ticks and the channel's name), the same on every channel. */
const Y_AXIS_SIZE = 72;
/** Height of the one x axis (ticks, then its name under them), under the last channel. */
const X_AXIS_SIZE = 28;
const X_LABEL_SIZE = 16;
/** Least pixels between two tick labels (x) or tick lines (y): labels never overlap. */
const X_TICK_SPACING = 80;
const Y_TICK_SPACING = 24;
/** Most points of a line with gaps that are drawn as dots too. */
const POINTS_MAX = 400;

/** One array's plot, its slice picker and its statistics. */
export class ArrayPlot extends Widget {
  constructor(private readonly _options: IArrayPlotOptions) {
    super();
    this.addClass('jp-AxoPyPreview-plot');
    this._picker = document.createElement('div');
    this._picker.className = 'jp-AxoPyPreview-slicePicker';
    this._body = document.createElement('div');
    this._body.className = 'jp-AxoPyPreview-plotBody';
    this._stats = document.createElement('table');
    this._stats.className = 'jp-AxoPyPreview-stats';
    this._lines = document.createElement('div');
    this._lines.className = 'jp-AxoPyPreview-lines';
    this._note = document.createElement('div');
    this._note.className = 'jp-AxoPyPreview-plotNote';
    this._note.hidden = true;
    this._body.append(this._lines, this._stats);
    this.node.append(this._picker, this._note, this._body);
    // Plots follow the width of their column (the split panel's handle, the window).
    this._resizeObserver = new ResizeObserver(() => this._fitWidth());
    this._resizeObserver.observe(this._lines);
  }

  /** The summary of what is drawn now. */
  get summary(): IPlotSummary | undefined {
    return this._summary;
  }

  /** Plots a trial's array (the slice picker keeps its position when the shape allows). */
  setArray(array: IArrayData): void {
    this._array = array;
    this._values = toNumbers(array.data) as NumericData;
    const layout = plotLayout(array.shape);
    const sameSlices = this._plotLayout !== undefined && this._plotLayout.sliceAxes.join() === layout.sliceAxes.join();
    this._plotLayout = layout;
    if (!sameSlices) {
      this._slice = layout.sliceAxes.map(() => 0);
      this._renderPicker();
    }
    this._xRange = [0, layout.samples];
    this._show();
  }

  /** Redraws (e.g. after a theme change: the canvas colours are read when drawing). */
  redraw(): void {
    if (this._plotLayout !== undefined) {
      this._rebuild();
    }
  }

  dispose(): void {
    this._resizeObserver.disconnect();
    this._plots.forEach(plot => plot.destroy());
    this._plots = [];
    super.dispose();
  }

  private _renderPicker(): void {
    const { trans } = this._options;
    this._picker.replaceChildren();
    this._plotLayout!.sliceAxes.forEach((size, axis) => {
      const label = document.createElement('label');
      label.textContent = trans.__('axis %1', axis);
      const input = document.createElement('input');
      input.type = 'number';
      input.min = '0';
      input.max = String(size - 1);
      input.value = '0';
      input.className = 'jp-mod-styled';
      input.setAttribute('aria-label', trans.__('Index on axis %1 (0 to %2)', axis, size - 1));
      input.addEventListener('change', () => {
        this._slice[axis] = Math.min(Math.max(Number(input.value) || 0, 0), size - 1);
        input.value = String(this._slice[axis]);
        this._show();
      });
      label.appendChild(input);
      this._picker.appendChild(label);
    });
    this._picker.hidden = this._plotLayout!.sliceAxes.length === 0;
  }

  private _channelCount(): number {
    if (this._empty()) return 0;
    return Math.min(this._plotLayout!.channels, this._options.maxChannels);
  }

  /** Whether the array has no element (a (0,) or (8, 0) array): said, not drawn. */
  private _empty(): boolean {
    return describeEmptyShape(this._array?.shape ?? []) !== undefined;
  }

  /**
   * The array's sample rate and channel names (its sidecar `<array>.json`, else the settings').
   * AxoPy stores neither; without them the x axis counts samples and channels are numbered.
   * `problem`: why a sidecar is not used, said above the plot.
   */
  setMetadata(metadata: IArrayAxesMetadata, problem = ''): void {
    if (this._metadata === metadata && this._metadataProblem === problem) return;
    this._metadata = metadata;
    this._metadataProblem = problem;
    this.redraw();
  }

  /** The axes' names by the core's rule (seconds and channel names with metadata). */
  private _axes(): IAxesText {
    return describeAxes(this._metadata, this._plotLayout?.channels ?? 0);
  }

  private _channelName(channel: number): string {
    return this._axes().channelNames[channel];
  }

  /**
   * The x ticks over [min, max] samples, at most `most`: whole samples, or round seconds with a
   * sample rate (placed at second * rate on the sample axis the data use). Sets their labels.
   */
  private _xTicksFor(min: number, max: number, most: number): number[] {
    const rate = this._metadata.sampleRate;
    if (rate === undefined) {
      this._xTickLabels = (this._xTicks = sampleTicks(min, max, most)).map(tick => String(tick));
      return this._xTicks;
    }
    const seconds = valueTicks(min / rate, max / rate, most).filter(
      t => t * rate >= min - 1e-9 && t * rate <= max + 1e-9
    );
    this._xTickLabels = formatTicks(seconds, seconds.length > 1 ? seconds[1] - seconds[0] : 0);
    return (this._xTicks = seconds.map(t => t * rate));
  }

  /** What to say above the plots: an empty array, NaN and inf values of the drawn channels. */
  private _renderNote(counts: INonFiniteCounts[]): string {
    const empty = describeEmptyShape(this._array?.shape ?? []);
    let text: string;
    if (empty !== undefined) {
      text = empty;
    } else {
      const total = counts.reduce(
        (sum, c) => ({ nan: sum.nan + c.nan, posInf: sum.posInf + c.posInf, negInf: sum.negInf + c.negInf }),
        {
          nan: 0,
          posInf: 0,
          negInf: 0
        }
      );
      const described = describeNonFinite(total);
      text =
        described === ''
          ? ''
          : `${described} (${this._options.trans.__('not drawn; statistics are of the finite values')})`;
    }
    text = [text, this._metadataProblem, this._axes().problem].filter(part => part !== '').join('; ');
    this._note.textContent = text;
    this._note.hidden = text === '';
    return text;
  }

  private _nonFiniteCounts(): INonFiniteCounts[] {
    const layout = this._plotLayout!;
    const base = sliceOffset(layout, this._slice);
    return [...Array(this._channelCount()).keys()].map(c =>
      countNonFinite(this._values!, base + c * layout.samples, layout.samples)
    );
  }

  private _xScale(from: number, to: number): [number, number] {
    return sampleScale(from, to);
  }

  private _buckets(): number {
    return Math.max(100, Math.floor((this._lines.clientWidth || 800) / 2));
  }

  /** Statistics of every drawn channel of the current slice (whole trial, not the zoom). */
  private _channelStats(): IChannelStats[] {
    const layout = this._plotLayout!;
    const base = sliceOffset(layout, this._slice);
    return [...Array(this._channelCount()).keys()].map(c =>
      channelStats(this._values!, base + c * layout.samples, layout.samples)
    );
  }

  /** The lines of every drawn channel over the current x range. */
  private _lineData(): uPlot.AlignedData[] {
    const layout = this._plotLayout!;
    const base = sliceOffset(layout, this._slice);
    const [from, to] = this._xRange;
    // Measured once: reading the width forces a layout when the DOM changed since the last one.
    const buckets = this._buckets();
    const out: uPlot.AlignedData[] = [];
    for (let c = 0; c < this._channelCount(); c++) {
      const line = decimateMinMax(this._values!, base + c * layout.samples, from, to, buckets);
      // NaN and +-inf are gaps (null for uPlot): one inf would stretch the value axis to
      // nothing and hide every finite sample.
      const y = Array.from(line.y, value => (value > -Infinity && value < Infinity ? value : null));
      out.push([line.x, y] as uPlot.AlignedData);
    }
    return out;
  }

  /** Shows the current slice: new data in the plots there are, or new plots. */
  private _show(): void {
    if (this._plots.length === this._channelCount()) {
      this._update();
    } else {
      this._rebuild();
    }
  }

  /**
   * New data in the existing plots (as many as channels to draw): much cheaper than building
   * them again (DOM, canvases, layout). Axes are auto-ranged to the new data.
   */
  private _update(): void {
    const stats = this._channelStats();
    this._renderStats(stats);
    const data = this._lineData();
    const [min, max] = this._xScale(...this._xRange);
    this._syncing = true;
    try {
      // A batch draws at once and runs the setScale hook now, while _syncing holds.
      this._plots.forEach((plot, c) =>
        plot.batch(() => {
          plot.setData(data[c]);
          plot.setScale('x', { min, max });
        })
      );
    } finally {
      this._syncing = false;
    }
    this._emit(stats, data);
  }

  private _rebuild(): void {
    this._plots.forEach(plot => plot.destroy());
    this._plots = [];
    this._lines.replaceChildren();
    const stats = this._channelStats();
    this._renderStats(stats);
    const data = this._lineData();
    const width = Math.max(200, this._lines.clientWidth || 600);
    const syncKey = `axopy-${(ArrayPlot._nextSync++).toString(36)}`;
    const axisColor = cssVar('--jp-ui-font-color2', '#616161');
    const gridColor = cssVar('--jp-border-color2', '#e0e0e0');
    const lineColor = cssVar('--jp-brand-color1', '#1976d2');
    const last = data.length - 1;
    const [xMin, xMax] = this._xScale(...this._xRange);
    data.forEach((lineData, channel) => {
      // Every channel has the same padding, value axis width and plotting area; only the last
      // is taller, by the x axis it alone draws: a sample is at the same pixel column in all.
      const options: uPlot.Options = {
        width,
        height: CHANNEL_HEIGHT + PAD_TOP + PAD_BOTTOM + (channel === last ? X_AXIS_SIZE + X_LABEL_SIZE : 0),
        padding: PADDING,
        legend: { show: false },
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false } },
        scales: {
          x: {
            time: false,
            // One sample has no span: uPlot's fallback for that is 0..100.
            range: (_plot: uPlot, min: number, max: number): uPlot.Range.MinMax =>
              max > min ? [min, max] : [min - 1, min + 1]
          }
        },
        axes: [
          {
            // Only the last channel draws the x axis' ticks and name; every channel draws its
            // vertical grid lines (at the same samples), so the channels read against each other.
            size: channel === last ? X_AXIS_SIZE : 0,
            label: channel === last ? this._axes().xTitle : undefined,
            labelSize: channel === last ? X_LABEL_SIZE : 0,
            labelGap: 0,
            stroke: axisColor,
            ticks: { show: channel === last },
            grid: { stroke: gridColor },
            // Sample indices are whole numbers: whole-number ticks (or round seconds), far
            // enough apart to read.
            splits: (plot: uPlot, _axis: number, min: number, max: number) =>
              this._xTicksFor(min, max, Math.max(2, Math.floor(plot.bbox.width / devicePixelRatio / X_TICK_SPACING))),
            values: () => (channel === last ? this._xTickLabels : this._xTickLabels.map(() => ''))
          },
          {
            size: Y_AXIS_SIZE,
            label: this._channelName(channel),
            labelSize: 16,
            labelGap: 0,
            // Round ticks chosen here (valueTicks), as many as fit Y_TICK_SPACING apart (two to
            // four): uPlot's spacing rule often left only 0 on a short plot.
            splits: (_plot: uPlot, _axis: number, min: number, max: number) =>
              (this._yTicks[channel] = valueTicks(
                min,
                max,
                Math.max(2, Math.min(4, Math.floor(CHANNEL_HEIGHT / Y_TICK_SPACING)))
              )),
            stroke: axisColor,
            grid: { stroke: gridColor },
            values: (_plot: uPlot, ticks: number[], _axis: number, _space: number, increment: number) =>
              formatTicks(ticks, ticks.length > 1 ? ticks[1] - ticks[0] : increment)
          }
        ],
        series: [
          {},
          {
            label: this._channelName(channel),
            stroke: lineColor,
            width: 1,
            // A finite sample between two NaN/inf (gaps) has no line to be part of: dots show it
            // (on short lines; long ones have few such, and dots everywhere would hide the line).
            points: {
              // Read at each draw: the plot is reused for the next trial's data.
              show: (plot: uPlot, series: number) => {
                const ys = plot.data[series];
                return ys.length === 1 || (ys.length <= POINTS_MAX && ys.some(y => y === null));
              },
              size: 5
            },
            spanGaps: false
          }
        ],
        hooks: {
          setScale: [(plot: uPlot, key: string) => key === 'x' && this._onZoom(plot)],
          draw: [() => this._afterDraw()]
        }
      };
      const plot = new uPlot(options, lineData, this._lines);
      plot.root.dataset.channel = String(channel);
      // The axis names are drawn on the canvas: said again for assistive technology.
      plot.root.setAttribute('role', 'img');
      plot.root.setAttribute(
        'aria-label',
        this._options.trans.__('%1 against %2', this._channelName(channel), this._axes().xLabel)
      );
      this._plots.push(plot);
      plot.over.addEventListener('wheel', event => this._onWheel(plot, event), { passive: false });
      plot.over.addEventListener('dblclick', () => this._setRange(0, this._plotLayout!.samples));
    });
    if (this._plots.length > 0) {
      this._syncing = true;
      try {
        this._plots.forEach(plot => plot.setScale('x', { min: xMin, max: xMax }));
      } finally {
        this._syncing = false;
      }
    }
    requestAnimationFrame(() => this._fitWidth());
    this._emit(stats, data);
  }

  /** Sizes the plots to their column (measured after layout: the width at build may be stale). */
  private _fitWidth(): void {
    const width = Math.max(200, this._lines.clientWidth);
    this._plots.forEach(plot => plot.width !== width && plot.setSize({ width, height: plot.height }));
  }

  private _renderStats(stats: IChannelStats[]): void {
    const { trans } = this._options;
    const head = document.createElement('tr');
    for (const text of [trans.__('channel'), 'min', 'max', 'mean']) {
      const cell = document.createElement('th');
      cell.textContent = text;
      head.appendChild(cell);
    }
    const rows = stats.map((s, c) => {
      const row = document.createElement('tr');
      for (const text of [this._channelName(c), formatNumber(s.min), formatNumber(s.max), formatNumber(s.mean)]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.appendChild(cell);
      }
      return row;
    });
    this._stats.replaceChildren(head, ...rows);
    if (this._plotLayout!.channels > stats.length) {
      const more = document.createElement('caption');
      more.textContent = trans.__('first %1 of %2 channels', stats.length, this._plotLayout!.channels);
      this._stats.appendChild(more);
    }
  }

  /** A zoom of one plot: re-decimate for the new range and apply it to every channel. */
  private _onZoom(plot: uPlot): void {
    // Status 0: the plot's first draw, fitting the scale to the data: no zoom to follow.
    if (this._syncing || plot.status === 0) return;
    const min = plot.scales.x.min ?? 0;
    const max = plot.scales.x.max ?? this._plotLayout!.samples;
    this._setRange(min, max);
  }

  private _setRange(min: number, max: number): void {
    const samples = this._plotLayout!.samples;
    const from = Math.max(0, Math.floor(min));
    const to = Math.min(samples, Math.ceil(max) + 1);
    if (to - from < 2) return;
    this._xRange = [from, to];
    const data = this._lineData();
    this._syncing = true;
    try {
      const [xMin, xMax] = this._xScale(from, to);
      this._plots.forEach((plot, c) => {
        plot.setData(data[c], false);
        plot.setScale('x', { min: xMin, max: xMax });
      });
    } finally {
      this._syncing = false;
    }
    this._emit(this._channelStats(), data);
  }

  private _onWheel(plot: uPlot, event: WheelEvent): void {
    event.preventDefault();
    const [from, to] = this._xRange;
    const span = to - from;
    if (event.shiftKey) {
      const shift = Math.round(span * 0.1 * Math.sign(event.deltaY || event.deltaX));
      this._setRange(from + shift, to + shift);
      return;
    }
    const at = plot.posToVal(event.offsetX, 'x');
    const factor = event.deltaY < 0 ? 0.75 : 1 / 0.75;
    this._setRange(at - (at - from) * factor, at + (to - at) * factor);
  }

  private _emit(stats: IChannelStats[], data: uPlot.AlignedData[]): void {
    this._shownStats = stats;
    this._drawn = data;
    this._counts = this._nonFiniteCounts();
    this._noteText = this._renderNote(this._counts);
    this._publishSummary();
  }

  /**
   * After a draw (uPlot draws in a microtask after it is built or resized): the scale and the
   * ticks are known only then. Once per frame, however many channels drew.
   */
  private _afterDraw(): void {
    if (this._drawScheduled) return;
    this._drawScheduled = true;
    requestAnimationFrame(() => {
      this._drawScheduled = false;
      if (!this.isDisposed && this._plotLayout !== undefined && this._array !== undefined) this._publishSummary();
    });
  }

  private _publishSummary(): void {
    const layout = this._plotLayout!;
    const data = this._drawn;
    const counts = this._counts;
    const scale = this._plots[0]?.scales.x;
    this._summary = {
      dtype: this._array!.dtype,
      shape: [...this._array!.shape],
      slice: [...this._slice],
      channels: this._shownStats.map((s, c) => ({
        ...s,
        points: data[c]?.[0].length ?? 0,
        nonFinite: counts[c],
        name: this._channelName(c)
      })),
      channelCount: this._empty() ? 0 : layout.channels,
      samples: layout.samples,
      xRange: [this._xRange[0], this._xRange[1]],
      xScale: scale?.min != null && scale.max != null ? [scale.min, scale.max] : undefined,
      xLabel: this._axes().xLabel,
      xTitle: this._axes().xTitle,
      note: this._noteText,
      xTicks: [...this._xTicks],
      xTickLabels: [...this._xTickLabels],
      sampleRate: this._metadata.sampleRate,
      yTicks: this._plots.map((_, c) => [...(this._yTicks[c] ?? [])])
    };
    this._options.onDraw?.(this._summary);
  }

  private static _nextSync = 0;
  private readonly _resizeObserver: ResizeObserver;
  private readonly _picker: HTMLDivElement;
  private readonly _body: HTMLDivElement;
  private readonly _lines: HTMLDivElement;
  private readonly _note: HTMLDivElement;
  private readonly _stats: HTMLTableElement;
  private _plots: uPlot[] = [];
  private _array: IArrayData | undefined;
  private _values: NumericData | undefined;
  private _plotLayout: IPlotLayout | undefined;
  private _slice: number[] = [];
  private _xRange: [number, number] = [0, 0];
  private _summary: IPlotSummary | undefined;
  private _syncing = false;
  private _xTicks: number[] = [];
  private _xTickLabels: string[] = [];
  private _metadata: IArrayAxesMetadata = {};
  private _metadataProblem = '';
  private _drawn: uPlot.AlignedData[] = [];
  private _shownStats: IChannelStats[] = [];
  private _counts: INonFiniteCounts[] = [];
  private _noteText = '';
  private _drawScheduled = false;
  private _yTicks: number[][] = [];
}
