/**
 * Reading trials.csv with the column typing of `pandas.read_csv` (pandas 1.5 defaults).
 */
import { FormatError } from '../errors.js';
import type { ColumnDType } from './column-inference.js';
import { PANDAS_NA_STRINGS, parsePandasBool, parsePandasFloat, scanInt64, scanUint64 } from './pandas-scalars.js';
import { type CsvRecord, CsvTokenizer } from './tokenizer.js';
import { LineLengthGuard, requireLinesWithin } from './line-guard.js';

/** A cell as read: int64/uint64 as number (bigint for a column beyond 2**53), float64 as
 *  number (NaN when missing), bool as boolean, object as string (null when missing). */
export type ParsedCell = number | bigint | boolean | string | null;

/** trials.csv read as pandas reads it. */
export interface ParsedTrialsCsv {
  /** Column names after pandas' renaming ("Unnamed: i" for "", "a.1" for a repeated "a"). */
  columns: string[];
  dtypes: Record<string, ColumnDType>;
  values: Record<string, ParsedCell[]>;
  rowCount: number;
}

/** Options of {@link parseTrialsCsv}. */
export interface ParseTrialsCsvOptions {
  /**
   * A live writer may be in the middle of a line: drop a last line that has no "\n" (and
   * read an empty or header-less text as no columns and no rows instead of failing).
   */
  ignoreIncompleteLastLine?: boolean;
  /** Longest line accepted, in bytes (default 16 MiB): a longer one is a FormatError. */
  maxLineBytes?: number;
}

interface TypedColumn {
  dtype: ColumnDType;
  values: ParsedCell[];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A scanned integer: its sign and its digits without leading zeros. */
type IntegerDigits = { negative: boolean; digits: string };

/** Integer values: numbers when all are within 2**53, else bigints for the whole column. */
function integerValues(scans: readonly IntegerDigits[]): ParsedCell[] {
  // Up to 15 digits is always below 2**53: skip BigInt for the common case.
  if (scans.every(scan => scan.digits.length <= 15)) {
    return scans.map(scan => (scan.negative ? -Number(scan.digits) : Number(scan.digits)));
  }
  const bigints = scans.map(scan => (scan.negative ? -BigInt(scan.digits) : BigInt(scan.digits)));
  const safe = bigints.every(value => value <= MAX_SAFE && value >= -MAX_SAFE);
  return safe ? bigints.map(Number) : bigints;
}

/** Sets an own enumerable property, also for a column named "__proto__". */
function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function objectColumn(words: readonly string[], filterNA: boolean): TypedColumn {
  return {
    dtype: 'object',
    values: words.map(word => (filterNA && PANDAS_NA_STRINGS.has(word) ? null : word))
  };
}

/**
 * pandas' uint64 attempt, made after an int64 overflow. undefined: not integers, try float.
 * Conflicting signs or a missing value beside a value >= 2**63 give text without NA
 * conversion (pandas' ValueError path); any other failure gives text with NA conversion.
 */
function typeAsUint64(words: readonly string[]): TypedColumn | undefined {
  let sawNA = false;
  let sawNegative = false;
  let sawBeyondInt64 = false;
  const scans: IntegerDigits[] = [];
  for (const word of words) {
    if (PANDAS_NA_STRINGS.has(word)) {
      sawNA = true;
      continue;
    }
    const scan = scanUint64(word);
    if (scan === 'negative') {
      sawNegative = true;
      continue;
    }
    if (scan.status === 'invalid') return undefined;
    if (scan.status === 'overflow') return objectColumn(words, true);
    if (scan.digits.length >= 19 && BigInt(scan.digits) > 2n ** 63n - 1n) sawBeyondInt64 = true;
    scans.push(scan);
  }
  if (sawBeyondInt64 && (sawNegative || sawNA)) return objectColumn(words, false);
  if (sawNegative) return objectColumn(words, true);
  return { dtype: 'uint64', values: integerValues(scans) };
}

/** int64 (float64 when some are missing), or the uint64 path on overflow. */
function typeAsInteger(words: readonly string[]): TypedColumn | undefined {
  const scans: (IntegerDigits | null)[] = []; // null: an NA string
  for (const word of words) {
    if (PANDAS_NA_STRINGS.has(word)) {
      scans.push(null);
      continue;
    }
    const scan = scanInt64(word);
    if (scan.status === 'overflow') return typeAsUint64(words);
    if (scan.status === 'invalid') return undefined;
    scans.push(scan);
  }
  const present = scans.filter((scan): scan is IntegerDigits => scan !== null);
  if (present.length === scans.length) return { dtype: 'int64', values: integerValues(present) };
  // pandas reads the ints, then upcasts int64 with missing values to float64.
  return {
    dtype: 'float64',
    values: scans.map(scan => (scan === null ? NaN : (scan.negative ? -1 : 1) * Number(scan.digits)))
  };
}

function typeAsFloat(words: readonly string[]): TypedColumn | undefined {
  const values: number[] = [];
  for (const word of words) {
    const value = PANDAS_NA_STRINGS.has(word) ? NaN : parsePandasFloat(word);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return { dtype: 'float64', values };
}

/** bool; with missing values pandas makes it object holding True/False/NaN. */
function typeAsBool(words: readonly string[]): TypedColumn | undefined {
  const values: (boolean | null)[] = [];
  for (const word of words) {
    const value = PANDAS_NA_STRINGS.has(word) ? null : parsePandasBool(word);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return { dtype: values.includes(null) ? 'object' : 'bool', values };
}

/** Types one column's raw words in pandas' order: int64, float64, bool, object. */
export function typeColumn(words: readonly string[]): TypedColumn {
  if (words.length === 0) return { dtype: 'object', values: [] };
  return typeAsInteger(words) ?? typeAsFloat(words) ?? typeAsBool(words) ?? objectColumn(words, true);
}

/**
 * pandas' header renaming: "" becomes "Unnamed: i"; repeated names get ".1", ".2", ... —
 * named columns first, then the unnamed ones, skipping suffixes already taken.
 */
export function pandasColumnNames(header: readonly string[]): string[] {
  const names = header.map((name, i) => (name === '' ? `Unnamed: ${i}` : name));
  const unnamed = header.flatMap((name, i) => (name === '' ? [i] : []));
  const order = [...header.keys()].filter(i => header[i] !== '').concat(unnamed);
  const counts = new Map<string, number>();
  for (const i of order) {
    const original = names[i];
    let name = original;
    let count = counts.get(name) ?? 0;
    while (count > 0) {
      counts.set(original, count + 1);
      name = `${original}.${count}`;
      count = names.includes(name) ? count + 1 : (counts.get(name) ?? 0);
    }
    names[i] = name;
    counts.set(name, count + 1);
  }
  return names;
}

/** Offset of the first byte that makes UTF-8 invalid (only called once decoding failed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  // "This prefix decodes in streaming mode" only turns false past the first bad byte.
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

/** The bytes at the end that start a character not finished yet (empty if none). */
function unfinishedUtf8Tail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.subarray(bytes.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) count++;
  return count;
}

const LF = 10;

/**
 * trials.csv parsed as it is fed, chunk by chunk, with pandas.read_csv's typing: the bytes are
 * checked for over-long lines and decoded as they come, records go straight into the columns'
 * words, so neither the bytes nor the whole text are held (a file beyond V8's string limit of
 * 2^29 characters reads). `feedBytes` or `feedText` (not both), then `finish`.
 *
 * Differences of the live reading (a writer may be in the middle of a line) from a plain
 * tokenizing:
 * - a last line without its newline is left out, except the header: pandas reads a header
 *   without a newline as the columns of an empty table;
 * - a quoted field open at the end of a text that ends with a newline is an error, as in
 *   pandas ("EOF inside string"): the writer finished that line; without the final newline it
 *   is a line still being written, left out.
 * A NUL character ends its cell, as in pandas 1.5 (whose C tokenizer keeps C strings);
 * pandas 3 keeps it in the cell.
 */
export class TrialsCsvParser {
  private readonly live: boolean;
  private readonly tokenizer: CsvTokenizer;
  private readonly guard: LineLengthGuard;
  // The decoder keeps a BOM (ignoreBOM) so that text and bytes drop exactly one, below.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private header: string[] | undefined;
  private words: string[][] = [];
  private rowCount = 0;
  private textStarted = false;
  private lastChar = -1;
  private sawNul = false;
  private bytesRead = 0;
  /** The last bytes fed, up to 3 (to place a decoding error in a character split by chunks). */
  private recentBytes = new Uint8Array(0);

  constructor(
    private readonly path: string,
    options: ParseTrialsCsvOptions = {},
    /** Only count the rows (checked as when parsing): no words kept, no columns typed. */
    private readonly countOnly = false
  ) {
    this.live = options.ignoreIncompleteLastLine ?? false;
    this.guard = new LineLengthGuard(path, options.maxLineBytes);
    this.tokenizer = new CsvTokenizer(path, record => this.addRecord(record));
  }

  /** The next chunk of the file's UTF-8 bytes: line lengths checked, decoded, tokenized. */
  feedBytes(chunk: Uint8Array): void {
    const linesBefore = this.guard.line;
    this.guard.feed(chunk);
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      const tail = unfinishedUtf8Tail(this.recentBytes);
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail);
      joined.set(chunk, tail.length);
      const at = firstInvalidUtf8(joined);
      const line = linesBefore + countNewlines(joined.subarray(0, at));
      throw new FormatError(this.path, `line ${line}: invalid UTF-8 at byte ${this.bytesRead - tail.length + at}`);
    }
    this.bytesRead += chunk.length;
    const recent = new Uint8Array(Math.min(3, this.recentBytes.length + chunk.length));
    const fromChunk = Math.min(recent.length, chunk.length);
    recent.set(this.recentBytes.subarray(this.recentBytes.length - (recent.length - fromChunk)));
    recent.set(chunk.subarray(chunk.length - fromChunk), recent.length - fromChunk);
    this.recentBytes = recent;
    this.feedText(text);
  }

  /** The next piece of decoded text (its line lengths are the caller's to check). */
  feedText(text: string): void {
    if (text.length === 0) return;
    if (!this.textStarted) {
      this.textStarted = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one BOM, as pandas
      if (text.length === 0) return;
    }
    if (!this.sawNul && text.includes('\0')) this.sawNul = true;
    this.lastChar = text.charCodeAt(text.length - 1);
    this.tokenizer.feed(text);
  }

  /** The table read. Throws FormatError for what is malformed (see {@link parseTrialsCsv}). */
  finish(): ParsedTrialsCsv {
    if (this.bytesRead > 0 && !this.live) {
      try {
        this.decoder.decode();
      } catch {
        throw new FormatError(this.path, `line ${this.guard.line}: invalid UTF-8 at byte ${this.bytesRead}`);
      }
    }
    const endsWithNewline = this.lastChar === LF || this.lastChar === CR;
    if (this.live && !endsWithNewline) {
      // A line still being written; a header alone is read as pandas reads it.
      if (this.header === undefined && !this.tokenizer.insideQuotes) {
        const last = this.tokenizer.finish();
        if (last) this.addRecord(last);
      }
    } else {
      const last = this.tokenizer.finish();
      if (last) this.addRecord(last);
    }
    const header = this.header;
    if (header === undefined) {
      if (this.live) return { columns: [], dtypes: {}, values: {}, rowCount: 0 };
      throw new FormatError(this.path, 'line 1: no header line (empty file)');
    }
    const columns = pandasColumnNames(header);
    const parsed: ParsedTrialsCsv = { columns, dtypes: {}, values: {}, rowCount: this.rowCount };
    if (this.countOnly) return parsed;
    columns.forEach((name, c) => {
      const typed = typeColumn(this.words[c]);
      this.words[c] = []; // the words can go as soon as their column is typed
      setOwn(parsed.dtypes, name, typed.dtype);
      setOwn(parsed.values, name, typed.values);
    });
    return parsed;
  }

  private addRecord(record: CsvRecord): void {
    const fields = this.sawNul ? record.fields.map(cutAtNul) : record.fields;
    if (this.header === undefined) {
      this.header = fields;
      this.words = fields.map(() => []);
      return;
    }
    const width = this.header.length;
    if (fields.length > width) {
      throw new FormatError(this.path, `line ${record.line}: expected ${width} fields, saw ${fields.length}`);
    }
    if (!this.countOnly) for (let c = 0; c < width; c++) this.words[c].push(c < fields.length ? fields[c] : '');
    this.rowCount++;
  }
}

const CR = 13;

function cutAtNul(field: string): string {
  const nul = field.indexOf('\0');
  return nul < 0 ? field : field.slice(0, nul);
}

/**
 * Parses trials.csv text (or UTF-8 bytes; a BOM is dropped) with pandas.read_csv's typing.
 * Throws FormatError(path, "line N: ...") for an unterminated quoted field, a row with more
 * fields than the header (pandas would take extra leading fields as an index or fail), or
 * invalid UTF-8, or a line longer than `maxLineBytes`; an empty text has no columns, as
 * pandas' EmptyDataError says.
 */
export function parseTrialsCsv(
  text: string | Uint8Array,
  path: string,
  options: ParseTrialsCsvOptions = {}
): ParsedTrialsCsv {
  return readTrialsCsv(text, path, options, false);
}

/**
 * Rows of trials.csv as pandas.read_csv counts them (blank lines skipped; `\n`, `\r\n` or `\r`
 * ending a line; newlines inside quotes kept in the cell), by the parser's own record rule
 * without typing the columns: the one row count of the sidebar, the previews, Check Dataset and
 * the kernel. Throws as {@link parseTrialsCsv} does.
 */
export function countTrialsCsvRows(
  text: string | Uint8Array,
  path: string,
  options: ParseTrialsCsvOptions = {}
): number {
  return readTrialsCsv(text, path, options, true).rowCount;
}

function readTrialsCsv(
  text: string | Uint8Array,
  path: string,
  options: ParseTrialsCsvOptions,
  countOnly: boolean
): ParsedTrialsCsv {
  const parser = new TrialsCsvParser(path, options, countOnly);
  if (typeof text === 'string') {
    requireLinesWithin(text, path, options.maxLineBytes);
    parser.feedText(text);
  } else {
    parser.feedBytes(text);
  }
  return parser.finish();
}
