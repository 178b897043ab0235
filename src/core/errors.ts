/**
 * Typed errors. Each names the file or id involved and what is wrong; the Python AxoPy
 * exception each corresponds to is given in the README ("Errors").
 */

/** Base class of every error this project raises on purpose. */
export class AxoPyError extends Error {
  constructor(message: string) {
    super(message);
    // By table, not new.target.name: a minifying bundler (the JupyterLab extension) renames
    // classes, and the name is part of messages the sidebar and the kernel must share.
    this.name = ERROR_NAMES.get(new.target) ?? new.target.name;
  }
}

/** `createTask` of a task that exists (Python: ValueError). */
export class TaskExistsError extends AxoPyError {
  constructor(
    readonly subjectId: string,
    readonly taskId: string
  ) {
    super(`Subject ${subjectId} has already started "${taskId}". Only unique task names are allowed.`);
  }
}

/** `requireTask` of a task that does not exist (Python: ValueError). */
export class TaskNotFoundError extends AxoPyError {
  constructor(
    readonly subjectId: string,
    readonly taskId: string,
    existing?: readonly string[]
  ) {
    super(
      `Subject ${subjectId} has not started "${taskId}" yet. Use \`createTask\` to create it first.` +
        (existing === undefined ? '' : ` Tasks of ${subjectId}: ${listOrNone(existing)}.`)
    );
  }
}

/** A subject or task operation without a subject set (Python: no equivalent check). */
export class NoSubjectError extends AxoPyError {
  constructor(operation: string) {
    super(`${operation}: no subject is set; set storage.subjectId first`);
  }
}

/** A file or folder that must exist does not (Python: FileNotFoundError). */
export class FileNotFoundError extends AxoPyError {
  constructor(
    readonly path: string,
    what = 'file'
  ) {
    super(`No such ${what}: ${path}`);
  }
}

/** A file or folder that must not exist does (Python: FileExistsError). */
export class FileExistsError extends AxoPyError {
  constructor(
    readonly path: string,
    what = 'file'
  ) {
    super(`${what} exists: ${path}`);
  }
}

/** An HDF5 dataset that is missing, or taken when writing (Python: KeyError / ValueError). */
export class DatasetError extends AxoPyError {
  constructor(
    readonly path: string,
    readonly dataset: string,
    problem: string
  ) {
    super(`${path}: dataset "${dataset}" ${problem}`);
  }
}

/** A file whose content is not what the AxoPy format expects. */
export class FormatError extends AxoPyError {
  constructor(
    readonly path: string,
    problem: string
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A subject, task, array or pickle name that cannot be a single safe path component. */
export class InvalidIdError extends AxoPyError {
  constructor(
    readonly id: string,
    readonly kind: string,
    problem: string
  ) {
    super(`Invalid ${kind} id ${JSON.stringify(id)}: ${problem}`);
  }
}

/** A value that cannot be written in the AxoPy format (Python: TypeError / ValueError). */
export class ValueFormatError extends AxoPyError {}

/** A pickle that would run code or uses an unsupported construct; never executed. */
export class UnsafePickleError extends FormatError {}

/**
 * An HDF5 dataset the reader refuses by rule, not by damage (core/hdf5-containment.ts): its data
 * lies in another file, its declared size is impossible or over the limit, or it needs a
 * filter the reader lacks. Not worth a retry.
 */
export class DatasetRefusedError extends FormatError {
  constructor(
    path: string,
    readonly dataset: string,
    readonly reason: string
  ) {
    super(path, `dataset "${dataset}" ${reason}`);
  }
}

/**
 * A write that found no space left (ENOSPC, EDQUOT, EFBIG: a full disk, a quota, a file size
 * limit). Nothing of the write is kept; once space is freed, the next write works.
 */
export class DiskFullError extends AxoPyError {
  constructor(
    readonly path: string,
    readonly code: string
  ) {
    super(`${path}: no space left to write (${code}); nothing of this write was kept, free space and write again`);
  }
}

/** A file or folder this user may not write (EACCES, EPERM, EROFS), or one owned by another user. */
export class PermissionError extends AxoPyError {
  constructor(
    readonly path: string,
    problem: string
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A task another writer holds (its lock file names the process and host). */
export class TaskLockedError extends AxoPyError {
  constructor(
    readonly path: string,
    readonly holder: { pid: number; host: string },
    byThisProcess = false
  ) {
    super(
      `${path}: the task is being written by process ${holder.pid} on ${holder.host}; ` +
        (byThisProcess
          ? 'that is this process: close() the earlier TaskWriter of this task first'
          : 'wait for it to finish (a lock left by a process that has ended is taken over)')
    );
  }
}

const ERROR_NAMES = new Map<abstract new (...args: never[]) => Error, string>([
  [AxoPyError, 'AxoPyError'],
  [TaskExistsError, 'TaskExistsError'],
  [TaskNotFoundError, 'TaskNotFoundError'],
  [NoSubjectError, 'NoSubjectError'],
  [FileNotFoundError, 'FileNotFoundError'],
  [FileExistsError, 'FileExistsError'],
  [DatasetError, 'DatasetError'],
  [FormatError, 'FormatError'],
  [InvalidIdError, 'InvalidIdError'],
  [ValueFormatError, 'ValueFormatError'],
  [UnsafePickleError, 'UnsafePickleError'],
  [DatasetRefusedError, 'DatasetRefusedError'],
  [DiskFullError, 'DiskFullError'],
  [PermissionError, 'PermissionError'],
  [TaskLockedError, 'TaskLockedError']
]);

/** Names for a message: quoted, comma-separated, or "none". */
function listOrNone(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map(name => JSON.stringify(name)).join(', ');
}

/** A trial index past the last trial, negative or not an integer (Python: IndexError). */
export class TrialIndexError extends AxoPyError {
  constructor(
    readonly index: number,
    readonly trialCount: number
  ) {
    super(`trial ${index} out of range (${trialCount} trial${trialCount === 1 ? '' : 's'})`);
  }
}
ERROR_NAMES.set(TrialIndexError, 'TrialIndexError');

/** A subject that does not exist, in a read-only Storage (which never creates one). */
export class SubjectNotFoundError extends AxoPyError {
  constructor(
    readonly root: string,
    readonly subjectId: string,
    existing: readonly string[]
  ) {
    super(`No subject "${subjectId}" in ${root}. Subjects: ${listOrNone(existing)}.`);
  }
}
ERROR_NAMES.set(SubjectNotFoundError, 'SubjectNotFoundError');

/** A task without the array file asked for (Python: FileNotFoundError). */
export class ArrayNotFoundError extends FileNotFoundError {
  constructor(
    path: string,
    readonly arrayName: string,
    existing: readonly string[]
  ) {
    super(path, 'array file');
    this.message = `${this.message}. Arrays of this task: ${listOrNone(existing)}.`;
  }
}
ERROR_NAMES.set(ArrayNotFoundError, 'ArrayNotFoundError');

/** A change asked of a Storage opened read-only. */
export class ReadOnlyStorageError extends AxoPyError {
  constructor(
    readonly root: string,
    operation: string
  ) {
    super(`${operation}: storage ${root} is open read-only`);
  }
}
ERROR_NAMES.set(ReadOnlyStorageError, 'ReadOnlyStorageError');

/** The error class of this name (from {@link AxoPyError}'s table), for errors rebuilt after a postMessage. */
export function axopyErrorClass(name: string): (abstract new (...args: never[]) => AxoPyError) | undefined {
  for (const [errorClass, errorName] of ERROR_NAMES) {
    if (errorName === name) return errorClass as abstract new (...args: never[]) => AxoPyError;
  }
  return undefined;
}
