/**
 * Reading a file another process rewrites as we read it. Python AxoPy rewrites trials.csv
 * whole after each trial (pandas `to_csv`: truncate, then write): a reader polling at 50 Hz
 * met an empty or half-written file in ~6% of its reads, and once a row count smaller than the
 * one before. The rule, shared by the kernel's reader and the sidebar's counts: a reading
 * that failed, or has fewer rows than the last good one, is suspect; it is retried, and when
 * retries keep giving suspect readings the last good reading stays, marked as being
 * rewritten. A count never goes backwards for a reader that has seen the file before.
 */

/** Reading attempts before a suspect reading is given up on (each after a pause). */
export const LIVE_READ_ATTEMPTS = 4;

/** Pause before attempt `attempt` (2, 3, ...), in ms: 25, 50, 75. */
export function liveRetryPauseMs(attempt: number): number {
  return 25 * (attempt - 1);
}

/** One attempt at reading: the rows it found, or the error it met. */
export type LiveAttempt<T> = { readonly value: T; readonly rowCount: number } | { readonly error: unknown };

/** What a reader reports after its attempts. */
export type LiveOutcome<T> =
  | { readonly status: 'current'; readonly value: T; readonly rowCount: number }
  | { readonly status: 'being rewritten'; readonly value: T; readonly rowCount: number; readonly cause: string }
  | { readonly status: 'failed'; readonly error: unknown };

/** Whether an attempt cannot be trusted given the last good reading's row count. */
export function isSuspectReading<T>(attempt: LiveAttempt<T>, lastGoodRowCount: number | undefined): boolean {
  if ('error' in attempt) return true;
  return lastGoodRowCount !== undefined && attempt.rowCount < lastGoodRowCount;
}

/**
 * The outcome of the latest attempt, once retries are over (or not needed): a trusted
 * attempt is current; a suspect one keeps the last good reading ("being rewritten"), or
 * fails with its error when there is none (a file empty or damaged from the start).
 */
export function settleLiveReading<T>(
  latest: LiveAttempt<T>,
  lastGood: { readonly value: T; readonly rowCount: number } | undefined
): LiveOutcome<T> {
  if (!isSuspectReading(latest, lastGood?.rowCount)) {
    const good = latest as { value: T; rowCount: number };
    return { status: 'current', value: good.value, rowCount: good.rowCount };
  }
  if (lastGood === undefined) {
    return { status: 'failed', error: (latest as { error: unknown }).error };
  }
  const cause =
    'error' in latest
      ? latest.error instanceof Error
        ? latest.error.message
        : String(latest.error)
      : `${latest.rowCount} rows after ${lastGood.rowCount}`;
  return { status: 'being rewritten', value: lastGood.value, rowCount: lastGood.rowCount, cause };
}

/**
 * Reads with retries (synchronously: `pause` blocks): attempts until one is trusted or
 * `LIVE_READ_ATTEMPTS` were made, then settles. `read` returns an attempt; it need not catch.
 */
export function readLiveSync<T>(
  read: () => { value: T; rowCount: number },
  lastGood: { readonly value: T; readonly rowCount: number } | undefined,
  pause: (ms: number) => void,
  attempts = LIVE_READ_ATTEMPTS
): LiveOutcome<T> {
  let latest: LiveAttempt<T> = { error: new Error('not read') };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) pause(liveRetryPauseMs(attempt));
    try {
      latest = read();
    } catch (error) {
      latest = { error };
    }
    if (!isSuspectReading(latest, lastGood?.rowCount)) break;
  }
  return settleLiveReading(latest, lastGood);
}

/**
 * Whether a trials.csv's bytes can be a whole rewrite: not empty and ending with a newline.
 * Python AxoPy's rewrite (pandas `to_csv`) truncates the file, then writes it: an empty file,
 * or one cut inside a line, is a rewrite in progress.
 */
export function isCompleteTrialsText(bytes: Uint8Array): boolean {
  const last = bytes[bytes.length - 1];
  return bytes.length > 0 && (last === 0x0a || last === 0x0d);
}
