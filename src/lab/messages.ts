/**
 * The sentences the sidebar shows, all through the translation bundle.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IStorageNode, StorageProblem } from './sidebar/tree.js';

/** Translation domain of this extension. */
export const TRANSLATION_DOMAIN = 'jupyterlab_axopy';

/** What a problem means, naming the path involved. */
export function describeProblem(trans: TranslationBundle, problem: StorageProblem): string {
  const path = problem.path || '/';
  switch (problem.code) {
    case 'loading':
      return trans.__('Loading…');
    case 'missing':
      return trans.__('%1 does not exist or is not a folder', path);
    case 'load-failed':
      return trans.__('Could not read %1: %2', path, problem.message);
    case 'no-subjects':
      return trans.__(
        'Not AxoPy storage: %1 has no subject folders (expected <root>/<subject>/<task>/trials.csv)',
        path
      );
    case 'task-folder-as-root':
      return trans.__(
        'Not AxoPy storage: %1 holds trials.csv, so it is a task folder; open its grandparent folder',
        path
      );
    case 'not-storage':
      return problem.missing === 'trials-csv'
        ? trans.__('Not AxoPy storage: %1 has no trials.csv (expected <root>/<subject>/<task>/trials.csv)', path)
        : trans.__('Not AxoPy storage: %1 holds files but no task folders', path);
    case 'no-tasks':
      return trans.__('No task folders in %1 yet', path);
    case 'no-trials-csv':
      return trans.__('No trials.csv in %1 yet', path);
  }
}

/** The short figure shown after a node's name: rows of trials.csv, datasets of an array. */
export function describeCount(trans: TranslationBundle, node: IStorageNode): string {
  switch (node.kind) {
    case 'trials':
      return node.rowCount === undefined ? '…' : trans._n('%1 row', '%1 rows', node.rowCount);
    case 'array':
      if (node.recovering) return trans.__('recovering');
      // Three states without a count, told apart: being counted, too large, unreadable.
      if (node.datasetCount !== undefined) return trans._n('%1 dataset', '%1 datasets', node.datasetCount);
      if (node.datasetCountProblem === 'too-large') return trans.__('too large to count');
      if (node.datasetCountProblem === 'unreadable') return trans.__('unreadable');
      if (node.datasetCountProblem === 'refused') return trans.__('refused');
      return '…';
    default:
      return '';
  }
}

/** Hover text of a node: its full path, and the problem if any. */
export function describeNode(trans: TranslationBundle, node: IStorageNode): string {
  const path = node.path || '/';
  if (node.recovering) {
    return trans.__(
      '%1 is being recovered: its writer stopped in the middle of a write and left a journal beside it, which the kernel replays when it next opens the task',
      path
    );
  }
  if (node.kind === 'array' && node.datasetCount === undefined) {
    switch (node.datasetCountProblem) {
      case 'too-large':
        return trans.__(
          '%1 (larger than the dataset-count limit: datasets not counted; a preview still reads one trial)',
          path
        );
      case 'unreadable':
        return trans.__('%1 (not readable as HDF5: datasets not counted; Preview Task shows why)', path);
      case 'refused':
        return trans.__('%1 (refused: %2)', path, node.datasetCountReason ?? '');
      default:
        return trans.__('%1 (counting datasets…)', path);
    }
  }
  return node.problem ? `${path}\n${describeProblem(trans, node.problem)}` : path;
}
