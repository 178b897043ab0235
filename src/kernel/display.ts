/**
 * Rich output in tslab notebooks: tables as HTML, signals as SVG plots. The `show*`/`plot*`
 * functions send a display to the running cell and return nothing (so nothing is printed
 * twice); the `*Html`/`*Svg` functions they use return the markup, for use anywhere.
 *
 * ```ts
 * import { showTable, plotArray } from "jupyterlab-axopy/kernel";
 * showTable(reader.trials, { head: 3, tail: 3 });
 * await plotArray(emg, { title: "EMG", sampleRate: 2000 });
 * ```
 */
import type { NDArray } from '../core/ndarray.js';
import { arraySvg, trialSvg, type PlotOptions } from './display-plot.js';
import { tableHtml, type TableHtmlOptions, type TableLike } from './display-table.js';
import { bandsSvg, featuresSvg, type BandsOptions, type Curves, type FeaturePlotOptions } from './display-bands.js';
import type { ColumnTable } from 'arquero';

export * from './display-errors.js';
export * from './display-plot.js';
export * from './display-table.js';
export * from './display-bands.js';

/** The part of tslab's `display` used here. */
interface NotebookDisplay {
  html(markup: string): void;
  svg(markup: string): void;
}

/**
 * tslab's display of the running cell. tslab is required on first use only: outside a
 * notebook (scripts, tests) this package should not load tslab's TypeScript compiler.
 */
function notebookDisplay(caller: string): NotebookDisplay {
  let display: NotebookDisplay;
  try {
    ({ display } = require('tslab') as { display: NotebookDisplay });
  } catch (cause) {
    throw new Error(`${caller}: rich display needs the tslab package (run in a tslab notebook)`, { cause });
  }
  return {
    html: markup => sendToNotebook(caller, () => display.html(markup)),
    svg: markup => sendToNotebook(caller, () => display.svg(markup))
  };
}

function sendToNotebook(caller: string, send: () => void): void {
  try {
    send();
  } catch (cause) {
    throw new Error(`${caller}: no notebook cell is running (use the *Html/*Svg functions outside a tslab kernel)`, {
      cause
    });
  }
}

/**
 * Shows a table (e.g. `reader.trials`, an arquero ColumnTable) as HTML: column names and
 * dtypes, the first `head` and last `tail` rows (default 5 each) and the size.
 */
export function showTable(table: TableLike, options: TableHtmlOptions = {}): void {
  notebookDisplay('showTable').html(tableHtml(table, options));
}

/**
 * Plots an array as SVG: a 1-D array as one signal, a 2-D array as (channels, samples) with
 * one stacked panel per channel; long signals are min/max decimated to
 * `maxPointsPerChannel` (default 2000) points per channel.
 */
export async function plotArray(array: NDArray, options: PlotOptions = {}): Promise<void> {
  const svg = await arraySvg(array, options);
  notebookDisplay('plotArray').svg(svg);
}

/** Plots every array of one trial (name -> array) as SVG, one group of panels per array. */
export async function plotTrial(arrays: Readonly<Record<string, NDArray>>, options: PlotOptions = {}): Promise<void> {
  const svg = await trialSvg(arrays, options);
  notebookDisplay('plotTrial').svg(svg);
}

/**
 * Plots the mean curve of each group of trials (`by`: a trials column, or one label per
 * trial) with a band of ± SEM (or ± SD with `spread: 'sd'`), one panel per channel, as SVG:
 * `plotBands(envelopes, { by: "gesture", sampleRate: 2000 })`. Curves are epochs or an array
 * of (trials, samples) or (trials, channels, samples).
 */
export async function plotBands(curves: Curves, options: BandsOptions = {}): Promise<void> {
  const svg = await bandsSvg(curves, options);
  notebookDisplay('plotBands').svg(svg);
}

/** Plots a tidy feature table (from `features`) per group: trials as points, mean ± SEM. */
export async function plotFeatures(table: ColumnTable, options: FeaturePlotOptions): Promise<void> {
  const svg = await featuresSvg(table, options);
  notebookDisplay('plotFeatures').svg(svg);
}
