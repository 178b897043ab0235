/**
 * Talking to tests/python/csv_pandas.py: trials as tagged JSON, pandas.read_csv results back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonFloatRepr, type ParsedTrialsCsv, type TrialRow } from '../../src/core/index.js';
import { PYTHON } from '../helpers/python';

const SCRIPT = join(__dirname, '..', '..', '..', 'tests', 'python', 'csv_pandas.py');

/** A cell as csv_pandas.py exchanges it. */
export type TaggedCell = { i: string } | { f: string } | { b: boolean } | { s: string } | null;

/** What a JavaScript value stands for in Python (a safe integer is an int, other numbers floats). */
export function tagValue(value: unknown): TaggedCell {
  if (typeof value === 'bigint') return { i: String(value) };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? { i: String(value) } : { f: pythonFloatRepr(value) };
  }
  if (typeof value === 'boolean') return { b: value };
  if (typeof value === 'string') return { s: value };
  return null;
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'axopy-csv-'));
}

export function runPandas(args: string[]): unknown {
  const out = execFileSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out);
}

/** Writes each trial sequence with pandas as AxoPy would; returns whether pandas kept earlier rows. */
export function writeWithPandas(
  sequences: Record<string, TrialRow[]>,
  dir: string
): Record<string, { stable: boolean }> {
  const spec: Record<string, [string, TaggedCell][][]> = {};
  for (const [name, rows] of Object.entries(sequences)) {
    spec[name] = rows.map(row =>
      [...(row instanceof Map ? row.entries() : Object.entries(row))].map(([k, v]) => [k, tagValue(v)])
    );
  }
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  return runPandas(['write', specPath, dir]) as Record<string, { stable: boolean }>;
}

/** pandas.read_csv of a file: columns, dtypes and tagged values, or the error it raised. */
export interface PandasRead {
  columns?: string[];
  dtypes?: string[];
  values?: TaggedCell[][];
  error?: string;
}

export function readWithPandas(paths: string[]): Record<string, PandasRead> {
  return runPandas(['read', ...paths]) as Record<string, PandasRead>;
}

/** Our parse in pandas' terms, for comparing with {@link readWithPandas}. */
export function asPandasRead(parsed: ParsedTrialsCsv): PandasRead {
  return {
    columns: parsed.columns,
    dtypes: parsed.columns.map(name => parsed.dtypes[name]),
    values: parsed.columns.map(name =>
      parsed.values[name].map((value): TaggedCell => {
        if (value === null) return { f: 'nan' }; // pandas' NaN in an object column
        if (typeof value === 'number') {
          return parsed.dtypes[name] === 'float64' ? { f: pythonFloatRepr(value) } : { i: String(value) };
        }
        return tagValue(value);
      })
    )
  };
}
