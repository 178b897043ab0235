/**
 * Writing trials.csv as Python AxoPy does (`pandas.DataFrame(columns).to_csv(index=False)`),
 * both as a whole file and one appended row per trial.
 */
import { FormatError, ValueFormatError } from '../errors.js';
import {
  type CellValue,
  type ColumnDType,
  ColumnDTypeInference,
  checkDeclaredValue,
  formatCell,
  joinRecord,
  quoteField,
  toPythonValue
} from './column-inference.js';
import { tokenizeCsv } from './tokenizer.js';

/** One trial's attributes; a Map keeps insertion order even for integer-like names. */
export type TrialRow = Readonly<Record<string, CellValue>> | ReadonlyMap<string, CellValue>;

/** Options shared by the formatters. */
export interface TrialsCsvOptions {
  /**
   * Fixes the dtype of some columns instead of inferring it, e.g. `float64` so that the
   * number 2 is written "2.0" as Python writes the float 2.0. A value the dtype cannot hold
   * throws ValueFormatError.
   */
  declaredDTypes?: Readonly<Record<string, ColumnDType>>;
}

function rowKeys(row: TrialRow): Iterable<string> {
  return row instanceof Map ? row.keys() : Object.keys(row);
}

function rowValue(row: TrialRow, column: string): CellValue {
  if (row instanceof Map) return row.get(column);
  return Object.prototype.hasOwnProperty.call(row, column) ? (row as Record<string, CellValue>)[column] : undefined;
}

/** One column's dtype so far: inferred as pandas does, or fixed by a declaration. */
class ColumnState {
  private readonly inference = new ColumnDTypeInference();

  constructor(
    readonly name: string,
    private readonly declared: ColumnDType | undefined
  ) {}

  /** Records the value as written and returns its text under the dtype seen so far. */
  format(value: CellValue): string {
    const python = toPythonValue(value, this.declared === 'float64');
    if (this.declared !== undefined) {
      checkDeclaredValue(this.name, this.declared, python);
      return formatCell(python, this.declared);
    }
    this.inference.observe(python);
    return formatCell(python, this.inference.dtype);
  }

  /** Records a value without formatting it (whole-file formatting looks at all rows first). */
  observe(value: CellValue): void {
    const python = toPythonValue(value, this.declared === 'float64');
    if (this.declared !== undefined) checkDeclaredValue(this.name, this.declared, python);
    else this.inference.observe(python);
  }

  /** Records that earlier rows lack this column (None in pandas' union-of-columns frame). */
  observeMissingEarlierRows(): void {
    if (this.declared === undefined) this.inference.observe(toPythonValue(undefined));
  }

  get dtype(): ColumnDType {
    return this.declared ?? this.inference.dtype;
  }
}

/**
 * Formats trials.csv one row at a time for a writer that appends and never rewrites rows.
 * Each cell is written with the column dtype pandas would infer from the rows so far, so
 * the file is byte-identical to AxoPy's as long as no later row changes a column's dtype;
 * when one does (an int column later gets a float or a missing value), pandas rewrites the
 * earlier cells ("1" becomes "1.0") while this file keeps them, and pandas.read_csv reads
 * both files to equal values.
 */
export class TrialsCsvFormatter {
  private readonly states: ColumnState[] = [];
  private readonly known = new Set<string>();
  private readonly declaredDTypes: Readonly<Record<string, ColumnDType>>;
  private rowsFormatted = 0;

  constructor(options: TrialsCsvOptions = {}) {
    this.declaredDTypes = options.declaredDTypes ?? {};
  }

  /** Column names in first-seen order. */
  get columns(): readonly string[] {
    return this.states.map(state => state.name);
  }

  /**
   * Adds the row's unseen columns, in the row's key order; returns those added. Rows already
   * formatted count as missing values in the new columns (widenTrialsCsv writes them empty).
   */
  addColumns(row: TrialRow): string[] {
    const added: string[] = [];
    for (const key of rowKeys(row)) {
      if (this.known.has(key)) continue;
      this.known.add(key);
      const declared = Object.prototype.hasOwnProperty.call(this.declaredDTypes, key)
        ? this.declaredDTypes[key]
        : undefined;
      const state = new ColumnState(key, declared);
      if (this.rowsFormatted > 0) state.observeMissingEarlierRows();
      this.states.push(state);
      added.push(key);
    }
    return added;
  }

  /** The header line, quoted as pandas quotes it, with its "\n". */
  header(): string {
    return joinRecord(this.columns);
  }

  /**
   * Formats one row (with its "\n"); cells of columns the row lacks are empty. Call once per
   * row actually written, in order: the row becomes part of the dtype history. Throws
   * ValueFormatError for a key that addColumns has not added.
   */
  formatRow(row: TrialRow): string {
    for (const key of rowKeys(row)) {
      if (!this.known.has(key)) {
        throw new ValueFormatError(`trial has column "${key}" not yet in trials.csv; call addColumns first`);
      }
    }
    const line = joinRecord(this.states.map(state => state.format(rowValue(row, state.name))));
    this.rowsFormatted++;
    return line;
  }
}

/**
 * The whole trials.csv as pandas writes it for these rows: columns in first-seen order,
 * each typed over all its values (an int column holding a missing value becomes float64 and
 * every cell is written "1.0"). A row lacking a column counts as None there, like the
 * union-of-columns DataFrame (AxoPy itself raises when trials have different columns).
 */
export function formatTrialsCsv(rows: readonly TrialRow[], options: TrialsCsvOptions = {}): string {
  const declared = options.declaredDTypes ?? {};
  const states = new Map<string, ColumnState>();
  for (const row of rows) {
    for (const key of rowKeys(row)) {
      if (!states.has(key)) {
        states.set(
          key,
          new ColumnState(key, Object.prototype.hasOwnProperty.call(declared, key) ? declared[key] : undefined)
        );
      }
    }
  }
  const columns = [...states.values()];
  for (const row of rows) for (const state of columns) state.observe(rowValue(row, state.name));
  const lines = [joinRecord(columns.map(state => state.name))];
  for (const row of rows) {
    lines.push(
      joinRecord(
        columns.map(state =>
          formatCell(toPythonValue(rowValue(row, state.name), state.dtype === 'float64'), state.dtype)
        )
      )
    );
  }
  return lines.join('');
}

/**
 * Adds trailing columns to an existing trials.csv: the header gains the names and every data
 * row gains as many empty fields, which pandas reads as missing values. `columns` is either
 * just the new columns or the whole new column list (recognised by starting with the current
 * header; names are unique). The caller writes the result to a temporary file and renames it
 * over the old one. Throws FormatError when the text is not a complete CSV file (unterminated
 * quote, last line without "\n") or `columns` drops or reorders current columns.
 */
export function widenTrialsCsv(text: string, columns: readonly string[], path: string): string {
  const records = tokenizeCsv(text, path);
  if (records.length === 0) return columns.length === 0 ? text : joinRecord(columns);
  const current = records[0].fields;
  const isWholeList = columns.length >= current.length && current.every((name, i) => columns[i] === name);
  const added = isWholeList ? columns.slice(current.length) : columns;
  const clash = added.find(name => current.includes(name));
  if (clash !== undefined) {
    throw new FormatError(path, `line 1: column "${clash}" is already in the header, or columns were reordered`);
  }
  if (added.length === 0) return text;
  const last = records[records.length - 1];
  if (!last.terminated) throw new FormatError(path, `line ${last.line}: incomplete last line (no "\\n")`);
  const addedHeader = `,${added.map(quoteField).join(',')}`;
  const emptyFields = ','.repeat(added.length);
  const parts: string[] = [];
  let copied = 0;
  records.forEach((record, index) => {
    parts.push(text.slice(copied, record.end), index === 0 ? addedHeader : emptyFields);
    copied = record.end;
  });
  parts.push(text.slice(copied));
  return parts.join('');
}
