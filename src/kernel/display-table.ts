/**
 * A table as HTML for notebooks: the first and last rows, each column's dtype and the size,
 * the way pandas shows a DataFrame, so a trials table reads as it does in Python AxoPy.
 */

/**
 * What {@link tableHtml} needs of a table: an arquero `ColumnTable` fits (rows are counted
 * after its filters and order, as arquero's own `get` does).
 */
export interface TableLike {
  numRows(): number;
  columnNames(): string[];
  get(column: string, row: number): unknown;
}

/** How many rows {@link tableHtml} shows from each end. */
export interface TableHtmlOptions {
  /** Rows shown from the start (default 5). */
  head?: number;
  /** Rows shown from the end (default 5). */
  tail?: number;
  /**
   * dtype shown for each column (column -> name). Default: the dtypes the table was tagged
   * with ({@link withColumnDTypes}; `reader.trials` carries those `read_csv` inferred), else
   * inferred from the values.
   */
  dtypes?: Readonly<Record<string, string>>;
}

/**
 * dtypes known for a table: JavaScript numbers cannot tell a float64 `1.0` from an int64 `1`,
 * so a table read from trials.csv keeps the dtypes the parser inferred from the text.
 */
const COLUMN_DTYPES = new WeakMap<object, Readonly<Record<string, string>>>();

/** Tags `table` with its columns' dtypes (column -> numpy dtype name) and returns it. */
export function withColumnDTypes<T extends object>(table: T, dtypes: Readonly<Record<string, string>>): T {
  COLUMN_DTYPES.set(table, { ...dtypes });
  return table;
}

/** The dtypes a table was tagged with by {@link withColumnDTypes}, if any. */
export function columnDTypesOf(table: object): Readonly<Record<string, string>> | undefined {
  return COLUMN_DTYPES.get(table);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => HTML_ESCAPES[char]);
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/**
 * The pandas dtype a column of these values would have: `int64`, `float64` (numbers with a
 * fraction or a missing value, as pandas turns an int column with NaN into float64), `bool`,
 * `datetime64[ns]`, or `object` (text, mixed kinds, or nothing but missing values).
 */
export function columnDtype(values: readonly unknown[]): string {
  const present = values.filter(value => !isMissing(value));
  const hasMissing = present.length < values.length;
  if (present.length === 0) {
    return hasMissing ? 'float64' : 'object';
  }
  if (present.every(value => typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) {
    return hasMissing ? 'float64' : 'int64';
  }
  if (present.every(value => typeof value === 'number' || typeof value === 'bigint')) {
    return 'float64';
  }
  if (present.every(value => typeof value === 'boolean')) {
    return hasMissing ? 'object' : 'bool';
  }
  if (present.every(value => value instanceof Date)) {
    return 'datetime64[ns]';
  }
  return 'object';
}

/**
 * A cell as text: missing values, floats (6 significant digits) and booleans as pandas shows
 * them.
 */
export function formatCell(value: unknown): string {
  if (isMissing(value)) {
    return 'NaN';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    // pandas displays 6 significant digits; integers stay exact.
    return String(Number.isInteger(value) ? value : Number(value.toPrecision(6)));
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? String(inner) : inner));
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** Row indices shown: all when they fit in head + tail, else the head, a gap (-1) and the tail. */
export function shownRows(rowCount: number, head: number, tail: number): number[] {
  const all = Array.from({ length: rowCount }, (_, row) => row);
  if (rowCount <= head + tail) {
    return all;
  }
  return [...all.slice(0, head), -1, ...all.slice(rowCount - tail)];
}

function checkedCount(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`tableHtml: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/**
 * The table as an HTML fragment: a header with each column's name and dtype (inferred from
 * every row), the first `head` and last `tail` rows with their 0-based row index, an ellipsis
 * row between them when rows are left out, and the size (`N rows × M columns`). All text is
 * escaped.
 */
export function tableHtml(table: TableLike, options: TableHtmlOptions = {}): string {
  const head = checkedCount(options.head ?? 5, 'head');
  const tail = checkedCount(options.tail ?? 5, 'tail');
  const columns = table.columnNames();
  const rowCount = table.numRows();
  const known = options.dtypes ?? columnDTypesOf(table) ?? {};
  const dtypes = columns.map(column =>
    Object.prototype.hasOwnProperty.call(known, column)
      ? known[column]
      : columnDtype(Array.from({ length: rowCount }, (_, row) => table.get(column, row)))
  );
  const headerCells = columns.map((column, i) => `<th>${escapeHtml(column)}<br><small>${dtypes[i]}</small></th>`);
  const bodyRows = shownRows(rowCount, head, tail).map(row =>
    row < 0
      ? `<tr><th>…</th>${columns.map(() => '<td>…</td>').join('')}</tr>`
      : `<tr><th>${row}</th>${columns.map(column => `<td>${escapeHtml(formatCell(table.get(column, row)))}</td>`).join('')}</tr>`
  );
  const size = `${rowCount} row${rowCount === 1 ? '' : 's'} × ${columns.length} column${columns.length === 1 ? '' : 's'}`;
  return [
    '<div class="axopy-table">',
    '<table class="dataframe">',
    `<thead><tr><th></th>${headerCells.join('')}</tr></thead>`,
    `<tbody>${bodyRows.join('')}</tbody>`,
    '</table>',
    `<p>${size}</p>`,
    '</div>'
  ].join('\n');
}
