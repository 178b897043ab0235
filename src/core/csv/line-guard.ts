/**
 * A bound on the length of a trials.csv line, checked on the bytes as they are read: a 1 GiB
 * file of one line took our reader minutes and gigabytes before failing on V8's string limit
 * (pandas reads it in seconds); an AxoPy trial row is a few hundred bytes.
 */
import { FormatError } from '../errors.js';

/** Default longest line, in bytes (option `maxLineBytes`). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const LF = 10;

/**
 * Fed the file's bytes chunk by chunk, throws a FormatError naming the file as soon as a line
 * (physical: bytes between newlines) passes the limit, before the rest of the file is read.
 */
export class LineLengthGuard {
  private lineBytes = 0;
  private currentLine = 1;

  constructor(
    private readonly path: string,
    readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES
  ) {}

  /** The line the next byte is on (1-based). */
  get line(): number {
    return this.currentLine;
  }

  /** Checks the next chunk of the file. */
  feed(chunk: Uint8Array): void {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, from);
      const end = newline < 0 ? chunk.length : newline;
      this.lineBytes += end - from;
      if (this.lineBytes > this.maxLineBytes) {
        throw new FormatError(
          this.path,
          `line ${this.currentLine} is longer than ${this.maxLineBytes} bytes (maxLineBytes); not a trials table`
        );
      }
      if (newline < 0) return;
      this.lineBytes = 0;
      this.currentLine++;
      from = newline + 1;
    }
  }
}

/**
 * The same bound on text already decoded (the browser reads trials.csv as text), in UTF-16
 * units: bytes for ASCII, at most the bytes otherwise.
 */
export function requireLinesWithin(text: string, path: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): void {
  let line = 1;
  for (let from = 0; from <= text.length; line++) {
    const newline = text.indexOf('\n', from);
    const end = newline < 0 ? text.length : newline;
    if (end - from > maxLineBytes) {
      throw new FormatError(
        path,
        `line ${line} is longer than ${maxLineBytes} bytes (maxLineBytes); not a trials table`
      );
    }
    if (newline < 0) return;
    from = newline + 1;
  }
}

/**
 * Largest trials.csv the browser reads: it gets the file as one text through the Contents API
 * (a 1 GiB file would pass V8's string limit after minutes of transfer, holding up the page);
 * the kernel streams any size.
 */
export const BROWSER_TRIALS_MAX_BYTES = 256 * 1024 * 1024;

/** Throws a FormatError naming the file when it is too large for the browser to read. */
export function requireBrowserReadable(
  path: string,
  size: number | undefined,
  maxBytes = BROWSER_TRIALS_MAX_BYTES
): void {
  if (size !== undefined && size > maxBytes) {
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    throw new FormatError(
      path,
      `is ${mib(size)}: larger than the ${mib(maxBytes)} the browser reads; read it in a notebook with the kernel's TaskReader`
    );
  }
}
