/**
 * The lock a writer holds on a task folder while it records: a file created exclusively in the
 * folder, naming the holder, so a second writer is refused (TaskLockedError) instead of
 * interleaving its rows with the first one's. Pure: the name and the content format.
 */

/** The lock file's name in the task folder (hidden: listings and exports skip it). */
export const TASK_LOCK_NAME = '.axopy-writer.lock';

/** Who holds a task. */
export interface TaskLockHolder {
  pid: number;
  host: string;
  /** When the lock was taken (ms since the epoch). */
  since: number;
}

export function formatTaskLock(holder: TaskLockHolder): string {
  return JSON.stringify(holder) + '\n';
}

/** The holder named by a lock file's text, or undefined when torn or not a lock. */
export function parseTaskLock(text: string): TaskLockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<TaskLockHolder>;
    if (
      Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.host === 'string' &&
      typeof value.since === 'number'
    ) {
      return { pid: value.pid as number, host: value.host, since: value.since };
    }
  } catch {
    // torn: a writer killed between creating the file and writing it
  }
  return undefined;
}
