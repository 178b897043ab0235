/**
 * "Check dataset" in the browser: the core's checks (core/check-storage.ts) over what the server
 * serves: listings and text through the Contents API, dataset metadata through the HDF5
 * service. The kernel's checkStorage runs the same core over fs, so both report the same issues.
 */
import type { CheckReport } from '../../core/check.js';
import { checkStorageTree, checkTaskTree, type CheckSource } from '../../core/check-storage.js';
import { countTrialsCsvRows } from '../../core/csv/index.js';
import { stampOf, type IFolderEntry } from '../provider/types.js';
import type { IArrayProvider } from '../hdf5/provider.js';

/** Folder listings and file contents of the server, as the previews read them. */
export interface ITaskFilesSource {
  listFolder(path: string): Promise<IFolderEntry[]>;
  readText(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
}

/** Options of the browser's check (the sidebar's settings). */
export interface ICheckOptions {
  /** Longest trials.csv line accepted, in bytes (undefined: the core's default). */
  readonly maxLineBytes?: number;
}

function checkSource(source: ITaskFilesSource, arrays: IArrayProvider, options: ICheckOptions): CheckSource {
  const listed = new Map<string, IFolderEntry>();
  return {
    async listFolder(path) {
      const entries = await source.listFolder(path);
      for (const entry of entries) listed.set(entry.path, entry);
      return entries;
    },
    async countTrialRows(entry) {
      const text = await source.readText(entry.path);
      return countTrialsCsvRows(text, entry.path, {
        ignoreIncompleteLastLine: true,
        maxLineBytes: options.maxLineBytes
      });
    },
    async describeArrayFile(entry) {
      const full = listed.get(entry.path);
      return arrays.describe({ path: entry.path, stamp: full === undefined ? '|' : stampOf(full) });
    },
    readBytes: entry => source.readBytes(entry.path)
  };
}

/** Checks a whole storage root: every task of every subject. */
export function checkStorageRoot(
  source: ITaskFilesSource,
  arrays: IArrayProvider,
  root: string,
  options: ICheckOptions = {}
): Promise<CheckReport> {
  return checkStorageTree(checkSource(source, arrays, options), root);
}

/** Checks one task folder (a report over a root of one subject and one task). */
export function checkTaskFolder(
  source: ITaskFilesSource,
  arrays: IArrayProvider,
  path: string,
  options: ICheckOptions = {}
): Promise<CheckReport> {
  return checkTaskTree(checkSource(source, arrays, options), path);
}
