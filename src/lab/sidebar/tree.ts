/**
 * Pure construction of the storage tree the sidebar shows, from folder listings the model has
 * loaded. No I/O here: the model decides what to load, these functions decide what it means.
 * Problems are codes with parameters, not sentences, so the view can translate them.
 */
import { TRIALS_CSV, arrayNameOfFile, joinPath, pickleNameOfFile, sortIds } from '../../core/layout.js';
import { filesBeingRecovered } from '../../core/hdf5-journal.js';
import type { IFolderEntry } from '../provider/types.js';

/** What a tree node stands for. `note` nodes explain an empty or odd folder. */
export type StorageNodeKind = 'root' | 'subject' | 'task' | 'trials' | 'array' | 'pickle' | 'note';

/** Why a folder cannot be shown as AxoPy storage (or part of it), with the path involved. */
export type StorageProblem =
  | { code: 'loading'; path: string }
  | { code: 'missing'; path: string }
  | { code: 'load-failed'; path: string; message: string }
  | { code: 'no-subjects'; path: string }
  | { code: 'task-folder-as-root'; path: string }
  | { code: 'not-storage'; path: string; missing: 'task-folders' | 'trials-csv' }
  | { code: 'no-tasks'; path: string }
  | { code: 'no-trials-csv'; path: string };

/** One node of the storage tree, immutable: the model builds a new tree on every change. */
export interface IStorageNode {
  /** Unique in the whole tree: the root and the path (the same folder may be in two roots). */
  readonly id: string;
  readonly kind: StorageNodeKind;
  /** The storage root this node belongs to. */
  readonly root: string;
  /** Path from the server root; for `note` nodes, the path of the folder explained. */
  readonly path: string;
  /** The name shown: the root path, a subject or task id, a file name. */
  readonly label: string;
  /** Rows of a trials.csv (undefined while unknown). */
  readonly rowCount?: number;
  /** Datasets of an array file (undefined while unknown: no HDF5 reader in the browser yet). */
  readonly datasetCount?: number;
  /**
   * An array file whose writer stopped mid-write: its journal (core/hdf5-journal.ts) lies beside
   * it, and the kernel replays it on the next open. Its bytes may be torn until then.
   */
  readonly recovering?: boolean;
  /** Why an array file has no dataset count; absent while counting. */
  readonly datasetCountProblem?: 'too-large' | 'unreadable' | 'refused';
  /** For a refused file, the reader's reason (which dataset, why). */
  readonly datasetCountReason?: string;
  /** Whether the node can hold children (roots, subjects, tasks). */
  readonly expandable: boolean;
  readonly expanded: boolean;
  /** Children when expanded and loaded; a single `note` child explains emptiness or errors. */
  readonly children: readonly IStorageNode[];
  /** For `note` nodes and roots that are not AxoPy storage: what is wrong. */
  readonly problem?: StorageProblem;
}

/** What the model knows of one folder. */
export type FolderState =
  | { readonly status: 'loading' }
  | { readonly status: 'missing' }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'loaded'; readonly entries: readonly IFolderEntry[] };

/** The loaded state the tree is built from. */
export interface ITreeSources {
  readonly roots: readonly string[];
  /** Folder states by path. A path absent here has not been asked for yet. */
  readonly folders: ReadonlyMap<string, FolderState>;
  /** Row counts by trials.csv path. */
  readonly rowCounts: ReadonlyMap<string, number>;
  /** Dataset counts by array file path (absent: unknown). */
  readonly datasetCounts?: ReadonlyMap<string, number>;
  /** Why array files have no dataset count, by path. */
  readonly datasetCountProblems?: ReadonlyMap<string, 'too-large' | 'unreadable' | 'refused'>;
  /** The reader's reasons for refused array files, by path. */
  readonly datasetCountReasons?: ReadonlyMap<string, string>;
  /** Verdict of the structure probe by root path (see {@link probeVerdict}). */
  readonly verdicts: ReadonlyMap<string, StorageProblem | undefined>;
  /** The label of the server root when it is a storage root (its folder name); default "/". */
  readonly serverRootName?: string;
  isExpanded(root: string, path: string): boolean;
}

/** Node id of `path` under `root`; NUL cannot occur in a path, so ids never collide. */
export function nodeId(root: string, path: string): string {
  return `${root}\u0000${path}`;
}

/** Sorted names of the sub-folders of a listing (subjects of a root, tasks of a subject). */
export function folderNames(entries: readonly IFolderEntry[]): string[] {
  return sortIds(entries.filter(entry => entry.isFolder).map(entry => entry.name));
}

/** The files of a task folder that the tree shows, each kind sorted as AxoPy lists ids. */
export interface ITaskFiles {
  readonly trials?: IFolderEntry;
  readonly arrays: IFolderEntry[];
  readonly pickles: IFolderEntry[];
}

/** Picks trials.csv, `<array>.hdf5` and `<name>.pkl` out of a task folder listing. */
export function taskFiles(entries: readonly IFolderEntry[]): ITaskFiles {
  const files = entries.filter(entry => !entry.isFolder);
  const byName = (list: IFolderEntry[]): IFolderEntry[] => {
    const order = sortIds(list.map(entry => entry.name));
    return order.map(name => list.find(entry => entry.name === name)!);
  };
  return {
    trials: files.find(entry => entry.name === TRIALS_CSV),
    arrays: byName(files.filter(entry => arrayNameOfFile(entry.name) !== undefined)),
    pickles: byName(files.filter(entry => pickleNameOfFile(entry.name) !== undefined))
  };
}

/**
 * Problem of a root listing alone: no sub-folder at all, or trials.csv right in it (a task
 * folder opened as if it were the root).
 */
export function rootListingProblem(rootPath: string, entries: readonly IFolderEntry[]): StorageProblem | undefined {
  if (entries.some(entry => !entry.isFolder && entry.name === TRIALS_CSV)) {
    return { code: 'task-folder-as-root', path: rootPath };
  }
  if (folderNames(entries).length === 0) {
    return { code: 'no-subjects', path: rootPath };
  }
  return undefined;
}

/**
 * Verdict of probing the first task of the first subject: a folder whose first sub-sub-folder
 * has neither trials.csv nor an array file is not AxoPy storage (e.g. a project folder).
 * An empty subject proves nothing (a writer may be about to create its task): no verdict.
 */
export function probeVerdict(
  firstSubjectPath: string,
  subjectEntries: readonly IFolderEntry[],
  firstTaskEntries: readonly IFolderEntry[] | undefined
): StorageProblem | undefined {
  const tasks = folderNames(subjectEntries);
  const looseFiles = subjectEntries.filter(entry => !entry.isFolder);
  if (tasks.length === 0) {
    return looseFiles.length > 0 ? { code: 'not-storage', path: firstSubjectPath, missing: 'task-folders' } : undefined;
  }
  if (firstTaskEntries === undefined) {
    return undefined;
  }
  const files = taskFiles(firstTaskEntries);
  if (files.trials === undefined && files.arrays.length === 0) {
    return {
      code: 'not-storage',
      path: joinPath(firstSubjectPath, tasks[0]),
      missing: 'trials-csv'
    };
  }
  return undefined;
}

/** Builds the whole tree from what has been loaded so far. */
export function buildTree(sources: ITreeSources): IStorageNode[] {
  return sources.roots.map(root => buildRoot(sources, root));
}

function note(root: string, problem: StorageProblem): IStorageNode {
  return {
    id: nodeId(root, problem.path) + '\u0000note',
    kind: 'note',
    root,
    path: problem.path,
    label: '',
    expandable: false,
    expanded: false,
    children: [],
    problem
  };
}

/** Children of a folder node from its state, or the note that says why there are none. */
function folderChildren(
  sources: ITreeSources,
  root: string,
  path: string,
  fromEntries: (entries: readonly IFolderEntry[]) => IStorageNode[] | StorageProblem
): IStorageNode[] {
  const state = sources.folders.get(path) ?? { status: 'loading' };
  switch (state.status) {
    case 'loading':
      return [note(root, { code: 'loading', path })];
    case 'missing':
      return [note(root, { code: 'missing', path })];
    case 'failed':
      return [note(root, { code: 'load-failed', path, message: state.message })];
    case 'loaded': {
      const built = fromEntries(state.entries);
      return Array.isArray(built) ? built : [note(root, built)];
    }
  }
}

function folderNode(
  sources: ITreeSources,
  kind: 'root' | 'subject' | 'task',
  root: string,
  path: string,
  label: string,
  fromEntries: (entries: readonly IFolderEntry[]) => IStorageNode[] | StorageProblem,
  problem?: StorageProblem
): IStorageNode {
  const expanded = sources.isExpanded(root, path);
  return {
    id: nodeId(root, path),
    kind,
    root,
    path,
    label,
    expandable: true,
    expanded,
    children: expanded ? folderChildren(sources, root, path, fromEntries) : [],
    problem
  };
}

function buildRoot(sources: ITreeSources, root: string): IStorageNode {
  const state = sources.folders.get(root);
  const listingProblem = state?.status === 'loaded' ? rootListingProblem(root, state.entries) : undefined;
  const problem = listingProblem ?? sources.verdicts.get(root);
  const label = root === '' ? sources.serverRootName || '/' : root;
  return folderNode(
    sources,
    'root',
    root,
    root,
    label,
    entries => {
      const subjects = folderNames(entries);
      if (listingProblem !== undefined && subjects.length === 0) {
        return listingProblem;
      }
      return subjects.map(subject => buildSubject(sources, root, joinPath(root, subject), subject));
    },
    problem
  );
}

function buildSubject(sources: ITreeSources, root: string, path: string, subject: string): IStorageNode {
  return folderNode(sources, 'subject', root, path, subject, entries => {
    const tasks = folderNames(entries);
    if (tasks.length === 0) {
      return { code: 'no-tasks', path };
    }
    return tasks.map(task => buildTask(sources, root, joinPath(path, task), task));
  });
}

function fileNode(
  root: string,
  kind: 'trials' | 'array' | 'pickle',
  entry: IFolderEntry,
  counts: Pick<IStorageNode, 'rowCount' | 'datasetCount' | 'datasetCountProblem' | 'datasetCountReason' | 'recovering'>
): IStorageNode {
  return {
    id: nodeId(root, entry.path),
    kind,
    root,
    path: entry.path,
    label: entry.name,
    expandable: false,
    expanded: false,
    children: [],
    ...counts
  };
}

function buildTask(sources: ITreeSources, root: string, path: string, task: string): IStorageNode {
  return folderNode(sources, 'task', root, path, task, entries => {
    const files = taskFiles(entries);
    const nodes: IStorageNode[] = [];
    if (files.trials === undefined) {
      nodes.push(note(root, { code: 'no-trials-csv', path }));
    } else {
      const rowCount = sources.rowCounts.get(files.trials.path);
      nodes.push(fileNode(root, 'trials', files.trials, { rowCount }));
    }
    const recovering = new Set(filesBeingRecovered(entries.map(entry => entry.name)));
    files.arrays.forEach(entry => {
      if (recovering.has(entry.name)) {
        nodes.push(fileNode(root, 'array', entry, { recovering: true }));
        return;
      }
      const datasetCount = sources.datasetCounts?.get(entry.path);
      const datasetCountProblem = sources.datasetCountProblems?.get(entry.path);
      const datasetCountReason = sources.datasetCountReasons?.get(entry.path);
      nodes.push(
        fileNode(root, 'array', entry, {
          datasetCount,
          ...(datasetCountProblem === undefined ? {} : { datasetCountProblem }),
          ...(datasetCountReason === undefined ? {} : { datasetCountReason })
        })
      );
    });
    files.pickles.forEach(entry => nodes.push(fileNode(root, 'pickle', entry, {})));
    return nodes;
  });
}

/** Visible nodes in display order (children of expanded nodes after their parent). */
export function visibleNodes(tree: readonly IStorageNode[]): IStorageNode[] {
  const out: IStorageNode[] = [];
  const visit = (nodes: readonly IStorageNode[]): void => {
    for (const node of nodes) {
      out.push(node);
      if (node.expanded) {
        visit(node.children);
      }
    }
  };
  visit(tree);
  return out;
}
