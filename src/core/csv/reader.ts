/**
 * Reading trials.csv with the column typing of `pandas.read_csv` (pandas 1.5 defaults).
 */
import { FormatError } from '../errors.js';
import type { ColumnDType } from './columnInference.js';
import {
  PANDAS_NA_STRINGS,
  parsePandasBool,
  parsePandasFloat,
  scanInt64,
  scanUint64,
} from './pandasScalars.js';
import { type CsvRecord, tokenizeCsv } from './tokenizer.js';
import { LineLengthGuard, MAX_DECODED_TEXT_BYTES, requireLinesWithin } from './lineGuard.js';

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
  /**
   * The bytes were already checked line by line (the kernel checks them as it reads the
   * file): not scanned again.
   */
  lineLengthChecked?: boolean;
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
  if (scans.every((scan) => scan.digits.length <= 15)) {
    return scans.map((scan) => (scan.negative ? -Number(scan.digits) : Number(scan.digits)));
  }
  const bigints = scans.map((scan) => (scan.negative ? -BigInt(scan.digits) : BigInt(scan.digits)));
  const safe = bigints.every((value) => value <= MAX_SAFE && value >= -MAX_SAFE);
  return safe ? bigints.map(Number) : bigints;
}

/** Sets an own enumerable property, also for a column named "__proto__". */
function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function objectColumn(words: readonly string[], filterNA: boolean): TypedColumn {
  return {
    dtype: 'object',
    values: words.map((word) => (filterNA && PANDAS_NA_STRINGS.has(word) ? null : word)),
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
    values: scans.map((scan) => (scan === null ? NaN : (scan.negative ? -1 : 1) * Number(scan.digits))),
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
  const order = [...header.keys()].filter((i) => header[i] !== '').concat(unnamed);
  const counts = new Map<string, number>();
  for (const i of order) {
    const original = names[i];
    let name = original;
    let count = counts.get(name) ?? 0;
    while (count > 0) {
      counts.set(original, count + 1);
      name = `${original}.${count}`;
      count = names.includes(name) ? count + 1 : counts.get(name) ?? 0;
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

function decodeUtf8(bytes: Uint8Array, path: string, allowCutCharacter: boolean): string {
  if (bytes.length > MAX_DECODED_TEXT_BYTES) {
    throw new FormatError(path, `is ${bytes.length} bytes: longer than the ${MAX_DECODED_TEXT_BYTES} bytes read as one text`);
  }
  try {
    // stream: a character cut at the end by a live writer is left out instead of failing.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: allowCutCharacter });
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).reduce((count, byte) => count + (byte === 10 ? 1 : 0), 1);
    throw new FormatError(path, `line ${line}: invalid UTF-8 at byte ${at}`);
  }
}

/**
 * The records of trials.csv text as pandas 1.5 reads them. Differences of the live reading
 * (a writer may be in the middle of a line) from a plain tokenizing:
 * - a last line without its newline is left out, except the header: pandas reads a header
 *   without a newline as the columns of an empty table;
 * - a quoted field open at the end of a text that ends with a newline is an error, as in
 *   pandas ("EOF inside string"): the writer finished that line; without the final newline it
 *   is a line still being written, left out.
 * A NUL character ends its cell, as in pandas 1.5 (whose C tokenizer keeps C strings);
 * pandas 3 keeps it in the cell.
 */
function tokenizeTrials(source: string, path: string, live: boolean): CsvRecord[] {
  const endsWithNewline = /[\r\n]$/.test(source);
  let records = tokenizeCsv(source, path, { ignoreIncompleteLastLine: live && !endsWithNewline });
  if (live && records.length === 0 && source.trim() !== '') {
    try {
      records = tokenizeCsv(source, path).slice(0, 1);
    } catch {
      records = []; // a header cut inside a quoted name: still being written
    }
  }
  if (source.includes('\0')) {
    for (const record of records) record.fields = record.fields.map(cutAtNul);
  }
  return records;
}

function cutAtNul(field: string): string {
  const nul = field.indexOf('\0');
  return nul < 0 ? field : field.slice(0, nul);
}

/**
 * The header and rows of trials.csv as pandas reads them (undefined: a live text with no
 * header yet). The one place that decides which lines are rows, for parsing and counting.
 */
function trialsRecords(
  text: string | Uint8Array,
  path: string,
  options: ParseTrialsCsvOptions,
): { header: CsvRecord; rows: CsvRecord[] } | undefined {
  const live = options.ignoreIncompleteLastLine ?? false;
  if (!options.lineLengthChecked) {
    if (typeof text === 'string') requireLinesWithin(text, path, options.maxLineBytes);
    else new LineLengthGuard(path, options.maxLineBytes).feed(text);
  }
  // The decoder keeps a BOM (ignoreBOM) so that text and bytes drop exactly one, below.
  let source = typeof text === 'string' ? text : decodeUtf8(text, path, live);
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1); // one BOM, as pandas
  const records = tokenizeTrials(source, path, live);
  if (records.length === 0) {
    if (live) return undefined;
    throw new FormatError(path, 'line 1: no header line (empty file)');
  }
  const [header, ...rows] = records;
  const width = header.fields.length;
  for (const row of rows) {
    if (row.fields.length > width) {
      throw new FormatError(path, `line ${row.line}: expected ${width} fields, saw ${row.fields.length}`);
    }
  }
  return { header, rows };
}

/**
 * Rows of trials.csv as pandas.read_csv counts them (blank lines skipped; `\n`, `\r\n` or `\r`
 * ending a line; newlines inside quotes kept in the cell), without typing the columns: the
 * one row count of the sidebar, the previews, Check Dataset and the kernel. Throws as
 * {@link parseTrialsCsv} does.
 */
export function countTrialsCsvRows(
  text: string | Uint8Array,
  path: string,
  options: ParseTrialsCsvOptions = {},
): number {
  return trialsRecords(text, path, options)?.rows.length ?? 0;
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
  options: ParseTrialsCsvOptions = {},
): ParsedTrialsCsv {
  const records = trialsRecords(text, path, options);
  if (records === undefined) return { columns: [], dtypes: {}, values: {}, rowCount: 0 };
  const { header, rows } = records;
  const width = header.fields.length;
  const words: string[][] = header.fields.map(() => new Array<string>(rows.length));
  rows.forEach((row, r) => {
    for (let c = 0; c < width; c++) words[c][r] = c < row.fields.length ? row.fields[c] : '';
  });
  const columns = pandasColumnNames(header.fields);
  const parsed: ParsedTrialsCsv = { columns, dtypes: {}, values: {}, rowCount: rows.length };
  columns.forEach((name, c) => {
    const typed = typeColumn(words[c]);
    setOwn(parsed.dtypes, name, typed.dtype);
    setOwn(parsed.values, name, typed.values);
  });
  return parsed;
}
