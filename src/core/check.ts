/**
 * Dataset checks shared by the kernel's `checkStorage` and the sidebar's "Check dataset": each
 * shell describes what it found (rows, datasets with dtype and shape, files it could not read)
 * and these pure functions say what is wrong with it.
 */
import { compareCodePoints, rowForDatasetName } from './layout.js';

/** One dataset of an array file, as found. */
export interface DatasetDescription {
  name: string;
  dtype: string;
  shape: readonly number[];
  /** Why a reader refuses its data (core/hdf5-containment.ts: data outside the file, a size bomb). */
  refused?: string;
}

/** One `<array>.hdf5` file: its datasets, or why it could not be read. */
export interface ArrayFileDescription {
  name: string;
  path: string;
  datasets?: readonly DatasetDescription[];
  error?: string;
}

/** One task folder as a shell found it. */
export interface TaskDescription {
  subjectId: string;
  taskId: string;
  path: string;
  /** Rows of trials.csv, or why it could not be read. */
  trials: { rowCount: number } | { error: string };
  arrays: readonly ArrayFileDescription[];
  pickles: readonly { name: string; path: string; error?: string }[];
}

export type CheckSeverity = 'error' | 'warning';

export interface CheckIssue {
  severity: CheckSeverity;
  path: string;
  message: string;
}

export interface CheckReport {
  root: string;
  subjects: number;
  tasks: number;
  trials: number;
  issues: CheckIssue[];
}

/** "0-3, 7, 9-10" for a sorted list of row numbers, at most `limit` ranges. */
export function formatRowRanges(rows: readonly number[], limit = 8): string {
  const ranges: string[] = [];
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1) j++;
    ranges.push(i === j ? String(rows[i]) : `${rows[i]}-${rows[j]}`);
    i = j + 1;
  }
  return ranges.length > limit
    ? `${ranges.slice(0, limit).join(', ')}, ... (${rows.length} in all)`
    : ranges.join(', ');
}

function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Why `TaskReader.array` could not stack these trials (np.vstack rules), or undefined. */
function stackProblem(datasets: readonly DatasetDescription[]): string | undefined {
  const trailing = (shape: readonly number[]): string =>
    shape.length <= 1 ? shapeText(shape) : shapeText(shape.slice(1));
  const ranks = new Set(datasets.map(d => (Math.max(d.shape.length, 1) === 1 ? 2 : d.shape.length)));
  if (ranks.size > 1) return 'trials have arrays of different ranks';
  const kinds = new Set(datasets.map(d => trailing(d.shape)));
  if (kinds.size > 1) return `trials differ in shape beyond the first axis: ${[...kinds].slice(0, 3).join(', ')}`;
  return undefined;
}

function checkArrayFile(file: ArrayFileDescription, rowCount: number | undefined): CheckIssue[] {
  if (file.error !== undefined || file.datasets === undefined) {
    return [{ severity: 'error', path: file.path, message: `cannot be read: ${file.error ?? 'unknown error'}` }];
  }
  const issues: CheckIssue[] = [];
  for (const dataset of file.datasets) {
    if (dataset.refused !== undefined) {
      issues.push({
        severity: 'error',
        path: file.path,
        message: `dataset ${JSON.stringify(dataset.name)} ${dataset.refused}; readers refuse it`
      });
    }
  }
  const byRow = new Map<number, DatasetDescription>();
  const strangeNames: string[] = [];
  for (const dataset of file.datasets) {
    const row = rowForDatasetName(dataset.name);
    if (row === undefined) strangeNames.push(dataset.name);
    else byRow.set(row, dataset);
  }
  if (strangeNames.length > 0) {
    issues.push({
      severity: 'warning',
      path: file.path,
      message: `datasets not named by a row index are ignored: ${strangeNames
        .slice(0, 5)
        .map(n => JSON.stringify(n))
        .join(', ')}`
    });
  }
  if (rowCount !== undefined) {
    const missing = [...Array(rowCount).keys()].filter(row => !byRow.has(row));
    if (missing.length === rowCount && rowCount > 0) {
      issues.push({
        severity: 'warning',
        path: file.path,
        message: `no trial has this array (${rowCount} rows in trials.csv)`
      });
    } else if (missing.length > 0) {
      issues.push({
        severity: 'error',
        path: file.path,
        message: `trials without this array (array() will fail): rows ${formatRowRanges(missing)}`
      });
    }
    const extra = [...byRow.keys()].filter(row => row >= rowCount).sort((a, b) => a - b);
    if (extra.length > 0) {
      issues.push({
        severity: 'warning',
        path: file.path,
        message: `datasets without a trials.csv row (a write that did not finish?): ${formatRowRanges(extra)}`
      });
    }
  }
  const present = [...byRow.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  const dtypes = [...new Set(present.map(d => d.dtype))];
  if (dtypes.length > 1) {
    issues.push({
      severity: 'warning',
      path: file.path,
      message: `trials have different dtypes (${dtypes.join(', ')}); array() upcasts them`
    });
  }
  const problem = present.length > 1 ? stackProblem(present) : undefined;
  if (problem) issues.push({ severity: 'warning', path: file.path, message: `array() cannot stack: ${problem}` });
  return issues;
}

/** Problems of one task. */
export function checkTask(task: TaskDescription): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const rowCount = 'rowCount' in task.trials ? task.trials.rowCount : undefined;
  if ('error' in task.trials) {
    issues.push({ severity: 'error', path: `${task.path}/trials.csv`, message: task.trials.error });
  }
  for (const file of task.arrays) issues.push(...checkArrayFile(file, rowCount));
  for (const pickle of task.pickles) {
    if (pickle.error !== undefined)
      issues.push({ severity: 'error', path: pickle.path, message: `cannot be read: ${pickle.error}` });
  }
  return issues;
}

/**
 * Names that Python AxoPy would read differently from this project: hidden folders (Python
 * lists `.ipynb_checkpoints` as a subject) and names no id may have.
 */
export function checkFolderName(name: string, path: string): CheckIssue | undefined {
  if (name.startsWith('.')) {
    return { severity: 'warning', path, message: `hidden folder: skipped here, but Python AxoPy lists it as an id` };
  }
  if (/[\\]/.test(name) || /[\u0000-\u001f\u007f]/.test(name)) {
    return {
      severity: 'warning',
      path,
      message: `name ${JSON.stringify(name)} cannot be an id here (backslash or control character)`
    };
  }
  if (name !== name.normalize('NFC')) {
    return {
      severity: 'warning',
      path,
      message: `name is not in Unicode NFC form: the same id typed on another system may not match`
    };
  }
  return undefined;
}

/** Sums up a storage root from its tasks and any issues found while listing it. */
export function buildCheckReport(
  root: string,
  subjects: number,
  tasks: readonly TaskDescription[],
  listingIssues: readonly CheckIssue[] = []
): CheckReport {
  const issues = [...listingIssues, ...tasks.flatMap(checkTask)];
  const trials = tasks.reduce((sum, t) => sum + ('rowCount' in t.trials ? t.trials.rowCount : 0), 0);
  const order = { error: 0, warning: 1 } as const;
  issues.sort((a, b) => order[a.severity] - order[b.severity] || compareCodePoints(a.path, b.path));
  return { root, subjects, tasks: tasks.length, trials, issues };
}
