/**
 * Row counts of trials.csv files and dataset counts of array files, each recounted only when
 * its file's (modification time, size) stamp changed.
 */
import { BROWSER_TRIALS_MAX_BYTES } from '../../core/csv/line-guard.js';
import { filesBeingRecovered } from '../../core/hdf5-journal.js';
import { stampOf, type IFolderEntry, type IStorageProvider } from '../provider/types.js';
import { countTrialsCsvRows } from '../../core/csv/reader.js';
import { type LiveAttempt, settleLiveReading } from '../../core/live-reading.js';
import { taskFiles } from './tree.js';

/** A count and the stamp of the file it was made from. */
interface ICountCache {
  readonly stamp: string;
  /** Undefined when the file could not be counted (too big, unreadable). */
  readonly count: number | undefined;
  /** Why there is no count. */
  readonly problem?: DatasetCountProblem;
  /** The reader's words for a refused file (which dataset, why). */
  readonly reason?: string;
}

/**
 * Why an array file has no dataset count: too large to read for it, not readable, or refused
 * by rule (a dataset whose data lies outside the file: core/hdf5-containment.ts).
 */
export type DatasetCountProblem = 'too-large' | 'unreadable' | 'refused';

/** Whether a file changed since it was counted (always, when the provider gives no stamp). */
function changedSinceCount(cache: Map<string, ICountCache>, entry: IFolderEntry): boolean {
  const stamp = stampOf(entry);
  return stamp === '|' || cache.get(entry.path)?.stamp !== stamp;
}

function knownCounts(cache: Map<string, ICountCache>): Map<string, number> {
  const counts = new Map<string, number>();
  cache.forEach(({ count }, path) => count !== undefined && counts.set(path, count));
  return counts;
}

/** The counts shown beside the files of expanded tasks. */
export class TaskFileCounts {
  /**
   * @param provider where the files are read
   * @param onProviderCall called once per provider call made (for call counting)
   */
  constructor(
    private readonly _provider: IStorageProvider,
    private readonly _onProviderCall: () => void
  ) {}

  /** Array files larger than this are not read to count their datasets (counts read metadata by range). */
  datasetCountMaxBytes = Infinity;

  /** trials.csv files larger than this are not read to count their rows (default 256 MiB). */
  rowCountMaxBytes = BROWSER_TRIALS_MAX_BYTES;

  /** Longest trials.csv line accepted, in bytes (undefined: the core's default). */
  maxLineBytes: number | undefined = undefined;

  /** Known row counts by trials.csv path. */
  rowCounts(): Map<string, number> {
    return knownCounts(this._rows);
  }

  /** Known dataset counts by array file path. */
  datasetCounts(): Map<string, number> {
    return knownCounts(this._datasets);
  }

  /** The reader's reason for each refused array file, by path. */
  datasetCountReasons(): Map<string, string> {
    const reasons = new Map<string, string>();
    this._datasets.forEach(({ reason }, path) => reason !== undefined && reasons.set(path, reason));
    return reasons;
  }

  /** Why the array files without a count have none, by path (files being counted: absent). */
  datasetCountProblems(): Map<string, DatasetCountProblem> {
    const problems = new Map<string, DatasetCountProblem>();
    this._datasets.forEach(({ problem }, path) => problem !== undefined && problems.set(path, problem));
    return problems;
  }

  /**
   * Reads the task's trials.csv when it changed since the last count. A count never goes
   * backwards while a running experiment rewrites the file (core/live-reading.ts): an empty
   * or shorter reading keeps the last count until a later poll reads the file whole.
   */
  async countRows(taskEntries: readonly IFolderEntry[]): Promise<void> {
    const trials = taskFiles(taskEntries).trials;
    if (trials === undefined || !changedSinceCount(this._rows, trials)) {
      return;
    }
    if ((trials.size ?? 0) > this.rowCountMaxBytes) {
      // A 1 GiB trials.csv would be fetched whole as one string (beyond V8's string limit).
      this._rows.set(trials.path, { stamp: stampOf(trials), count: undefined });
      return;
    }
    this._onProviderCall();
    const lastGood = this._rows.get(trials.path)?.count;
    let attempt: LiveAttempt<number>;
    try {
      const text = await this._provider.readText(trials.path);
      // An empty file (pandas' truncate-then-write caught in the middle) counts 0 rows: fewer
      // than before, so suspect, as a half-written file is.
      attempt = {
        value: 0,
        rowCount: countTrialsCsvRows(text, trials.path, {
          ignoreIncompleteLastLine: true,
          maxLineBytes: this.maxLineBytes
        })
      };
    } catch (error) {
      attempt = { error };
    }
    // The retry is the next poll: a suspect reading keeps the last good count and no stamp.
    const outcome = settleLiveReading(attempt, lastGood === undefined ? undefined : { value: 0, rowCount: lastGood });
    if (outcome.status === 'failed') throw outcome.error;
    const stamp = outcome.status === 'current' ? stampOf(trials) : '';
    this._rows.set(trials.path, { stamp, count: outcome.rowCount });
  }

  /**
   * Counts the datasets of the task's array files that changed. A file that cannot be counted
   * (being written, not HDF5, too big) gets an unknown count; that is not a refresh failure.
   */
  async countDatasets(taskEntries: readonly IFolderEntry[]): Promise<void> {
    const provider = this._provider;
    if (provider.countDatasets === undefined) {
      return;
    }
    // A file with a journal beside it may be torn until the kernel replays it: not read now.
    const recovering = new Set(filesBeingRecovered(taskEntries.map(entry => entry.name)));
    const changed = taskFiles(taskEntries).arrays.filter(
      entry => !recovering.has(entry.name) && changedSinceCount(this._datasets, entry)
    );
    await Promise.all(
      changed.map(async entry => {
        let count: number | undefined;
        let problem: DatasetCountProblem | undefined = 'too-large';
        let reason: string | undefined;
        if ((entry.size ?? 0) <= this.datasetCountMaxBytes) {
          this._onProviderCall();
          const counted = await provider.countDatasets!({ path: entry.path, stamp: stampOf(entry) }).catch(
            () => undefined
          );
          if (counted !== undefined && 'refused' in counted) {
            problem = 'refused';
            reason = `dataset "${counted.refused.dataset}" ${counted.refused.reason}`;
          } else {
            count = counted?.count;
            problem = count === undefined ? 'unreadable' : undefined;
          }
        }
        this._datasets.set(entry.path, { stamp: stampOf(entry), count, problem, reason });
      })
    );
  }

  private readonly _rows = new Map<string, ICountCache>();
  private readonly _datasets = new Map<string, ICountCache>();
}
