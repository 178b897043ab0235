/**
 * Reading trials.csv from disk: in chunks, each checked for an over-long line as it arrives
 * (a 1 GiB file of one line fails after 16 MiB instead of minutes), then parsed by the core.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type ParseTrialsCsvOptions, type ParsedTrialsCsv, parseTrialsCsv } from '../core/csv/index.js';
import { LineLengthGuard } from '../core/csv/lineGuard.js';
import { FormatError } from '../core/errors.js';

const CHUNK_BYTES = 1024 * 1024;

/** Options of {@link readTrialsCsvFile}. */
export interface TrialsCsvReadOptions {
  /** Longest line accepted, in bytes (default 16 MiB). */
  readonly maxLineBytes?: number;
}

/** The file's bytes, read in chunks that `guard` sees as they come. */
function readGuarded(path: string, guard: LineLengthGuard): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    // Read to the end whatever the size said: a writer may be appending.
    const expected = fstatSync(fd).size;
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, Math.min(expected - total, 16 * CHUNK_BYTES)));
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      const read = chunk.subarray(0, count);
      guard.feed(read);
      chunks.push(read);
      total += count;
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * trials.csv parsed as pandas reads it, a last line still being written left out. FormatError
 * for an empty file (pandas: EmptyDataError), a line over `maxLineBytes`, or bad content.
 */
export function readTrialsCsvFile(path: string, options: TrialsCsvReadOptions = {}): ParsedTrialsCsv {
  const bytes = readGuarded(path, new LineLengthGuard(path, options.maxLineBytes));
  if (bytes.length === 0) throw new FormatError(path, 'is empty: expected a header line');
  const parseOptions: ParseTrialsCsvOptions = { ignoreIncompleteLastLine: true, lineLengthChecked: true };
  return parseTrialsCsv(bytes, path, parseOptions);
}
