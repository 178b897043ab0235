/**
 * The analysis view's drawings, one per channel, with uPlot as the trial plot: overlay (every
 * kept trial, a raster of traces per pixel coloured by group), average (mean with a band of +/- SEM or SD per
 * group), spectrum (Welch PSD of each group's mean, log scale), and the epochs image on a
 * canvas (trials x time, rows sorted by a feature).
 */
import uPlot from 'uplot';
import type { AnalysisModel } from './analysis-model.js';
import { type Rgb, imageScale, rgbText } from './group-colors.js';
import { cssVar } from '../previews/theme.js';
import { bandPoints } from './band-points.js';
import {
  type ILevelScale,
  type OverlaySpans,
  RasterScratch,
  columnsUnderPixel,
  compositeRaster,
  levelOf
} from './overlay-raster.js';

/** The rasters' buffers, one set for every overlay drawn (each copied into its canvas at once). */
const rasterScratch = new RasterScratch();

const CHANNEL_HEIGHT = 110;
const Y_AXIS_SIZE = 72;

/** What a drawing needs besides the model. */
export interface IPlotContext {
  readonly model: AnalysisModel;
  readonly width: number;
  readonly colors: ReadonlyMap<string, Rgb>;
  /** Group label of each trial row (for overlay colours). */
  readonly groupOfRow: (row: number) => string;
  readonly spread: 'sem' | 'std';
  /** The trial hovered in an overlay (undefined: none). */
  readonly onHover: (row: number | undefined) => void;
  readonly onPick: (row: number) => void;
  /** Spectrum mode: the selected trial's PSD (channels x bins), drawn over the groups'. */
  readonly trialSpectrum?: { readonly row: number; readonly frequencies: Float64Array; readonly psd: Float64Array };
}

function axes(xLabel: string, yLabel: string, last: boolean): uPlot.Axis[] {
  const stroke = cssVar('--jp-ui-font-color2', '#616161');
  const grid = { stroke: cssVar('--jp-border-color2', '#e0e0e0') };
  return [
    { show: last, label: xLabel, stroke, grid, size: 28, labelSize: 16 },
    { label: yLabel, stroke, grid, size: Y_AXIS_SIZE, labelSize: 16 }
  ];
}

/** Seconds when the sample rate is known, else sample positions. */
function timeAxis(model: AnalysisModel, samples: ArrayLike<number>): { x: Float64Array; label: string } {
  const rate = model.metadata.sampleRate;
  const x = Float64Array.from(samples as ArrayLike<number>, s => (rate === undefined ? s : s / rate));
  return { x, label: model.axes.xTitle };
}

function basePlot(
  width: number,
  last: boolean,
  series: uPlot.Series[],
  xLabel: string,
  yLabel: string,
  extra: Partial<uPlot.Options> = {}
): uPlot.Options {
  return {
    width,
    height: CHANNEL_HEIGHT + (last ? 44 : 0),
    legend: { show: false },
    scales: { x: { time: false } },
    axes: axes(xLabel, yLabel, last),
    series: [{}, ...series],
    ...extra
  };
}

/** One channel of the average: x, and per group its (mean + spread, mean, mean - spread) columns. */
function averageChannel(
  context: IPlotContext,
  c: number
): { x: Float64Array; label: string; columns: ArrayLike<number>[] } {
  const { model } = context;
  const samples = model.trialShape![1];
  const buckets = Math.max(1, Math.floor(context.width - Y_AXIS_SIZE));
  const columns: ArrayLike<number>[] = [];
  let samplesDrawn: Float64Array = new Float64Array(0);
  for (const group of model.groups()) {
    const points = bandPoints(
      group.mean.data.subarray(c * samples, (c + 1) * samples),
      group[context.spread].data.subarray(c * samples, (c + 1) * samples),
      buckets
    );
    // Every group's points share x: the buckets are the same; within one, min and max
    // positions differ by less than a pixel, so the first group's stand for all.
    if (samplesDrawn.length === 0) samplesDrawn = points.samples;
    columns.push(points.hi, points.mean, points.lo);
  }
  return { ...timeAxis(model, samplesDrawn), columns };
}

/** Mean +/- spread per group, per channel, decimated per pixel. */
export function drawAverage(host: HTMLElement, context: IPlotContext): uPlot[] {
  const { model } = context;
  const shape = model.trialShape;
  if (!shape) return [];
  const channels = shape[0];
  const groups = model.groups();
  return Array.from({ length: channels }, (_, c) => {
    const series: uPlot.Series[] = [];
    const bands: uPlot.Band[] = [];
    groups.forEach((group, g) => {
      const color = context.colors.get(group.label) ?? [0, 0, 0];
      bands.push({ series: [3 * g + 1, 3 * g + 3], fill: rgbText(color, 0.25) });
      series.push({ label: `${group.label} +`, stroke: 'transparent', width: 0, points: { show: false } });
      series.push({ label: group.label, stroke: rgbText(color), width: 1.5, points: { show: false } });
      series.push({ label: `${group.label} -`, stroke: 'transparent', width: 0, points: { show: false } });
    });
    const { x, label, columns } = averageChannel(context, c);
    const options = basePlot(context.width, c === channels - 1, series, label, model.channelNames[c], { bands });
    return new uPlot(options, [x, ...columns] as uPlot.AlignedData, host);
  });
}

/**
 * New data for plots {@link drawAverage} made for the same groups, channels and width: uPlot's
 * setData redraws the canvases in place (no new elements, no layout), as trials stream in.
 */
export function updateAverage(plots: readonly uPlot[], context: IPlotContext): void {
  plots.forEach((plot, c) => {
    const { x, columns } = averageChannel(context, c);
    plot.setData([x, ...columns] as uPlot.AlignedData);
  });
}

/** Pointer distance (CSS px) within which the nearest trace is picked. */
const PICK_DISTANCE_PX = 8;

/**
 * Every kept trial read, per channel: a raster of how many traces of each group cross each
 * (pixel column, level), drawn over uPlot's axes (a uPlot without visible series); the
 * pointer names the trace under it (spans, not pixels), a click selects its trial.
 */
export function drawOverlay(host: HTMLElement, context: IPlotContext): uPlot[] {
  const { model } = context;
  const shape = model.trialShape;
  const { rows, spans } = model.overlay();
  if (!shape || !spans) return [];
  const [channels, samples] = shape;
  const labels = [...context.colors.keys()];
  const colors = labels.map(label => context.colors.get(label)!);
  const groupIndex = new Map(labels.map((label, i) => [label, i]));
  const groupOfRow = new Map(rows.map(row => [row, groupIndex.get(context.groupOfRow(row)) ?? -1]));
  const rate = model.metadata.sampleRate;
  const xEnd = rate === undefined ? samples : samples / rate;
  const xLabel = rate === undefined ? 'sample' : 'time (s)';
  return Array.from({ length: channels }, (_, c) => {
    const range = spans.drawnRange(c, rows);
    const scale = spans.scale(c);
    let raster: HTMLCanvasElement | undefined;
    if (range) {
      const height = range.high - range.low + 1;
      const counts = spans.raster(
        c,
        rows,
        row => groupOfRow.get(row) ?? -1,
        colors.length,
        range.low,
        range.high,
        rasterScratch
      );
      raster = document.createElement('canvas');
      raster.width = spans.columns;
      raster.height = height;
      raster
        .getContext('2d')!
        .putImageData(
          new ImageData(compositeRaster(counts, colors, height, spans.columns, rasterScratch), spans.columns, height),
          0,
          0
        );
    }
    const [yLow, yHigh] = range?.values ?? [-1, 1];
    let hovered: number | undefined;
    const options = basePlot(
      context.width,
      c === channels - 1,
      [{ label: 'traces', stroke: 'transparent', width: 0, points: { show: false } }],
      xLabel,
      model.channelNames[c],
      {
        scales: { x: { time: false, range: [0, xEnd] }, y: { range: [yLow, yHigh] } },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        hooks: {
          draw: [
            (plot: uPlot) => {
              if (!raster) return;
              const { left, top, width, height } = plot.bbox;
              plot.ctx.save();
              plot.ctx.imageSmoothingEnabled = false;
              plot.ctx.drawImage(raster, left, top, width, height);
              plot.ctx.restore();
            }
          ],
          setCursor: [
            (plot: uPlot) => {
              const row = range && scale ? tracePicked(plot, spans, c, rows, range, scale) : undefined;
              if (row === hovered) return;
              hovered = row;
              context.onHover(row);
            }
          ]
        }
      }
    );
    const plot = new uPlot(options, [new Float64Array([0, xEnd]), new Float64Array([yLow, yHigh])], host);
    plot.over.setAttribute('aria-label', `${model.channelNames[c]}: ${rows.length} trials drawn over one another`);
    plot.over.addEventListener('click', () => {
      if (hovered !== undefined) context.onPick(hovered);
    });
    return plot;
  });
}

/** The trace under uPlot's cursor, from the spans: its pixel's columns, its level, within PICK_DISTANCE_PX. */
function tracePicked(
  plot: uPlot,
  spans: OverlaySpans,
  channel: number,
  rows: readonly number[],
  range: { readonly low: number; readonly high: number },
  scale: ILevelScale
): number | undefined {
  const { left, top } = plot.cursor;
  const width = plot.bbox.width / uPlot.pxRatio;
  const height = plot.bbox.height / uPlot.pxRatio;
  if (left === undefined || top === undefined || left < 0 || top < 0 || left >= width || top >= height)
    return undefined;
  const { first, last } = columnsUnderPixel(Math.floor(left), width, spans.columns);
  const level = levelOf(scale, plot.posToVal(top, 'y'));
  const picked = spans.pick(channel, rows, first, last, level);
  const levelsPerPixel = (range.high - range.low + 1) / height;
  return picked && picked.distance <= Math.max(1, PICK_DISTANCE_PX * levelsPerPixel) ? picked.row : undefined;
}

/** Welch PSD of each group's mean, log-scale power axis, per channel. */
export function drawSpectrum(host: HTMLElement, context: IPlotContext): uPlot[] {
  const { model } = context;
  const shape = model.trialShape;
  if (!shape) return [];
  const spectra = model.spectra();
  if (spectra.length === 0) return [];
  const bins = spectra[0].bins;
  const trial = context.trialSpectrum?.frequencies.length === bins ? context.trialSpectrum : undefined;
  const unit = model.metadata.sampleRate === undefined ? 'cycles/sample' : 'Hz';
  return Array.from({ length: shape[0] }, (_, c) => {
    const data: uPlot.AlignedData = [
      spectra[0].frequencies,
      // A log axis cannot show 0: the DC bin of a mean-removed segment is ~0.
      ...spectra.map(s => Array.from(s.psd.subarray(c * bins, (c + 1) * bins), v => (v > 0 ? v : null))),
      ...(trial ? [Array.from(trial.psd.subarray(c * bins, (c + 1) * bins), v => (v > 0 ? v : null))] : [])
    ];
    const series: uPlot.Series[] = spectra.map(s => ({
      label: s.label,
      stroke: rgbText(context.colors.get(s.label) ?? [0, 0, 0]),
      width: 1.5,
      points: { show: false }
    }));
    if (trial)
      series.push({
        label: `trial ${trial.row}`,
        stroke: cssVar('--jp-ui-font-color1', '#212121'),
        width: 1,
        dash: [4, 3],
        points: { show: false }
      });
    const options = basePlot(
      context.width,
      c === shape[0] - 1,
      series,
      `frequency (${unit})`,
      `${model.channelNames[c]} PSD`,
      {
        scales: { x: { time: false }, y: { distr: 3 } }
      }
    );
    // Powers of ten span decades: written as 1e-5, not rounded to 0.
    options.axes![1].values = (_plot: uPlot, ticks: (number | null)[]) =>
      ticks.map(tick => (tick === null ? '' : tick.toExponential(0)));
    return new uPlot(options, data, host);
  });
}

/** The epochs image of the model's channel on a canvas: one row per trial, colour = amplitude. */
export function drawImage(host: HTMLElement, model: AnalysisModel, width: number): HTMLCanvasElement | undefined {
  const { rows, columns, data } = model.image();
  if (rows.length === 0) return undefined;
  let scale = 0;
  for (const v of data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const [negative, zero, positive] = imageScale();
  const pixels = new ImageData(columns, rows.length);
  for (let i = 0; i < data.length; i++) {
    const t = scale > 0 && Number.isFinite(data[i]) ? data[i] / scale : 0;
    const end = t < 0 ? negative : positive;
    const a = Math.abs(t);
    for (let k = 0; k < 3; k++) pixels.data[i * 4 + k] = Math.round(zero[k] + (end[k] - zero[k]) * a);
    pixels.data[i * 4 + 3] = 255;
  }
  const source = document.createElement('canvas');
  source.width = columns;
  source.height = rows.length;
  source.getContext('2d')!.putImageData(pixels, 0, 0);
  const canvas = document.createElement('canvas');
  canvas.className = 'jp-AxoPyAnalysis-image';
  canvas.width = width;
  canvas.height = Math.max(120, Math.min(600, rows.length * 3));
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    `${model.channelNames[model.channel]}: ${rows.length} trials by time, colour is amplitude (±${scale.toPrecision(3)})${model.sortBy ? `, sorted by ${model.sortBy}` : ''}`
  );
  const caption = document.createElement('div');
  caption.className = 'jp-AxoPyAnalysis-imageCaption';
  const rate = model.metadata.sampleRate;
  const samples = model.trialShape![1];
  caption.textContent = `${model.channelNames[model.channel]}: ${rows.length} trials (rows, ${model.sortBy ? `sorted by ${model.sortBy}, lowest on top` : 'in table order'}) × ${
    rate === undefined ? `samples 0-${samples}` : `time 0-${samples / rate} s`
  }; colour from -${scale.toPrecision(3)} to +${scale.toPrecision(3)}`;
  host.append(canvas, caption);
  return canvas;
}
