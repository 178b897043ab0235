/**
 * Describing a storage root for the checks of core/check.ts, written once for both shells: the
 * kernel's `checkStorage` (over fs) and the sidebar's "Check dataset" (over the Contents API
 * and the HDF5 service) pass their own reads and get the same descriptions, in the same order.
 */
import {
  buildCheckReport,
  checkFolderName,
  type ArrayFileDescription,
  type CheckIssue,
  type CheckReport,
  type DatasetDescription,
  type TaskDescription
} from './check.js';
import { FileNotFoundError } from './errors.js';
import { arrayNameOfFile, isUsableId, joinPath, pickleNameOfFile, sortIds, TRIALS_CSV } from './layout.js';
import { loadPickle } from './pickle/index.js';

/** One entry of a folder listing. */
export interface CheckedEntry {
  readonly name: string;
  readonly path: string;
  /** A folder (a link counts only when it stays inside the listed folder). */
  readonly isFolder: boolean;
}

/** The reads a shell does for the checks; each throws the error a reader would meet. */
export interface CheckSource {
  /** Entries of a folder (every name, files and folders). */
  listFolder(path: string): Promise<CheckedEntry[]>;
  /** Rows of a trials.csv, counted by the core's countTrialsCsvRows. */
  countTrialRows(entry: CheckedEntry): Promise<number>;
  /** Datasets of an array file (metadata only); throws for a file that cannot be read. */
  describeArrayFile(entry: CheckedEntry): Promise<readonly DatasetDescription[]>;
  /** Bytes of a pickle file. */
  readBytes(entry: CheckedEntry): Promise<Uint8Array>;
}

/** "Name: message" of an error, as both shells word it. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Describes one task folder (trials rows, datasets' dtypes and shapes, pickles), no data read. */
export async function describeTask(
  source: CheckSource,
  path: string,
  subjectId = '',
  taskId = ''
): Promise<TaskDescription> {
  const files = (await source.listFolder(path)).filter(entry => !entry.isFolder);
  const byName = new Map(files.map(entry => [entry.name, entry]));
  let trials: TaskDescription['trials'];
  try {
    const csv = byName.get(TRIALS_CSV);
    if (csv === undefined) throw new FileNotFoundError(joinPath(path, TRIALS_CSV), 'trials file');
    trials = { rowCount: await source.countTrialRows(csv) };
  } catch (error) {
    trials = { error: errorText(error) };
  }
  const arrays: ArrayFileDescription[] = [];
  const pickles: TaskDescription['pickles'][number][] = [];
  for (const name of sortIds(byName.keys())) {
    const entry = byName.get(name)!;
    const arrayName = arrayNameOfFile(name);
    if (arrayName !== undefined) {
      try {
        arrays.push({ name: arrayName, path: entry.path, datasets: await source.describeArrayFile(entry) });
      } catch (error) {
        arrays.push({ name: arrayName, path: entry.path, error: errorText(error) });
      }
    }
    const pickleName = pickleNameOfFile(name);
    if (pickleName !== undefined) {
      try {
        loadPickle(await source.readBytes(entry), entry.path);
        pickles.push({ name: pickleName, path: entry.path });
      } catch (error) {
        pickles.push({ name: pickleName, path: entry.path, error: errorText(error) });
      }
    }
  }
  return { subjectId, taskId, path, trials, arrays, pickles };
}

/** Sub-folders that are ids, sorted by code point (hidden folders skipped, as AxoPy's ids). */
function idFolders(entries: readonly CheckedEntry[]): CheckedEntry[] {
  const folders = new Map(
    entries
      .filter(entry => entry.isFolder && !entry.name.startsWith('.') && isUsableId(entry.name))
      .map(entry => [entry.name, entry])
  );
  return sortIds(folders.keys()).map(name => folders.get(name)!);
}

function folderIssues(entries: readonly CheckedEntry[]): CheckIssue[] {
  return entries
    .filter(entry => entry.isFolder)
    .map(entry => checkFolderName(entry.name, entry.path))
    .filter((issue): issue is CheckIssue => issue !== undefined);
}

/** Checks a whole storage root: every task of every subject, and folder names. */
export async function checkStorageTree(source: CheckSource, root: string): Promise<CheckReport> {
  const rootEntries = await source.listFolder(root);
  const listingIssues = folderIssues(rootEntries);
  const subjects = idFolders(rootEntries);
  const tasks: TaskDescription[] = [];
  for (const subject of subjects) {
    const subjectEntries = await source.listFolder(subject.path);
    listingIssues.push(...folderIssues(subjectEntries));
    for (const task of idFolders(subjectEntries)) {
      tasks.push(await describeTask(source, task.path, subject.name, task.name));
    }
  }
  return buildCheckReport(root, subjects.length, tasks, listingIssues);
}

/** Checks one task folder `<root>/<subject>/<task>` (a report over one subject and one task). */
export async function checkTaskTree(source: CheckSource, path: string): Promise<CheckReport> {
  const parts = path.split('/');
  const task = await describeTask(source, path, parts[parts.length - 2] ?? '', parts[parts.length - 1] ?? '');
  return buildCheckReport(joinPath(...parts.slice(0, -2)), 1, [task]);
}
