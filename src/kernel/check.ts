/**
 * `checkStorage` / `checkTaskFolder`: describe what is on disk and let the core's checks say what
 * is wrong (the sidebar's "Check dataset" runs the same checks over the Contents API).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ArrayFileDescription,
  buildCheckReport,
  checkFolderName,
  CheckIssue,
  CheckReport,
  DatasetDescription,
  TaskDescription
} from '../core/check.js';
import { FileNotFoundError } from '../core/errors.js';
import { arrayNameOfFile, pickleNameOfFile, trialsCsvPath } from '../core/layout.js';
import { readTrialsCsvFile } from './trialsCsvFile.js';
import { loadPickle } from '../core/pickle/index.js';
import { Hdf5File } from './hdf5.js';
import { isDirectory, listSubfolders, requireFile } from './files.js';

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function describeArrayFile(taskPath: string, fileName: string, name: string): Promise<ArrayFileDescription> {
  const path = join(taskPath, fileName);
  try {
    requireFile(path, 'array file', taskPath);
    const file = await Hdf5File.open(path, 'r');
    try {
      const datasets: DatasetDescription[] = [];
      for (const dataset of file.datasetNames()) {
        try {
          datasets.push({ name: dataset, ...file.describe(dataset) });
        } catch (error) {
          return { name, path, error: message(error) };
        }
      }
      return { name, path, datasets };
    } finally {
      file.close();
    }
  } catch (error) {
    return { name, path, error: message(error) };
  }
}

/** Describes one task folder for the checks (reads trials.csv and HDF5 metadata, not data). */
export async function describeTaskFolder(path: string, subjectId = '', taskId = ''): Promise<TaskDescription> {
  let trials: TaskDescription['trials'];
  try {
    const csvPath = trialsCsvPath(path);
    requireFile(csvPath, 'trials file', path);
    trials = { rowCount: readTrialsCsvFile(csvPath).rowCount };
  } catch (error) {
    trials = { error: message(error) };
  }
  const arrays: ArrayFileDescription[] = [];
  const pickles: TaskDescription['pickles'][number][] = [];
  for (const fileName of readdirSync(path).sort()) {
    const arrayName = arrayNameOfFile(fileName);
    if (arrayName !== undefined) arrays.push(await describeArrayFile(path, fileName, arrayName));
    const pickleName = pickleNameOfFile(fileName);
    if (pickleName !== undefined) {
      const picklePath = join(path, fileName);
      try {
        requireFile(picklePath, 'pickle', path);
        loadPickle(readFileSync(picklePath), picklePath);
        pickles.push({ name: pickleName, path: picklePath });
      } catch (error) {
        pickles.push({ name: pickleName, path: picklePath, error: message(error) });
      }
    }
  }
  return { subjectId, taskId, path, trials, arrays, pickles };
}

function oddFolderNames(path: string): CheckIssue[] {
  if (!isDirectory(path)) return [];
  return readdirSync(path, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => checkFolderName(entry.name, join(path, entry.name)))
    .filter((issue): issue is CheckIssue => issue !== undefined);
}

/**
 * Checks a whole storage root: every task's trials.csv against its array files (missing or
 * extra datasets, dtype and shape consistency, unreadable files, pickles) and folder names
 * Python would read differently. Reads metadata only; writes nothing.
 */
export async function checkStorage(root: string): Promise<CheckReport> {
  if (!isDirectory(root)) throw new FileNotFoundError(root, 'storage root');
  const subjects = listSubfolders(root);
  const listingIssues = oddFolderNames(root);
  const tasks: TaskDescription[] = [];
  for (const subject of subjects) {
    const subjectPath = join(root, subject);
    listingIssues.push(...oddFolderNames(subjectPath));
    for (const task of listSubfolders(subjectPath)) {
      tasks.push(await describeTaskFolder(join(subjectPath, task), subject, task));
    }
  }
  return buildCheckReport(root, subjects.length, tasks, listingIssues);
}
