/**
 * The trials table as the preview shows it: trials.csv typed by the core's parseTrialsCsv, with
 * a sort order and a text filter applied as a mapping from view rows to trial rows. Pure, so the
 * grid only asks "what is in view row r" and the trial (row index in trials.csv) stays the
 * identity of a selection across sorting, filtering and reloads.
 */
import type { ParsedCell, ParsedTrialsCsv } from '../../core/csv/index.js';
import { pythonFloatRepr } from '../../core/csv/index.js';
import { compareCodePoints } from '../../core/layout.js';
import { evaluateFilter, parseFilterQuery, type FilterQuery } from '../../core/filter-expression.js';

/** A sort of the table: by a column, ascending or descending. */
export interface ITrialsSort {
  readonly column: string;
  readonly descending: boolean;
}

/** Text of a cell as pandas would print it (floats in Python repr, bools as True/False). */
export function cellText(value: ParsedCell, dtype: string): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    if (dtype === 'float64') {
      return Number.isNaN(value) ? 'NaN' : pythonFloatRepr(value);
    }
    return String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return String(value);
}

/** Missing values (null, NaN) sort last in both directions, as pandas' sort_values does. */
function isMissing(value: ParsedCell): boolean {
  return value === null || (typeof value === 'number' && Number.isNaN(value));
}

function compareCells(a: ParsedCell, b: ParsedCell): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    return Number(a) - Number(b);
  }
  return compareCodePoints(String(a), String(b));
}

/** trials.csv with a sort and a filter. */
export class TrialsView {
  constructor(readonly parsed: ParsedTrialsCsv) {
    this._rows = [...Array(parsed.rowCount).keys()];
  }

  /** Column names in file order. */
  get columns(): readonly string[] {
    return this.parsed.columns;
  }

  /** Trial rows (row indices of trials.csv) in view order. */
  get rows(): readonly number[] {
    return this._rows;
  }

  get sort(): ITrialsSort | undefined {
    return this._sort;
  }

  get filter(): string {
    return this._filter;
  }

  /** How the filter was read: 'text', 'expression', or why it is not a valid expression. */
  get filterQuery(): FilterQuery {
    return this._query;
  }

  /** Text of the cell of trial `row` in `column`. */
  text(row: number, column: string): string {
    return cellText(this.parsed.values[column][row], this.parsed.dtypes[column]);
  }

  /** The view row showing trial `row`, or -1 when filtered out. */
  viewRowOf(row: number): number {
    return this._rows.indexOf(row);
  }

  /** Sorts by a column (stable: equal cells keep trial order); undefined restores file order. */
  setSort(sort: ITrialsSort | undefined): void {
    this._sort = sort;
    this._apply();
  }

  /**
   * Keeps the trials matching `text`: a column expression ("target_force > 0.5 and ok ==
   * True", see core/filterExpression) or else a text found in any cell (case-insensitive);
   * '' keeps all. An expression that does not parse keeps all and says why ({@link filterProblem}).
   */
  setFilter(text: string): void {
    this._filter = text;
    this._apply();
  }

  /** A new view of newer contents of the file, with the same sort and filter. */
  withContents(parsed: ParsedTrialsCsv): TrialsView {
    const next = new TrialsView(parsed);
    next._sort = this._sort && parsed.columns.includes(this._sort.column) ? this._sort : undefined;
    next._filter = this._filter;
    next._apply();
    return next;
  }

  private _apply(): void {
    let rows = [...Array(this.parsed.rowCount).keys()];
    const query = (this._query = parseFilterQuery(this._filter, this.parsed.columns));
    if (query.kind === 'text') {
      rows = rows.filter(row =>
        this.parsed.columns.some(column => this.text(row, column).toLowerCase().includes(query.needle))
      );
    } else if (query.kind === 'expression') {
      const values = this.parsed.values;
      rows = rows.filter(row => evaluateFilter(query.expression, column => values[column][row]));
    }
    const sort = this._sort;
    if (sort !== undefined) {
      const values = this.parsed.values[sort.column];
      const sign = sort.descending ? -1 : 1;
      rows.sort((a, b) => {
        const missingA = isMissing(values[a]);
        const missingB = isMissing(values[b]);
        if (missingA || missingB) {
          return missingA === missingB ? a - b : missingA ? 1 : -1;
        }
        return sign * compareCells(values[a], values[b]) || a - b;
      });
    }
    this._rows = rows;
  }

  private _rows: number[];
  private _sort: ITrialsSort | undefined;
  private _filter = '';
  private _query: FilterQuery = { kind: 'all' };
}
