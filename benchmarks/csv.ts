/**
 * Prints rows/s for formatting (appending, and whole file) and parsing a 10 000-row trials.csv.
 * Run: npx tsc -p tsconfig.test.json && node build/benchmarks/csv.js
 */
import { TrialsCsvFormatter, formatTrialsCsv, parseTrialsCsv, trialsTable, type TrialRow } from '../src/core/index.js';

const ROWS = 10_000;
const rows: TrialRow[] = Array.from({ length: ROWS }, (_, i) => ({
  target: i % 5,
  force: Math.sin(i) * 100,
  label: i % 7 === 0 ? 'rest, then "go"' : `cue ${i % 3}`,
  correct: i % 2 === 0,
  rt: i % 50 === 0 ? null : 0.2 + (i % 13) / 100,
  block: Math.floor(i / 100),
  trial: i % 100
}));

function rate(label: string, run: () => unknown): void {
  run(); // warm-up
  const repeats = 5;
  const start = process.hrtime.bigint();
  for (let r = 0; r < repeats; r++) run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9 / repeats;
  console.log(
    `${label.padEnd(34)} ${Math.round(ROWS / seconds)
      .toLocaleString('en-US')
      .padStart(12)} rows/s`
  );
}

rate('format, appending one row at a time', () => {
  const formatter = new TrialsCsvFormatter();
  let size = 0;
  for (const row of rows) {
    formatter.addColumns(row);
    size += formatter.formatRow(row).length;
  }
  return size;
});
rate('format, whole file', () => formatTrialsCsv(rows));
const text = formatTrialsCsv(rows);
const bytes = new TextEncoder().encode(text);
rate('parse text', () => parseTrialsCsv(text, 'bench.csv'));
rate('parse UTF-8 bytes + arquero table', () => trialsTable(parseTrialsCsv(bytes, 'bench.csv')));
console.log(`(${ROWS} rows, ${text.length} characters)`);
