/**
 * Python AxoPy's `TaskWriter`: writes a task's trials (trials.csv rows and one HDF5 dataset per
 * array per trial) and pickles.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { datasetNameForRow, arrayFilePath, pickleFilePath, trialsCsvPath, validateId } from '../core/layout.js';
import { AnyTrialAttrs, AttrValue, Trial, DataArray, trialAttrEntries } from '../core/design.js';
import { asNDArray, NDArray } from '../core/ndarray.js';
import { DatasetError, ValueFormatError } from '../core/errors.js';
import { dumpPickle } from '../core/pickle/index.js';
import { type ArrayMetadata, arraySidecarPath, formatArraySidecar } from '../core/array-sidecar.js';
import { filesBeingRecovered } from '../core/hdf5-journal.js';
import { TASK_LOCK_NAME } from '../core/task-lock.js';
import { Hdf5File } from './hdf5.js';
import { crashPoint, recoverJournal } from './hdf5-journal.js';
import { acquireTaskLock, releaseTaskLock, writeFileAtomic } from './files.js';
import { TrialWriter, TrialWriterOptions, repairTrialsCsv, trialsCsvIsTorn } from './trial-writer.js';

/** What `write` takes: a design Trial, or any object with the same attrs/arrays. */
export interface TrialLike {
  attrs: AnyTrialAttrs;
  arrays?: Record<string, DataArray | { data: NDArray | null; clear?: () => void }>;
}

/** One trial as taken by `write`, checked and copied when `write` was called. */
interface QueuedTrial {
  attrs: Map<string, AttrValue>;
  datasets: Array<{ name: string; data: NDArray }>;
  clear: Array<() => void>;
}

/** Writes the data of one task folder. Get one from `Storage.createTask`. */
export class TaskWriter {
  /** The task folder. */
  readonly root: string;
  /** The trials.csv writer (AxoPy's `TaskWriter.trials`). */
  readonly trials: TrialWriter;
  private readonly arrayFiles = new Map<string, Hdf5File>();
  /** Writes run one after another in call order, even when the caller does not await each. */
  private queue: Promise<void> = Promise.resolve();
  private readonly durability: TrialWriterOptions['durability'];

  /**
   * `lockPath`: the task lock `Storage.createTask` took for this writer, released by `close()`.
   */
  constructor(
    root: string,
    options: TrialWriterOptions = {},
    private lockPath?: string
  ) {
    this.root = root;
    this.trials = new TrialWriter(trialsCsvPath(root), options);
    this.durability = options.durability;
  }

  /**
   * Writes one trial: each array as dataset `<row>` of `<name>.hdf5` first, then the
   * trials.csv row, which is the commit point (a crash before it leaves no row pointing at
   * half-written arrays). Clears the trial's arrays afterwards, as AxoPy does. Checks every
   * attribute and array when called, before writing anything (ValueFormatError; AxoPy writes the
   * CSV row, then fails on an empty array). Writes queue in call order: a loop that forgets to
   * `await` still writes every trial, in order. A write that fails (DiskFullError,
   * PermissionError) leaves the files as before it, and the next write works once the cause is
   * gone. The HDF5 files stay open between trials and are flushed after each one; call `close()`
   * when the task is done (a process that exits without it loses nothing already written).
   */
  write(trial: Trial<AnyTrialAttrs> | TrialLike): Promise<void> {
    let queued: QueuedTrial;
    try {
      queued = this.check(trial);
    } catch (error) {
      return Promise.reject(error);
    }
    const written = this.queue.then(() => this.writeNow(queued));
    this.queue = written.catch(() => undefined);
    return written;
  }

  /** Writes `obj` as `<name>.pkl` (pickle protocol 4, readable by Python's `pickle.load`). */
  pickle(obj: unknown, name: string): void {
    validateId(name, 'pickle');
    const path = pickleFilePath(this.root, name);
    writeFileAtomic(path, dumpPickle(obj, path));
  }

  /**
   * Writes `<name>.json` beside `<name>.hdf5`: the array's sample rate and channel names
   * (`{"sample_rate": 2000, "channel_names": [...]}`), which plots use to label axes. Python
   * AxoPy ignores the file. Call it before or after the trials are written.
   */
  describeArray(name: string, metadata: ArrayMetadata): void {
    const path = arraySidecarPath(this.root, name);
    writeFileAtomic(path, formatArraySidecar(metadata, path));
  }

  /** Waits for queued writes, closes the HDF5 files kept open between trials, releases the task. */
  async close(): Promise<void> {
    await this.queue;
    try {
      for (const file of this.arrayFiles.values()) file.close();
    } finally {
      this.arrayFiles.clear();
      this.trials.close();
      if (this.lockPath !== undefined) releaseTaskLock(this.lockPath);
      this.lockPath = undefined;
    }
  }

  private check(trial: Trial<AnyTrialAttrs> | TrialLike): QueuedTrial {
    const where = `trial (${this.root})`;
    const attrs = new Map(trialAttrEntries(trial.attrs, where));
    const arrays = Object.entries(trial.arrays ?? {});
    const datasets = arrays.map(([name, array]) => {
      validateId(name, 'array');
      if (array.data === null || array.data === undefined) {
        throw new ValueFormatError(
          `${where}: array "${name}" has no data; stack data into it or remove it before write()`
        );
      }
      return { name, data: asNDArray(array.data, `${where} array "${name}"`) };
    });
    return {
      attrs,
      datasets,
      clear: arrays.map(
        ([, array]) =>
          () =>
            array.clear?.()
      )
    };
  }

  private async writeNow({ attrs, datasets, clear }: QueuedTrial): Promise<void> {
    const rowIndex = this.trials.rowCount;
    const datasetName = datasetNameForRow(rowIndex);
    const touched: Hdf5File[] = [];
    try {
      for (const { name, data } of datasets) {
        const file = await this.arrayFile(name);
        file.setSavepoint();
        touched.push(file);
        crashPoint('hdf5-create');
        try {
          file.create(datasetName, data);
        } catch (error) {
          if (error instanceof DatasetError && file.has(datasetName)) {
            throw new DatasetError(
              file.path,
              datasetName,
              'exists without a trials.csv row: another program wrote into this task; start a new task'
            );
          }
          throw error;
        }
        file.flush();
        crashPoint('hdf5-flushed');
      }
      crashPoint('csv-row');
      this.trials.write(attrs);
      crashPoint('trial-written');
    } catch (error) {
      // Back to the state before this trial, so the next write starts clean.
      let broken: unknown;
      for (const file of touched) {
        try {
          file.rollback(datasetName);
        } catch (rollbackError) {
          broken ??= rollbackError; // said instead of the cause: later writes get it too
        }
      }
      throw broken ?? error;
    } finally {
      for (const file of touched) file.clearSavepoint();
    }
    for (const clearArray of clear) clearArray();
  }

  private async arrayFile(name: string): Promise<Hdf5File> {
    let file = this.arrayFiles.get(name);
    if (!file) {
      file = await Hdf5File.open(arrayFilePath(this.root, name), 'a', { durability: this.durability });
      this.arrayFiles.set(name, file);
    }
    return file;
  }
}

/** Removes everything in a task folder except its lock (Storage.createTask with allowOverwrite). */
export function clearTaskFolder(path: string): void {
  for (const name of readdirSync(path)) {
    if (name !== TASK_LOCK_NAME) rmSync(join(path, name), { recursive: true, force: true });
  }
}

/**
 * Finishes what a crashed writer of this project left in a task folder: replays or drops the
 * HDF5 journals beside its array files and, when its lock is still there (it died holding the
 * task), cuts trials.csv back to its last complete row. Only then: a trials.csv without a final
 * line break written by another tool is left alone, and a reader leaves a folder with nothing
 * to finish untouched. Never while a live writer holds the task (its journals are in flight);
 * a folder this user may not write is left as it is. Returns the array files recovered.
 */
export function recoverTaskFolder(path: string): string[] {
  let names: string[];
  try {
    names = readdirSync(path);
  } catch {
    return [];
  }
  const recovering = filesBeingRecovered(names);
  const crashedWriter = names.includes(TASK_LOCK_NAME);
  if (recovering.length === 0 && !crashedWriter) return [];
  let lockPath: string;
  try {
    lockPath = acquireTaskLock(path); // fails while the writer lives
  } catch {
    return [];
  }
  try {
    for (const file of recovering) recoverJournal(join(path, file));
    if (crashedWriter && names.includes('trials.csv') && trialsCsvIsTorn(trialsCsvPath(path))) {
      repairTrialsCsv(trialsCsvPath(path));
    }
    return recovering;
  } catch {
    return [];
  } finally {
    releaseTaskLock(lockPath);
  }
}
