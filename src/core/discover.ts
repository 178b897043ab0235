/**
 * Finding AxoPy storage roots without being told their names: a folder is storage when one of
 * its sub-folders (a subject) holds a sub-folder (a task) with a trials.csv. The listing is
 * injected, so the sidebar (Contents API) and the kernel (fs) share this one rule.
 */
import { TRIALS_CSV, joinPath, sortIds } from './layout.js';

/** What the rule needs of a folder entry. */
export interface IListedEntry {
  readonly name: string;
  readonly isFolder: boolean;
}

/** Lists a folder ("/"-separated path, "" for the top); rejects when it cannot. */
export type ListFolder = (path: string) => Promise<readonly IListedEntry[]>;

/** How much of a folder is looked at before saying it is not storage (bounds the requests). */
export interface IDiscoveryLimits {
  /** Sub-folders of a candidate looked into as subjects (default 3). */
  readonly subjects: number;
  /** Sub-folders of a subject looked into as tasks (default 3). */
  readonly tasks: number;
}

export const DEFAULT_DISCOVERY_LIMITS: IDiscoveryLimits = { subjects: 3, tasks: 3 };

function visibleFolderNames(entries: readonly IListedEntry[]): string[] {
  // Hidden folders (.ipynb_checkpoints, .git) are never subjects or tasks.
  return sortIds(entries.filter(entry => entry.isFolder && !entry.name.startsWith('.')).map(entry => entry.name));
}

/**
 * Whether `folder` is laid out as AxoPy storage, given its listing (`entries`, when the caller
 * has it already). Looks at up to `limits.subjects` x `limits.tasks` task folders, in id order.
 */
export async function looksLikeStorage(
  folder: string,
  list: ListFolder,
  limits: IDiscoveryLimits = DEFAULT_DISCOVERY_LIMITS,
  entries?: readonly IListedEntry[]
): Promise<boolean> {
  const subjects = visibleFolderNames(entries ?? (await list(folder))).slice(0, limits.subjects);
  for (const subject of subjects) {
    const subjectPath = joinPath(folder, subject);
    const tasks = visibleFolderNames(await list(subjectPath)).slice(0, limits.tasks);
    for (const task of tasks) {
      const taskEntries = await list(joinPath(subjectPath, task));
      if (taskEntries.some(entry => !entry.isFolder && entry.name === TRIALS_CSV)) {
        return true;
      }
    }
  }
  return false;
}

/**
 * The storage roots found from the top (""): the top itself when it is storage, else each of
 * its visible sub-folders that is, in id order. A top that is storage is one root: its
 * sub-folders are then subjects, not roots.
 */
export async function discoverStorageRoots(
  list: ListFolder,
  limits: IDiscoveryLimits = DEFAULT_DISCOVERY_LIMITS,
  topEntries?: readonly IListedEntry[]
): Promise<string[]> {
  const entries = topEntries ?? (await list(''));
  if (await looksLikeStorage('', list, limits, entries)) {
    return [''];
  }
  const roots: string[] = [];
  for (const name of visibleFolderNames(entries)) {
    try {
      if (await looksLikeStorage(name, list, limits)) {
        roots.push(name);
      }
    } catch {
      // A folder that cannot be listed (permissions, removed meanwhile) is not a root.
    }
  }
  return roots;
}
