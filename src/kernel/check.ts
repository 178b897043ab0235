/**
 * `checkStorage` / `describeTaskFolder`: the core's checks (core/check-storage.ts) over the
 * files on disk. The sidebar's "Check dataset" runs the same core over the Contents API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckReport, TaskDescription } from '../core/check.js';
import { checkStorageTree, describeTask, type CheckedEntry, type CheckSource } from '../core/check-storage.js';
import { FileNotFoundError } from '../core/errors.js';
import { readTrialsCsvFile } from './trials-csv-file.js';
import { Hdf5File } from './hdf5.js';
import { isDirectory, requireFile, resolvesInside } from './files.js';

/** The check's reads over fs: `taskRoot` is the folder whose files may not link outside it. */
function fileSource(): CheckSource {
  const taskRootOf = (entry: CheckedEntry): string => entry.path.slice(0, entry.path.length - entry.name.length - 1);
  return {
    async listFolder(path) {
      if (!isDirectory(path)) return [];
      return readdirSync(path, { withFileTypes: true }).map(entry => {
        const target = join(path, entry.name);
        const isFolder =
          entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(target) && resolvesInside(target, path));
        return { name: entry.name, path: target, isFolder };
      });
    },
    async countTrialRows(entry) {
      requireFile(entry.path, 'trials file', taskRootOf(entry));
      return readTrialsCsvFile(entry.path).rowCount;
    },
    async describeArrayFile(entry) {
      requireFile(entry.path, 'array file', taskRootOf(entry));
      const file = await Hdf5File.open(entry.path, 'r');
      try {
        return file.datasetNames().map(name => ({ name, ...file.describeForCheck(name) }));
      } finally {
        file.close();
      }
    },
    async readBytes(entry) {
      requireFile(entry.path, 'pickle', taskRootOf(entry));
      return readFileSync(entry.path);
    }
  };
}

/** Describes one task folder for the checks (reads trials.csv and HDF5 metadata, not data). */
export async function describeTaskFolder(path: string, subjectId = '', taskId = ''): Promise<TaskDescription> {
  return describeTask(fileSource(), path, subjectId, taskId);
}

/**
 * Checks a whole storage root: every task's trials.csv against its array files (missing or
 * extra datasets, dtype and shape consistency, unreadable files, pickles) and folder names
 * Python would read differently. Reads metadata only; writes nothing.
 */
export async function checkStorage(root: string): Promise<CheckReport> {
  if (!isDirectory(root)) throw new FileNotFoundError(root, 'storage root');
  return checkStorageTree(fileSource(), root);
}
