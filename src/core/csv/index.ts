/** The pandas-compatible trials.csv codec. */
export { pythonFloatRepr } from './float-repr.js';
export type { CellValue, ColumnDType } from './column-inference.js';
export { TrialsCsvFormatter, formatTrialsCsv, widenTrialsCsv } from './writer.js';
export type { TrialRow, TrialsCsvOptions } from './writer.js';
export { TrialsCsvParser, countTrialsCsvRows, parseTrialsCsv } from './reader.js';
export type { ParsedCell, ParsedTrialsCsv, ParseTrialsCsvOptions } from './reader.js';
export { trialsTable } from './table.js';
export type { ColumnTable } from './table.js';
