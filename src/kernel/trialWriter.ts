/**
 * Python AxoPy's `TrialWriter`, made append-only: one row is appended per trial instead of
 * rewriting the whole CSV (AxoPy rebuilds a DataFrame and rewrites the file on every trial,
 * O(n^2) and able to lose every earlier trial on a crash).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { CellValue, ColumnDType, TrialsCsvFormatter, widenTrialsCsv } from '../core/csv/index.js';
import { writeFileAtomic } from './files.js';

export interface TrialWriterOptions {
  /**
   * Column dtypes to use instead of inferring them, e.g. `{ score: 'float64' }` so that a
   * score of 2 is written as Python writes the float 2.0 (`2.0`): JavaScript numbers do not
   * say whether they are ints or floats.
   */
  columnDTypes?: Record<string, ColumnDType>;
}

/** Writes trial attributes to trials.csv one row at a time. */
export class TrialWriter {
  /** Path of the CSV file. */
  readonly filepath: string;
  /** Every value written so far, by column (AxoPy's `TrialWriter.data`). */
  readonly data: Record<string, CellValue[]> = {};
  private readonly formatter: TrialsCsvFormatter;
  private rows = 0;

  constructor(filepath: string, options: TrialWriterOptions = {}) {
    this.filepath = filepath;
    this.formatter = new TrialsCsvFormatter({ declaredDTypes: options.columnDTypes });
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
   * Adds one row. The first row creates the file (header + row, written atomically); later rows
   * are appended. A row with columns not seen before rewrites the file once with the wider
   * header (temp file + rename), earlier rows getting empty cells; AxoPy raises there instead.
   */
  write(row: Record<string, CellValue>): void {
    const added = this.formatter.addColumns(row);
    const line = this.formatter.formatRow(row);
    if (this.rows === 0) {
      writeFileAtomic(this.filepath, this.formatter.header() + line);
    } else if (added.length > 0) {
      const widened = widenTrialsCsv(readFileSync(this.filepath, 'utf8'), this.formatter.columns, this.filepath);
      writeFileAtomic(this.filepath, widened + line);
    } else {
      appendFileSync(this.filepath, line, 'utf8');
    }
    this.record(row);
  }

  private record(row: Record<string, CellValue>): void {
    for (const column of this.formatter.columns) {
      if (!(column in this.data)) this.data[column] = new Array<CellValue>(this.rows).fill(null);
      this.data[column].push(Object.prototype.hasOwnProperty.call(row, column) ? row[column] : null);
    }
    this.rows += 1;
  }
}
