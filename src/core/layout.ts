/**
 * The AxoPy folder layout: where each file of a storage root lives, how trial rows map to
 * HDF5 dataset names, and which ids are safe. Paths are joined with "/" (POSIX and URL style);
 * both shells pass their own root prefix.
 */
import { InvalidIdError } from './errors.js';

export const TRIALS_CSV = 'trials.csv';
export const ARRAY_EXTENSION = '.hdf5';
export const PICKLE_EXTENSION = '.pkl';
export const DEFAULT_ROOT = 'data';

/** Joins path components with "/", without doubling separators. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter(part => part !== '')
    .map((part, i) => (i === 0 ? part.replace(/\/+$/, '') : part.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

export function subjectPath(root: string, subjectId: string): string {
  return joinPath(root, subjectId);
}

export function taskPath(root: string, subjectId: string, taskId: string): string {
  return joinPath(root, subjectId, taskId);
}

export function trialsCsvPath(taskRoot: string): string {
  return joinPath(taskRoot, TRIALS_CSV);
}

export function arrayFilePath(taskRoot: string, arrayName: string): string {
  return joinPath(taskRoot, arrayName + ARRAY_EXTENSION);
}

export function pickleFilePath(taskRoot: string, pickleName: string): string {
  return joinPath(taskRoot, pickleName + PICKLE_EXTENSION);
}

/** AxoPy names a trial's dataset by its 0-based row in trials.csv, not its `trial` attribute. */
export function datasetNameForRow(rowIndex: number): string {
  if (!Number.isInteger(rowIndex) || rowIndex < 0) {
    throw new RangeError(`row index must be a non-negative integer, got ${rowIndex}`);
  }
  return String(rowIndex);
}

/** The row index a dataset name stands for, or undefined when it is not a row index name. */
export function rowForDatasetName(name: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(name) ? Number(name) : undefined;
}

/** Array name of an `<array>.hdf5` file name, or undefined for other files. */
export function arrayNameOfFile(fileName: string): string | undefined {
  return fileName.endsWith(ARRAY_EXTENSION) && fileName.length > ARRAY_EXTENSION.length
    ? fileName.slice(0, -ARRAY_EXTENSION.length)
    : undefined;
}

/** Pickle name of a `<name>.pkl` file name, or undefined for other files. */
export function pickleNameOfFile(fileName: string): string | undefined {
  return fileName.endsWith(PICKLE_EXTENSION) && fileName.length > PICKLE_EXTENSION.length
    ? fileName.slice(0, -PICKLE_EXTENSION.length)
    : undefined;
}

const MAX_ID_BYTES = 255;

/**
 * Refuses ids that would not stay one folder or file inside the root: empty, ".", "..",
 * separators, NUL and other control characters, or longer than a file name may be.
 * Python AxoPy does no such check; such ids would write outside the root there.
 */
export function validateId(id: string, kind: 'subject' | 'task' | 'array' | 'pickle'): string {
  if (typeof id !== 'string') {
    throw new InvalidIdError(String(id), kind, 'must be a string');
  }
  if (id === '') {
    throw new InvalidIdError(id, kind, 'must not be empty');
  }
  if (id === '.' || id === '..') {
    throw new InvalidIdError(id, kind, 'must not be "." or ".."');
  }
  if (/[/\\]/.test(id)) {
    throw new InvalidIdError(id, kind, 'must not contain "/" or "\\"');
  }
  if (/[\u0000-\u001f\u007f]/.test(id)) {
    throw new InvalidIdError(id, kind, 'must not contain NUL or control characters');
  }
  if (new TextEncoder().encode(id).length > MAX_ID_BYTES) {
    throw new InvalidIdError(id, kind, `must be at most ${MAX_ID_BYTES} bytes in UTF-8`);
  }
  return id;
}

/** Whether a folder name can be an id (see {@link validateId}): listings skip the others. */
export function isUsableId(name: string): boolean {
  try {
    validateId(name, 'subject');
    return true;
  } catch {
    return false;
  }
}

/** Compares strings by Unicode code point, as Python's `sorted` does (not UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) {
      return x.done && y.done ? 0 : x.done ? -1 : 1;
    }
    const diff = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (diff !== 0) {
      return diff;
    }
  }
}

/** Sorts ids as Python AxoPy lists them (`sorted(os.listdir(...))`). */
export function sortIds(ids: Iterable<string>): string[] {
  return [...ids].sort(compareCodePoints);
}
