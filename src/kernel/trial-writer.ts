/**
 * Python AxoPy's `TrialWriter`, made append-only: one row is appended per trial instead of
 * rewriting the whole CSV (AxoPy rebuilds a DataFrame and rewrites the file on every trial,
 * O(n^2) and able to lose every earlier trial on a crash). Each append is all or nothing: a
 * failed write (a full disk) is cut back to the last complete row, so pandas reads every
 * committed row and the next row does not get glued onto a partial one.
 */
import * as fs from 'node:fs';
import { CellValue, ColumnDType, TrialRow, TrialsCsvFormatter, widenTrialsCsv } from '../core/csv/index.js';
import { completeRecordsLength } from '../core/csv/row-count.js';
import { trialAttrEntries } from '../core/design.js';
import { fsyncFolder, typedFsError, writeFileAtomic } from './files.js';
import { crashPoint } from './hdf5-journal.js';

export interface TrialWriterOptions {
  /**
   * Column dtypes to use instead of inferring them, e.g. `{ score: 'float64' }` so that a
   * score of 2 is written as Python writes the float 2.0 (`2.0`): JavaScript numbers do not
   * say whether they are ints or floats.
   */
  columnDTypes?: Record<string, ColumnDType>;
  /**
   * 'flush' (default): a trial survives the process being killed. 'fsync': it also survives a
   * machine crash (the .hdf5 is fsynced before the row, trials.csv after it), at a cost
   * printed by `npm run bench:storage`.
   */
  durability?: 'flush' | 'fsync';
}

const APPEND_NO_FOLLOW = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW;

/** Writes trial attributes to trials.csv one row at a time. */
export class TrialWriter {
  /** Path of the CSV file. */
  readonly filepath: string;
  /** Every value written so far, by column (AxoPy's `TrialWriter.data`). */
  readonly data: Record<string, CellValue[]> = {};
  private formatter: TrialsCsvFormatter;
  private rows = 0;
  private readonly durable: boolean;
  private appendFd: number | undefined;

  constructor(filepath: string, options: TrialWriterOptions = {}) {
    this.filepath = filepath;
    this.formatter = new TrialsCsvFormatter({ declaredDTypes: options.columnDTypes });
    this.durable = options.durability === 'fsync';
  }

  /** Number of rows written: the row index of the next trial. */
  get rowCount(): number {
    return this.rows;
  }

  /** Column names in first-seen order. */
  get columns(): readonly string[] {
    return this.formatter.columns;
  }

  /**
   * Adds one row (a plain object, or a Map whose order is the column order). The first row
   * creates the file (header + row, written atomically); later rows are appended. A row with
   * columns not seen before rewrites the file once with the wider header (temp file + rename),
   * earlier rows getting empty cells; AxoPy raises there instead. A value with no cell (an
   * array, an object, a Date) is refused with ValueFormatError; a failed write leaves the file
   * as it was (DiskFullError/PermissionError naming it) and this writer ready for the next row.
   */
  write(row: TrialRow): void {
    trialAttrEntries(row as Record<string, CellValue>, `${this.filepath} row ${this.rows}`);
    const before = cloneState(this.formatter);
    try {
      const added = this.formatter.addColumns(row);
      const line = this.formatter.formatRow(row);
      if (this.rows === 0 || added.length > 0) this.close(); // the file is replaced
      if (this.rows === 0) {
        writeFileAtomic(this.filepath, this.formatter.header() + line);
        if (this.durable) fsyncFolder(this.filepath);
      } else if (added.length > 0) {
        const widened = widenTrialsCsv(fs.readFileSync(this.filepath, 'utf8'), this.formatter.columns, this.filepath);
        writeFileAtomic(this.filepath, widened + line);
        if (this.durable) fsyncFolder(this.filepath);
      } else {
        this.append(line);
      }
    } catch (error) {
      this.formatter = before; // the row was not written: nor is it part of the dtype history
      throw typedFsError(error, this.filepath);
    }
    this.record(row);
  }

  /** Closes the file kept open for appends (the next row reopens it). */
  close(): void {
    if (this.appendFd !== undefined) fs.closeSync(this.appendFd);
    this.appendFd = undefined;
  }

  /**
   * Appends one line, all or nothing. The file stays open between rows (an open per row cost a
   * fifth of a small trial's write); a whole-file write replaces the file, so it closes it.
   */
  private append(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    this.appendFd ??= fs.openSync(this.filepath, APPEND_NO_FOLLOW);
    const fd = this.appendFd;
    let size: number | undefined;
    try {
      size = fs.fstatSync(fd).size;
      crashPoint('csv-append');
      const half = Math.floor(bytes.length / 2);
      let done = fs.writeSync(fd, bytes, 0, process.env.AXOPY_DIE_AT ? half : bytes.length);
      crashPoint('csv-half-row');
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      if (this.durable) fs.fsyncSync(fd);
      size = undefined;
    } finally {
      if (size !== undefined) {
        try {
          fs.ftruncateSync(fd, size); // cut back to the last complete row
        } catch {
          // the next open cuts it back (repairTrialsCsv)
        }
      }
    }
  }

  private record(row: TrialRow): void {
    const get = (column: string): CellValue =>
      row instanceof Map
        ? (row.get(column) ?? null)
        : Object.prototype.hasOwnProperty.call(row, column)
          ? (row as Record<string, CellValue>)[column]
          : null;
    for (const column of this.formatter.columns) {
      if (!(column in this.data)) this.data[column] = new Array<CellValue>(this.rows).fill(null);
      this.data[column].push(get(column));
    }
    this.rows += 1;
  }
}

/**
 * Cuts a trials.csv back to its last complete row (a partial row a crash left mid-append, even
 * one whose quoted cell holds a line break); returns the bytes removed. A complete file ends
 * with its last row's "\n".
 */
export function repairTrialsCsv(path: string): number {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  } catch {
    return 0;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return 0;
    const bytes = Buffer.alloc(size);
    const count = fs.readSync(fd, bytes, 0, size, 0);
    const keep = completeRecordsLength(bytes.subarray(0, count));
    // No complete record at all: an atomic first write never leaves this; leave it.
    if (keep === 0 || keep >= size) return 0;
    fs.ftruncateSync(fd, keep);
    return size - keep;
  } finally {
    fs.closeSync(fd);
  }
}

/** True when a trials.csv does not end with a complete row (a crash mid-append, or a writer mid-append). */
export function trialsCsvIsTorn(path: string): boolean {
  let bytes: Buffer;
  try {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      bytes = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  return bytes.length > 0 && completeRecordsLength(bytes) < bytes.length;
}

/** A deep copy of plain class instances (the formatter's column states), prototypes kept. */
function cloneState<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneState) as T;
  if (value instanceof Set) return new Set([...value].map(cloneState)) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, cloneState(v)])) as T;
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = cloneState((value as Record<string, unknown>)[key]);
  return copy as T;
}
