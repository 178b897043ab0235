/**
 * Python AxoPy's `Storage`: the top of a data root, `<root>/<subject>/<task>/`.
 */
import { mkdirSync } from 'node:fs';
import { DEFAULT_ROOT, subjectPath, taskPath, validateId } from '../core/layout.js';
import {
  FileNotFoundError,
  NoSubjectError,
  PermissionError,
  ReadOnlyStorageError,
  SubjectNotFoundError,
  TaskExistsError,
  TaskNotFoundError
} from '../core/errors.js';
import {
  acquireTaskLock,
  fsyncFolder,
  isDirectory,
  listSubfolders,
  makedirs,
  releaseTaskLock,
  resolvesInside,
  typedFsError
} from './files.js';
import { clearTaskFolder, recoverTaskFolder, TaskWriter } from './task-writer.js';
import { TaskReader } from './task-reader.js';
import { storageToZip, StorageToZipOptions } from './zip.js';
import type { TrialWriterOptions } from './trial-writer.js';

export interface StorageOptions {
  /** Let `createTask` replace an existing task's data (AxoPy's `allow_overwrite`). */
  allowOverwrite?: boolean;
  /**
   * Create nothing: the root and subjects must exist (a typo is an error listing what
   * exists), `createTask` refuses. For notebooks that only analyse.
   */
  readOnly?: boolean;
}

/** The data storage root. Creates the root folder if it is missing (unless read-only). */
export class Storage {
  readonly root: string;
  readonly allowOverwrite: boolean;
  readonly readOnly: boolean;
  private currentSubject: string | null = null;

  constructor(root: string = DEFAULT_ROOT, options: StorageOptions = {}) {
    this.root = root;
    this.allowOverwrite = options.allowOverwrite ?? false;
    this.readOnly = options.readOnly ?? false;
    if (!this.readOnly) makedirs(root, { existOk: true });
    else if (!isDirectory(root)) throw new FileNotFoundError(root, 'storage root');
  }

  /** Subject ids (sub-folders of the root), sorted as Python sorts them. */
  get subjectIds(): string[] {
    return listSubfolders(this.root);
  }

  /** The current subject, or null before one is set. */
  get subjectId(): string | null {
    return this.currentSubject;
  }

  /** Sets the current subject, creating its folder when it is new. */
  set subjectId(id: string | null) {
    if (id === null) {
      this.currentSubject = null;
      return;
    }
    validateId(id, 'subject');
    if (this.readOnly) {
      if (!isDirectory(subjectPath(this.root, id))) throw new SubjectNotFoundError(this.root, id, this.subjectIds);
    } else {
      makedirs(subjectPath(this.root, id), { existOk: true });
    }
    this.currentSubject = id;
  }

  /** Task ids of the current subject, sorted; empty when no subject is set. */
  get taskIds(): string[] {
    return this.currentSubject === null ? [] : listSubfolders(subjectPath(this.root, this.currentSubject));
  }

  /**
   * Creates task `taskId` for the current subject and returns its writer, which holds the task
   * (a lock file in it) until `close()` or the process ends. Throws TaskExistsError when it
   * exists, unless the storage allows overwrite (then the old task's files are removed first);
   * TaskLockedError naming the holder when another writer holds it. Creating the folder is the
   * atomic step (`mkdir` of the task alone): of two simultaneous calls, one gets TaskExistsError.
   */
  createTask(taskId: string, options: TrialWriterOptions = {}): TaskWriter {
    if (this.readOnly) throw new ReadOnlyStorageError(this.root, 'createTask');
    const subject = this.requireSubject('createTask');
    validateId(taskId, 'task');
    const folder = subjectPath(this.root, subject);
    if (!resolvesInside(folder, this.root)) {
      throw new PermissionError(folder, `leads outside the storage root ${this.root}; refused`);
    }
    const path = taskPath(this.root, subject, taskId);
    let existed = false;
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw typedFsError(error, path);
      if (!this.allowOverwrite) throw new TaskExistsError(subject, taskId);
      if (!isDirectory(path) || !resolvesInside(path, folder)) {
        throw new PermissionError(path, 'is not a task folder of this subject (a file or a link); refused');
      }
      existed = true;
    }
    const lockPath = acquireTaskLock(path);
    try {
      if (existed) clearTaskFolder(path);
      if (options.durability === 'fsync') fsyncFolder(path); // the task's entry in its subject folder
    } catch (error) {
      releaseTaskLock(lockPath);
      throw typedFsError(error, path);
    }
    return new TaskWriter(path, options, lockPath);
  }

  /** Returns a reader of task `taskId` of the current subject; TaskNotFoundError if missing. */
  requireTask(taskId: string): TaskReader {
    const subject = this.requireSubject('requireTask');
    validateId(taskId, 'task');
    const path = taskPath(this.root, subject, taskId);
    if (!isDirectory(path)) throw new TaskNotFoundError(subject, taskId, this.taskIds);
    // A writer killed mid-flush left a journal (or a partial row): finish it before reading
    // (read-only storage changes nothing: a reader may then see the torn state).
    if (!this.readOnly) recoverTaskFolder(path);
    return new TaskReader(path);
  }

  /** Archives the whole root (see `storageToZip`) and returns the archive's path. */
  toZip(outfile?: string, options?: StorageToZipOptions): Promise<string> {
    return storageToZip(this.root, outfile, options);
  }

  private requireSubject(operation: string): string {
    if (this.currentSubject === null) throw new NoSubjectError(operation);
    return this.currentSubject;
  }
}

/** A read-only {@link Storage}: `new Storage(root, { readOnly: true })`, for analysis. */
export function openStorage(root: string = DEFAULT_ROOT): Storage {
  return new Storage(root, { readOnly: true });
}
