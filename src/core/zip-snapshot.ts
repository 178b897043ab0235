/**
 * Rules of a ZIP export that reads files some time after listing them, while a writer may be
 * recording (issue 13): whether the file read is still the file listed, and whether a task's
 * array file may lack the datasets of the rows archived from its trials.csv. Pure: the kernel
 * and the browser's ZIP worker read versions their own way (fstat; Contents API and HTTP).
 */

/** What identifies a version of a listed file. */
export interface FileVersion {
  readonly size: number;
  /** Modification time, ms since the epoch. */
  readonly mtimeMs: number;
}

/** What a server said about a file it serves: sizes and times its headers carry, if any. */
export interface ServedVersion {
  /** Content-Length of an unencoded response. */
  readonly size?: number;
  /** Last-Modified, ms since the epoch (HTTP dates have whole seconds). */
  readonly lastModifiedMs?: number;
}

/**
 * Why the file served is not the version listed, or undefined when it is. The Contents API
 * lists a link by its own size and time (jupyter_server uses lstat) while /files/ serves its
 * target, so a file swapped for a link differs here as a rewritten file does.
 */
export function servedVersionMismatch(listed: FileVersion, served: ServedVersion): string | undefined {
  const differences: string[] = [];
  if (served.size !== undefined && served.size !== listed.size) {
    differences.push(`${served.size} bytes served, ${listed.size} listed`);
  }
  if (served.lastModifiedMs !== undefined && served.lastModifiedMs !== Math.floor(listed.mtimeMs / 1000) * 1000) {
    differences.push(
      `modified ${new Date(served.lastModifiedMs).toISOString()} as served, ${new Date(listed.mtimeMs).toISOString()} as listed`
    );
  }
  return differences.length === 0 ? undefined : differences.join('; ');
}

/** Whether two listings of a file give the same version. */
export function sameFileVersion(a: FileVersion, b: FileVersion): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** A task whose trials.csv changed this recently is taken as being recorded. */
export const RECORDING_RECENT_MS = 10_000;

/**
 * Whether an array file may lack the dataset of the newest row of its task's trials.csv as
 * archived: the task is being recorded and the array file was last written before that
 * trials.csv (Python AxoPy writes a trial's row, then its arrays).
 */
export function arraysMayLagRows(arrays: FileVersion, trials: FileVersion, nowMs: number): boolean {
  return nowMs - trials.mtimeMs <= RECORDING_RECENT_MS && arrays.mtimeMs < trials.mtimeMs;
}
