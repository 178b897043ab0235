/**
 * Python AxoPy's `TaskWriter`: writes a task's trials (trials.csv rows and one HDF5 dataset per
 * array per trial) and pickles.
 */
import { rmSync } from 'node:fs';
import { datasetNameForRow, arrayFilePath, pickleFilePath, trialsCsvPath, validateId } from '../core/layout.js';
import { Trial, TrialAttrs, DataArray } from '../core/design.js';
import { asNDArray, NDArray } from '../core/ndarray.js';
import { DatasetError, ValueFormatError } from '../core/errors.js';
import { dumpPickle } from '../core/pickle/index.js';
import { Hdf5File } from './hdf5.js';
import { writeFileAtomic } from './files.js';
import { TrialWriter, TrialWriterOptions } from './trialWriter.js';

/** What `write` takes: a design Trial, or any object with the same attrs/arrays. */
export interface TrialLike {
  attrs: TrialAttrs;
  arrays?: Record<string, DataArray | { data: NDArray | null; clear?: () => void }>;
}

/** Writes the data of one task folder. Get one from `Storage.createTask`. */
export class TaskWriter {
  /** The task folder. */
  readonly root: string;
  /** The trials.csv writer (AxoPy's `TaskWriter.trials`). */
  readonly trials: TrialWriter;
  private readonly arrayFiles = new Map<string, Hdf5File>();

  constructor(root: string, options: TrialWriterOptions = {}) {
    this.root = root;
    this.trials = new TrialWriter(trialsCsvPath(root), options);
  }

  /**
   * Writes one trial: each array as dataset `<row>` of `<name>.hdf5` first, then the
   * trials.csv row, which is the commit point (a crash before it leaves no row pointing at
   * half-written arrays). Clears the trial's arrays afterwards, as AxoPy does. Checks every
   * array before writing anything (AxoPy writes the CSV row, then fails on an empty array).
   * The HDF5 files stay open between trials and are flushed after each one; call `close()`
   * when the task is done (a process that exits without it loses nothing already written).
   */
  async write(trial: Trial | TrialLike): Promise<void> {
    const arrays = Object.entries(trial.arrays ?? {});
    const rowIndex = this.trials.rowCount;
    const datasets = arrays.map(([name, array]) => {
      validateId(name, 'array');
      if (array.data === null || array.data === undefined) {
        throw new ValueFormatError(
          `trial ${rowIndex} (${this.root}): array "${name}" has no data; stack data into it or remove it before write()`
        );
      }
      return { name, data: asNDArray(array.data, `trial ${rowIndex} array "${name}"`) };
    });
    const datasetName = datasetNameForRow(rowIndex);
    for (const { name, data } of datasets) {
      const file = await this.arrayFile(name);
      if (file.has(datasetName)) {
        // Only an earlier write() that failed between its arrays and its row leaves one; h5wasm
        // cannot delete datasets, so say so rather than mix two trials' data.
        throw new DatasetError(file.path, datasetName, `exists without a trials.csv row (an earlier write failed); start a new task`);
      }
      file.create(datasetName, data);
      file.flush();
    }
    this.trials.write(trial.attrs);
    for (const [, array] of arrays) array.clear?.();
  }

  /** Writes `obj` as `<name>.pkl` (pickle protocol 4, readable by Python's `pickle.load`). */
  pickle(obj: unknown, name: string): void {
    validateId(name, 'pickle');
    const path = pickleFilePath(this.root, name);
    writeFileAtomic(path, dumpPickle(obj, path));
  }

  /** Closes the HDF5 files kept open between trials. */
  async close(): Promise<void> {
    for (const file of this.arrayFiles.values()) file.close();
    this.arrayFiles.clear();
  }

  private async arrayFile(name: string): Promise<Hdf5File> {
    let file = this.arrayFiles.get(name);
    if (!file) {
      file = await Hdf5File.open(arrayFilePath(this.root, name), 'a');
      this.arrayFiles.set(name, file);
    }
    return file;
  }
}

/** Removes a task folder (Storage.createTask with allowOverwrite). */
export function removeTaskFolder(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
