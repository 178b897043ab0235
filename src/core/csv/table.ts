/**
 * trials.csv as an arquero table, typed as pandas types it.
 */
// arquero is an ES module; this CommonJS build require()s it, which Node >= 20.19 allows and
// TypeScript >= 5.8 accepts. The ts-ignores only silence TS1479 from an older tsc (tslab's
// TypeScript 5.0, which node_modules/.bin/tsc may resolve to); types still come through.
// @ts-ignore TS1479
import { table, type ColumnTable } from 'arquero';
import type { ParsedTrialsCsv } from './reader.js';

// @ts-ignore TS1479
export type { ColumnTable } from 'arquero';

/**
 * The parsed columns as an arquero table, in file order: int64/uint64 as numbers (bigints
 * for a column with a value beyond 2**53), float64 as numbers with NaN for missing, bool as
 * booleans, object as strings with null for missing (a bool column with missing values is
 * object in pandas too and keeps its booleans).
 */
export function trialsTable(parsed: ParsedTrialsCsv): ColumnTable {
  const columns = new Map(parsed.columns.map(name => [name, parsed.values[name]] as const));
  return table(columns, parsed.columns);
}
