/**
 * "Check dataset" in the browser: describes tasks from what the server serves (rows of
 * trials.csv via the core's parseTrialsCsv, datasets' names, dtypes and shapes via the array
 * provider, metadata only; pickles via the core's loadPickle) and hands the descriptions to the
 * same core checks as the kernel's checkStorage, so notebook and sidebar report the same issues.
 */
import {
  buildCheckReport,
  checkFolderName,
  type ArrayFileDescription,
  type CheckIssue,
  type CheckReport,
  type TaskDescription
} from '../../core/check.js';
import { parseTrialsCsv } from '../../core/csv/index.js';
import { FileNotFoundError } from '../../core/errors.js';
import { arrayNameOfFile, joinPath, pickleNameOfFile, sortIds, TRIALS_CSV } from '../../core/layout.js';
import { loadPickle } from '../../core/pickle/index.js';
import { stampOf, type IFolderEntry } from '../provider/types.js';
import type { IArrayProvider } from './providers.js';

/** Folder listings and file contents of the server, as the previews read them. */
export interface ITaskFilesSource {
  listFolder(path: string): Promise<IFolderEntry[]>;
  readText(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
}


/** "Name: message" of an error, as the kernel's checks word it. */
function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Describes one task folder for the checks (metadata only, no dataset is read). */
export async function describeTask(
  source: ITaskFilesSource,
  arrays: IArrayProvider,
  path: string,
  subjectId = '',
  taskId = ''
): Promise<TaskDescription> {
  const entries = (await source.listFolder(path)).filter(entry => !entry.isFolder);
  const byName = new Map(entries.map(entry => [entry.name, entry]));
  let trials: TaskDescription['trials'];
  const csv = byName.get(TRIALS_CSV);
  try {
    if (csv === undefined) {
      // Worded as the kernel's checkStorage words it, so both report the same issue.
      throw new FileNotFoundError(joinPath(path, TRIALS_CSV), 'trials file');
    }
    const text = await source.readText(csv.path);
    trials = { rowCount: parseTrialsCsv(text, csv.path, { ignoreIncompleteLastLine: true }).rowCount };
  } catch (error) {
    trials = { error: message(error) };
  }
  const arrayFiles: ArrayFileDescription[] = [];
  const pickles: TaskDescription['pickles'][number][] = [];
  for (const name of sortIds(byName.keys())) {
    const entry = byName.get(name)!;
    const arrayName = arrayNameOfFile(name);
    if (arrayName !== undefined) {
      try {
        const datasets = await arrays.describe({ path: entry.path, stamp: stampOf(entry) });
        arrayFiles.push({ name: arrayName, path: entry.path, datasets });
      } catch (error) {
        arrayFiles.push({ name: arrayName, path: entry.path, error: message(error) });
      }
    }
    const pickleName = pickleNameOfFile(name);
    if (pickleName !== undefined) {
      try {
        loadPickle(await source.readBytes(entry.path), entry.path);
        pickles.push({ name: pickleName, path: entry.path });
      } catch (error) {
        pickles.push({ name: pickleName, path: entry.path, error: message(error) });
      }
    }
  }
  return { subjectId, taskId, path, trials, arrays: arrayFiles, pickles };
}

function folderIssues(entries: readonly IFolderEntry[]): CheckIssue[] {
  return entries
    .filter(entry => entry.isFolder)
    .map(entry => checkFolderName(entry.name, entry.path))
    .filter((issue): issue is CheckIssue => issue !== undefined);
}

/** Sub-folders that are ids (hidden folders are skipped, as the storage tree does). */
function idFolders(entries: readonly IFolderEntry[]): IFolderEntry[] {
  const folders = entries.filter(entry => entry.isFolder && !entry.name.startsWith('.'));
  const order = sortIds(folders.map(entry => entry.name));
  return order.map(name => folders.find(entry => entry.name === name)!);
}

/** Checks a whole storage root: every task of every subject. */
export async function checkStorageRoot(
  source: ITaskFilesSource,
  arrays: IArrayProvider,
  root: string
): Promise<CheckReport> {
  const rootEntries = await source.listFolder(root);
  const listingIssues = folderIssues(rootEntries);
  const subjects = idFolders(rootEntries);
  const tasks: TaskDescription[] = [];
  for (const subject of subjects) {
    const subjectEntries = await source.listFolder(subject.path);
    listingIssues.push(...folderIssues(subjectEntries));
    for (const task of idFolders(subjectEntries)) {
      tasks.push(await describeTask(source, arrays, task.path, subject.name, task.name));
    }
  }
  return buildCheckReport(root, subjects.length, tasks, listingIssues);
}

/** Checks one task folder (a report over a root of one subject and one task). */
export async function checkTaskFolder(
  source: ITaskFilesSource,
  arrays: IArrayProvider,
  path: string
): Promise<CheckReport> {
  const parts = path.split('/');
  const task = await describeTask(source, arrays, path, parts[parts.length - 2] ?? '', parts[parts.length - 1] ?? '');
  return buildCheckReport(joinPath(...parts.slice(0, -2)), 1, [task]);
}
