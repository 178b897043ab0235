/**
 * Reading trials.csv from disk: chunk by chunk into the core's parser, which checks each chunk
 * for an over-long line (a 1 GiB file of one line fails after 16 MiB instead of minutes) and
 * decodes and tokenizes it as it comes (a file beyond V8's string limit reads; the bytes and
 * the whole text are never held).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type ParsedTrialsCsv, TrialsCsvParser } from '../core/csv/index.js';
import { FormatError } from '../core/errors.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** Options of {@link readTrialsCsvFile}. */
export interface TrialsCsvReadOptions {
  /** Longest line accepted, in bytes (default 16 MiB). */
  readonly maxLineBytes?: number;
}

/**
 * trials.csv parsed as pandas reads it, a last line still being written left out. FormatError
 * for an empty file (pandas: EmptyDataError), a line over `maxLineBytes`, or bad content.
 */
export function readTrialsCsvFile(path: string, options: TrialsCsvReadOptions = {}): ParsedTrialsCsv {
  const parser = new TrialsCsvParser(path, { ignoreIncompleteLastLine: true, maxLineBytes: options.maxLineBytes });
  const fd = openSync(path, 'r');
  let total = 0;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    // Read to the end whatever the size said: a writer may be appending.
    for (;;) {
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      parser.feedBytes(chunk.subarray(0, count));
      total += count;
    }
  } finally {
    closeSync(fd);
  }
  if (total === 0) throw new FormatError(path, 'is empty: expected a header line');
  return parser.finish();
}
