/**
 * The task preview's link to the analysis sections: one {@link AnalysisSection} per array
 * section, fed with the table's trials, kept rows and selection, and the trials table fed
 * back with the feature columns. The preview calls a handful of methods; the rest is here.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IArrayAxesMetadata } from '../../core/axis-metadata.js';
import type { ParsedTrialsCsv } from '../../core/csv/index.js';
import { datasetNameForRow } from '../../core/layout.js';
import type { IArrayProvider, IFileVersion } from '../hdf5/provider.js';
import type { TrialsGrid } from '../previews/trials-grid.js';
import { AnalysisSection, type IAnalysisHost, type IAnalysisState } from './analysis-section.js';
import type { ITrialReducer } from './analysis-model.js';
import type { IReduceChunkRequest, IReducedChunk } from './trial-reduction.js';

/** An array provider that can also reduce trials in its worker. */
export interface IReducingArrayProvider extends IArrayProvider {
  reduceTrials?(
    file: IFileVersion,
    chunk: IReduceChunkRequest
  ): Promise<{ reduced: IReducedChunk; bytesFetched: number }>;
}

export interface IPreviewAnalysisOptions {
  readonly grid: TrialsGrid;
  readonly arrays: IReducingArrayProvider;
  /**
   * An array's sample rate and channel names as the preview's model holds them (sidecar, else
   * settings; undefined until its sidecar was looked for): the trial plot's, read once.
   */
  readonly metadataOf: (arrayName: string) => IArrayAxesMetadata | undefined;
  /** The shape of the trial the preview plotted of an array, if it has one. */
  readonly plottedShapeOf: (arrayName: string) => readonly number[] | undefined;
  readonly trans: TranslationBundle;
  /** Something shown changed: the preview publishes its state. */
  readonly publish: () => void;
}

/** `{ <feature>_<channel>: values }` added to trials.csv's columns, typed float64. */
export function withFeatureColumns(
  parsed: ParsedTrialsCsv,
  columns: readonly { name: string; values: number[] }[]
): ParsedTrialsCsv {
  const added = columns.filter(c => !parsed.columns.includes(c.name));
  if (added.length === 0) return parsed;
  return {
    columns: [...parsed.columns, ...added.map(c => c.name)],
    dtypes: { ...parsed.dtypes, ...Object.fromEntries(added.map(c => [c.name, 'float64'])) },
    values: { ...parsed.values, ...Object.fromEntries(added.map(c => [c.name, c.values])) },
    rowCount: parsed.rowCount
  };
}

export class PreviewAnalysis {
  constructor(private readonly _options: IPreviewAnalysisOptions) {
    _options.grid.viewChanged.connect(() => this._sections.forEach(section => section.keptChanged()));
    _options.grid.trialSelected.connect(() => this._sections.forEach(section => section.selectionChanged()));
  }

  /** Adds the analysis controls to an array's section, before `before`; `trialPlot` shows in "Trial" mode only. */
  attach(
    name: string,
    parent: HTMLElement,
    before: Element,
    trialPlot: readonly HTMLElement[],
    file: IFileVersion
  ): void {
    const host: IAnalysisHost = {
      trans: this._options.trans,
      reducerFor: (version: IFileVersion): ITrialReducer => ({
        reduceTrials: chunk => {
          if (!this._options.arrays.reduceTrials)
            return Promise.reject(new Error('this array reader cannot reduce trials'));
          return this._options.arrays.reduceTrials(version, chunk);
        }
      }),
      metadata: arrayName => this._options.metadataOf(arrayName),
      plottedShape: arrayName => this._options.plottedShapeOf(arrayName),
      trials: () => this._trials,
      keptTrials: () => this._options.grid.view.rows,
      selectTrial: row => this._options.grid.selectTrial(row),
      selectedTrial: () => this._options.grid.selectedTrial,
      readTrial: (version, row) => this._options.arrays.readDataset(version, datasetNameForRow(row)),
      featuresChanged: () => this._showFeatures(),
      changed: () => this._options.publish()
    };
    const section = new AnalysisSection(name, host);
    section.setFile(file);
    section.modeChanged.connect((_, mode) => trialPlot.forEach(element => (element.hidden = mode !== 'trial')));
    parent.insertBefore(section.node, before);
    this._sections.set(name, section);
  }

  setFile(name: string, file: IFileVersion): void {
    this._sections.get(name)?.setFile(file);
  }

  /** The model's metadata of an array changed (its sidecar or the settings). */
  metadataChanged(name: string): void {
    this._sections.get(name)?.metadataChanged();
  }

  detach(name: string): void {
    this._sections.get(name)?.dispose();
    this._sections.delete(name);
  }

  /** trials.csv as read (the table then gets the feature columns again). */
  trialsChanged(parsed: ParsedTrialsCsv): void {
    this._trials = parsed;
    this._sections.forEach(section => section.trialsChanged());
    this._showFeatures();
  }

  /** The sections' states, by array name, for the test hook. */
  state(): Record<string, IAnalysisState> {
    return Object.fromEntries([...this._sections].map(([name, section]) => [name, section.state]));
  }

  section(name: string): AnalysisSection | undefined {
    return this._sections.get(name);
  }

  dispose(): void {
    this._sections.forEach(section => section.dispose());
    this._sections.clear();
  }

  private _showFeatures(): void {
    const trials = this._trials;
    if (!trials) return;
    const columns = [...this._sections.values()].flatMap(section =>
      section
        .featureColumns()
        .map(c => ({ name: this._sections.size > 1 ? `${section.arrayName}.${c.name}` : c.name, values: c.values }))
    );
    const grid = this._options.grid;
    grid.setContents(grid.view.withContents(withFeatureColumns(trials, columns)));
  }

  private _trials: ParsedTrialsCsv | undefined;
  private readonly _sections = new Map<string, AnalysisSection>();
}
