/**
 * Python AxoPy's `TaskReader`: reads a task's trials table, arrays and pickles.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ColumnTable } from 'arquero';
import {
  arrayFilePath,
  arrayNameOfFile,
  datasetNameForRow,
  pickleFilePath,
  sortIds,
  trialsCsvPath,
  validateId
} from '../core/layout.js';
import { trialsTable, ParsedTrialsCsv } from '../core/csv/index.js';
import { readLiveSync } from '../core/live-reading.js';
import { type ArrayMetadata, arraySidecarPath, checkChannelCount, parseArraySidecar } from '../core/array-sidecar.js';
import { type TrialsCsvReadOptions, readTrialsCsvFile } from './trials-csv-file.js';
import { loadPickle, PickleValue } from '../core/pickle/index.js';
import { castArray, vstack, vstackLayout } from '../core/array-ops.js';
import {
  ArrayNotFoundError,
  DatasetError,
  DatasetRefusedError,
  FileNotFoundError,
  FormatError,
  TrialIndexError
} from '../core/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AnyTypedArray, type DType, NDArray, TYPED_ARRAY_FOR_DTYPE, elementCount } from '../core/ndarray.js';
import { Hdf5File } from './hdf5.js';
import type { Hdf5ReadLimits } from '../core/hdf5-containment.js';
import { requireFile } from './files.js';
import { Epochs, ROW_COLUMN } from './epochs.js';
import { withColumnDTypes } from './display-table.js';

export type { ColumnTable } from 'arquero';

/**
 * A writer in another process rewrites HDF5 metadata in place while it flushes; a read landing
 * in that moment sees a torn state. So a failed read is retried on a freshly opened file a few
 * times before it counts as an error (a damaged file still fails, after the last retry).
 */
const LIVE_READ_ATTEMPTS = 4;
const LIVE_READ_RETRY_MS = 25;

/** Blocks the thread for `ms` (trials are read in synchronous getters). */
function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Trials whose arrays cannot be stacked (shapes disagree): not worth a retry. */
class StackError extends Error {}

/** Why trials of these shapes cannot be epochs (one shape, 1-D or 2-D), or undefined. */
function epochShapeProblem(shapes: number[][]): string | undefined {
  const first = shapes[0];
  const differing = shapes.findIndex(shape => shape.length !== first.length || shape.some((n, k) => n !== first[k]));
  if (differing >= 0)
    return `trial ${differing} has shape (${shapes[differing].join(', ')}), trial 0 (${first.join(', ')}): epochs need one shape`;
  if (first.length < 1 || first.length > 2)
    return `trials have shape (${first.join(', ')}): epochs need 1-D (samples) or 2-D (channels, samples) trials`;
  return undefined;
}

async function openWithRetry(path: string, limits: Hdf5ReadLimits): Promise<Hdf5File> {
  for (let attempt = 1; ; attempt++) {
    try {
      const file = await Hdf5File.open(path, 'r');
      file.readLimits = limits;
      return file;
    } catch (error) {
      if (attempt >= LIVE_READ_ATTEMPTS || error instanceof FileNotFoundError) throw error;
      await sleep(LIVE_READ_RETRY_MS * attempt);
    }
  }
}

/** Reads the data of one task folder. Get one from `Storage.requireTask`. */
export class TaskReader {
  /** The task folder. */
  readonly root: string;
  /**
   * What array reads accept (see `Hdf5ReadLimits`): by default no data from outside the
   * array's own file (external links, virtual datasets, external storage: h5py follows them)
   * and no dataset over 1 GiB or declaring more stored data than its file holds.
   * `{ allowExternalData: true }` reads as h5py does.
   */
  hdf5Limits: Hdf5ReadLimits = {};
  /** How trials.csv is read: `maxLineBytes`, the longest line accepted (default 16 MiB). */
  csvOptions: TrialsCsvReadOptions = {};
  /** The last reading of trials.csv trusted: a rewrite in progress never replaces it. */
  private lastGoodTrials: { value: ParsedTrialsCsv; rowCount: number } | undefined;
  private rewriteCause: string | undefined;
  private parsed: ParsedTrialsCsv | undefined;
  private table: ColumnTable | undefined;

  constructor(root: string) {
    this.root = root;
  }

  /**
   * trials.csv as an arquero table, typed as `pandas.read_csv` types it (read once, cached;
   * `reload()` reads again). A last line still being written by a running experiment (no
   * final newline) is left out until complete.
   */
  get trials(): ColumnTable {
    if (!this.table) {
      const parsed = this.parsedTrials();
      this.table = withColumnDTypes(trialsTable(parsed), parsed.dtypes);
    }
    return this.table;
  }

  /** Number of trials (rows of trials.csv). */
  get trialCount(): number {
    return this.parsedTrials().rowCount;
  }

  /** Forgets the cached trials so the next access reads the file again. */
  reload(): this {
    this.parsed = undefined;
    this.table = undefined;
    return this;
  }

  /** Yields array `name` of each trial in row order (dataset "0", "1", ... of `<name>.hdf5`). */
  async *iterArray(name: string): AsyncGenerator<NDArray> {
    validateId(name, 'array');
    const rows = this.trialCount;
    const path = this.requireArrayFile(name);
    let file = await openWithRetry(path, this.hdf5Limits);
    try {
      for (let row = 0; row < rows; row++) {
        let array: NDArray;
        for (let attempt = 1; ; attempt++) {
          try {
            array = this.readRow(file, name, row);
            break;
          } catch (error) {
            if (attempt >= LIVE_READ_ATTEMPTS || error instanceof DatasetRefusedError) throw error;
            file.close();
            await sleep(LIVE_READ_RETRY_MS * attempt);
            file = await openWithRetry(path, this.hdf5Limits);
          }
        }
        yield array;
      }
    } finally {
      file.close();
    }
  }

  /** Array `name` of the trial in row `row` (0-based row of trials.csv). */
  async trialArray(name: string, row: number): Promise<NDArray> {
    const path = this.requireArrayFile(name);
    this.checkRow(row);
    for (let attempt = 1; ; attempt++) {
      const file = await openWithRetry(path, this.hdf5Limits);
      try {
        return this.readRow(file, name, row);
      } catch (error) {
        if (
          attempt >= LIVE_READ_ATTEMPTS ||
          error instanceof DatasetRefusedError ||
          (error instanceof DatasetError && row >= this.trialCount)
        )
          throw error;
        await sleep(LIVE_READ_RETRY_MS * attempt);
      } finally {
        file.close();
      }
    }
  }

  private readRow(file: Hdf5File, name: string, row: number): NDArray {
    const dataset = datasetNameForRow(row);
    try {
      return file.read(dataset);
    } catch (error) {
      throw this.missingRowError(file, name, row, error);
    }
  }

  /** The error to report for a failed read of `row`: "missing" when there is no such dataset. */
  private missingRowError(file: Hdf5File, name: string, row: number, error: unknown): unknown {
    const dataset = datasetNameForRow(row);
    if (error instanceof DatasetError && !file.has(dataset)) {
      return new DatasetError(
        file.path,
        dataset,
        `is missing: trial ${row} of ${trialsCsvPath(this.root)} has no "${name}" array`
      );
    }
    return error;
  }

  /**
   * Array `name` of every trial, stacked as AxoPy stacks them (`np.vstack`): 1-D trials of
   * length n give a (trials, n) array, 2-D trials are joined along their first axis.
   * When every trial has the same dtype, each is read straight into its place in the output
   * (shapes are looked up first); mixed dtypes are read whole and promoted as NumPy does.
   */
  async array(name: string): Promise<NDArray> {
    return (await this.readAllTrials(name)).array;
  }

  /**
   * Array `name` of every trial as {@link Epochs}: float64 data (trials, channels, samples)
   * (1-D trials are one channel) with the trials table and its `row` column. Every trial
   * must have the same shape.
   */
  async epochs(name: string): Promise<Epochs> {
    if (this.trials.columnNames().includes(ROW_COLUMN)) {
      throw new FormatError(
        trialsCsvPath(this.root),
        `has a column "${ROW_COLUMN}": epochs add that column for each trial's row of trials.csv; rename it to use epochs`
      );
    }
    const { array, trialShapes } = await this.readAllTrials(name, epochShapeProblem);
    const first = trialShapes[0];
    const [channels, samples] = first.length === 2 ? first : [1, first[0]];
    const data = castArray(array, 'float64');
    const metadata = this.arrayMetadata(name);
    checkChannelCount(metadata, channels, arraySidecarPath(this.root, name));
    return new Epochs(
      { dtype: 'float64', shape: [trialShapes.length, channels, samples], data: data.data },
      this.trials,
      undefined,
      metadata
    );
  }

  /** Every trial's array stacked, with each trial's own shape. */
  private async readAllTrials(
    name: string,
    shapeProblem?: (shapes: number[][]) => string | undefined
  ): Promise<{ array: NDArray; trialShapes: number[][] }> {
    validateId(name, 'array');
    // trials.csv first: a task without one reports that, as before arrays are looked at.
    const rows = this.trialCount;
    const path = this.requireArrayFile(name);
    if (rows === 0) {
      throw new DatasetError(path, '0', 'is missing: the task has no trials');
    }
    for (let attempt = 1; ; attempt++) {
      const file = await openWithRetry(path, this.hdf5Limits);
      try {
        return this.readStacked(file, name, rows, shapeProblem);
      } catch (error) {
        if (error instanceof StackError) {
          throw new DatasetError(path, '*', `cannot be stacked: ${error.message}`);
        }
        // As iterArray: a read may have landed in another process's flush.
        if (attempt >= LIVE_READ_ATTEMPTS || error instanceof DatasetRefusedError) throw error;
        await sleep(LIVE_READ_RETRY_MS * attempt);
      } finally {
        file.close();
      }
    }
  }

  private readStacked(
    file: Hdf5File,
    name: string,
    rows: number,
    shapeProblem?: (shapes: number[][]) => string | undefined
  ): { array: NDArray; trialShapes: number[][] } {
    const described: { dtype: DType; shape: number[] }[] = [];
    for (let row = 0; row < rows; row++) {
      try {
        described.push(file.describe(datasetNameForRow(row)));
      } catch (error) {
        throw this.missingRowError(file, name, row, error);
      }
    }
    // Before any data is read: shapes that do not suit the caller are not worth reading.
    const problem = shapeProblem?.(described.map(d => d.shape));
    if (problem !== undefined) throw new StackError(problem);
    let layout: ReturnType<typeof vstackLayout>;
    try {
      layout = vstackLayout(described);
    } catch (error) {
      throw new StackError((error as Error).message);
    }
    if (!layout.sameDType) {
      const parts = described.map((_, row) => this.readRow(file, name, row));
      try {
        return { array: vstack(parts), trialShapes: described.map(d => d.shape) };
      } catch (error) {
        throw new StackError((error as Error).message);
      }
    }
    const out = new TYPED_ARRAY_FOR_DTYPE[layout.dtype](elementCount(layout.shape)) as AnyTypedArray;
    let offset = 0;
    for (let row = 0; row < rows; row++) {
      const count = elementCount(described[row].shape);
      try {
        file.readInto(datasetNameForRow(row), out.subarray(offset, offset + count) as AnyTypedArray);
      } catch (error) {
        throw this.missingRowError(file, name, row, error);
      }
      offset += count;
    }
    const array = { dtype: layout.dtype, shape: layout.shape, data: out } as NDArray;
    return { array, trialShapes: described.map(d => d.shape) };
  }

  /** The path of `<name>.hdf5`; ArrayNotFoundError listing the task's arrays when missing. */
  private requireArrayFile(name: string): string {
    const path = arrayFilePath(this.root, validateId(name, 'array'));
    try {
      requireFile(path, 'array file', this.root);
    } catch (error) {
      if (!(error instanceof FileNotFoundError)) throw error;
      throw new ArrayNotFoundError(path, name, this.arrayNames());
    }
    return path;
  }

  /**
   * What `<name>.json` beside `<name>.hdf5` says about the array (sample rate, channel
   * names); {} without that file. SidecarFormatError naming the file when it is malformed.
   */
  arrayMetadata(name: string): ArrayMetadata {
    const path = arraySidecarPath(this.root, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    return parseArraySidecar(text, path);
  }

  /** Names of the task's arrays (`<name>.hdf5` files), sorted. */
  arrayNames(): string[] {
    let files: string[];
    try {
      files = readdirSync(this.root);
    } catch {
      return [];
    }
    return sortIds(files.map(arrayNameOfFile).filter((n): n is string => n !== undefined));
  }

  /**
   * TrialIndexError for a row that is not a trial. A row past the rows read so far makes
   * trials.csv be read again first (a running experiment may have added it).
   */
  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0) throw new TrialIndexError(row, this.trialCount);
    if (row >= this.trialCount && row >= this.reload().trialCount) throw new TrialIndexError(row, this.trialCount);
  }

  /** Loads `<name>.pkl` (plain data only; a pickle that would run code is refused). */
  pickle(name: string): PickleValue {
    const path = pickleFilePath(this.root, validateId(name, 'pickle'));
    requireFile(path, 'pickle', this.root);
    return loadPickle(readFileSync(path), path);
  }

  /**
   * Whether the last reading of trials.csv was current, or met the file being rewritten (by
   * a running Python AxoPy, say: empty, damaged or shorter than before after a few retries)
   * and kept the reading before it (see core/live-reading.ts).
   */
  get trialsStatus(): 'current' | 'being rewritten' {
    return this.rewriteCause === undefined ? 'current' : 'being rewritten';
  }

  private parsedTrials(): ParsedTrialsCsv {
    if (!this.parsed) {
      const path = trialsCsvPath(this.root);
      requireFile(path, 'trials file', this.root);
      const read = (): { value: ParsedTrialsCsv; rowCount: number } => {
        const parsed = readTrialsCsvFile(path, this.csvOptions);
        return { value: parsed, rowCount: parsed.rowCount };
      };
      const outcome = readLiveSync(read, this.lastGoodTrials, pauseSync);
      if (outcome.status === 'failed') throw outcome.error;
      this.rewriteCause = outcome.status === 'being rewritten' ? outcome.cause : undefined;
      if (outcome.status === 'current') this.lastGoodTrials = { value: outcome.value, rowCount: outcome.rowCount };
      this.parsed = outcome.value;
    }
    return this.parsed;
  }
}
