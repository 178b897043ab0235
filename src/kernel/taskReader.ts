/**
 * Python AxoPy's `TaskReader`: reads a task's trials table, arrays and pickles.
 */
import { readFileSync } from 'node:fs';
import type { ColumnTable } from 'arquero';
import { arrayFilePath, datasetNameForRow, pickleFilePath, trialsCsvPath, validateId } from '../core/layout.js';
import { parseTrialsCsv, trialsTable, ParsedTrialsCsv } from '../core/csv/index.js';
import { loadPickle, PickleValue } from '../core/pickle/index.js';
import { vstack } from '../core/arrayOps.js';
import { DatasetError, FormatError } from '../core/errors.js';
import { NDArray } from '../core/ndarray.js';
import { Hdf5File } from './hdf5.js';
import { requireFile } from './files.js';

export type { ColumnTable } from 'arquero';

/** Reads the data of one task folder. Get one from `Storage.requireTask`. */
export class TaskReader {
  /** The task folder. */
  readonly root: string;
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
    if (!this.table) this.table = trialsTable(this.parsedTrials());
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
    const path = arrayFilePath(this.root, validateId(name, 'array'));
    const rows = this.trialCount;
    requireFile(path, 'array file', this.root);
    const file = await Hdf5File.open(path, 'r');
    try {
      for (let row = 0; row < rows; row++) {
        const dataset = datasetNameForRow(row);
        if (!file.has(dataset)) {
          throw new DatasetError(path, dataset, `is missing: trial ${row} of ${trialsCsvPath(this.root)} has no "${name}" array`);
        }
        yield file.read(dataset);
      }
    } finally {
      file.close();
    }
  }

  /**
   * Array `name` of every trial, stacked as AxoPy stacks them (`np.vstack`): 1-D trials of
   * length n give a (trials, n) array, 2-D trials are joined along their first axis.
   */
  async array(name: string): Promise<NDArray> {
    const parts: NDArray[] = [];
    for await (const part of this.iterArray(name)) parts.push(part);
    if (parts.length === 0) {
      throw new DatasetError(arrayFilePath(this.root, name), '0', 'is missing: the task has no trials');
    }
    try {
      return vstack(parts);
    } catch (error) {
      throw new DatasetError(arrayFilePath(this.root, name), '*', `cannot be stacked: ${(error as Error).message}`);
    }
  }

  /** Loads `<name>.pkl` (plain data only; a pickle that would run code is refused). */
  pickle(name: string): PickleValue {
    const path = pickleFilePath(this.root, validateId(name, 'pickle'));
    requireFile(path, 'pickle', this.root);
    return loadPickle(readFileSync(path), path);
  }

  private parsedTrials(): ParsedTrialsCsv {
    if (!this.parsed) {
      const path = trialsCsvPath(this.root);
      requireFile(path, 'trials file', this.root);
      const bytes = readFileSync(path);
      // pandas refuses an empty file (EmptyDataError); so does this reader.
      if (bytes.length === 0) throw new FormatError(path, 'is empty: expected a header line');
      this.parsed = parseTrialsCsv(bytes, path, { ignoreIncompleteLastLine: true });
    }
    return this.parsed;
  }
}
