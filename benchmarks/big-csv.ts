/**
 * Prints, for a large trials.csv (default 683 MB: 2.4 M rows with a 210-character text column,
 * as the README's figure; AXOPY_BENCH_CSV_MB sets another size), the time and peak resident
 * memory of the kernel's chunk-fed reader (`readTrialsCsvFile`, what `TaskReader.trials()` uses)
 * and of pandas' `read_csv` on the same file, each in a process of its own, with their ratios.
 * Asserts nothing. Run: npm run build:tests && node build/benchmarks/big-csv.js
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CURRENT_PYTHON, makeTempDir } from '../tests/helpers/python';

const TARGET_MB = Number(process.env.AXOPY_BENCH_CSV_MB ?? 683);
// One row is about 282 bytes: block, trial, three floats, a label and a 210-character note.
const ROWS = Math.round((TARGET_MB * 1e6) / 282);

const WRITE = `
import sys, numpy as np, pandas as pd
rows = int(sys.argv[2])
rng = np.random.default_rng(5)
note = ''.join(rng.choice(list('abcdefghij klmnopqrstuvwxyz,'), 210))
with open(sys.argv[1], 'w', newline='') as out:
    for start in range(0, rows, 500_000):
        n = min(500_000, rows - start)
        pd.DataFrame({'block': np.arange(start, start + n) // 100, 'trial': np.arange(start, start + n) % 100,
                      'force': rng.standard_normal(n), 'rt': rng.uniform(0.1, 1, n), 'score': rng.integers(0, 100, n) / 7,
                      'label': rng.choice(['rest', 'fist', 'open', 'pinch'], n), 'note': note}
                     ).to_csv(out, index=False, header=start == 0)
`;

const PANDAS = `
import sys, time, json, resource, pandas as pd
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({'seconds': seconds, 'rows': len(frame), 'maxRssKb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;

const OURS = `
const { readTrialsCsvFile } = require(process.argv[2]);
const start = process.hrtime.bigint();
const parsed = readTrialsCsvFile(process.argv[1]);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ seconds, rows: parsed.rowCount, maxRssKb: process.resourceUsage().maxRSS }));
`;

interface IRun {
  seconds: number;
  rows: number;
  maxRssKb: number;
}

function main(): void {
  const { dir, cleanup } = makeTempDir('axopy-bench-big-csv-');
  try {
    const file = path.join(dir, 'trials.csv');
    const started = Date.now();
    execFileSync(CURRENT_PYTHON, ['-c', WRITE, file, String(ROWS)]);
    const bytes = fs.statSync(file).size;
    console.log(`wrote ${(bytes / 1e6).toFixed(0)} MB, ${ROWS} rows, with pandas in ${Date.now() - started} ms`);
    const reader = path.join(__dirname, '..', 'src', 'kernel', 'trials-csv-file.js');
    const ours = JSON.parse(
      execFileSync(process.execPath, ['--max-old-space-size=16384', '-e', OURS, file, reader], {
        encoding: 'utf8',
        maxBuffer: 1 << 20
      })
    ) as IRun;
    const pandas = JSON.parse(
      execFileSync(CURRENT_PYTHON, ['-c', PANDAS, file], { encoding: 'utf8', maxBuffer: 1 << 20 })
    ) as IRun;
    const version = execFileSync(CURRENT_PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], {
      encoding: 'utf8'
    }).trim();
    const gb = (kb: number) => `${(kb / 2 ** 20).toFixed(2)} GB`;
    console.log(`rows: ours ${ours.rows}, pandas ${pandas.rows}${ours.rows === pandas.rows ? '' : '  (DIFFER)'}`);
    console.log(
      `readTrialsCsvFile: ${ours.seconds.toFixed(1)} s, peak RSS ${gb(ours.maxRssKb)} (${(ours.maxRssKb / (bytes / 1024)).toFixed(1)}x the file)`
    );
    console.log(
      `pandas ${version} read_csv: ${pandas.seconds.toFixed(1)} s, peak RSS ${gb(pandas.maxRssKb)} (${(pandas.maxRssKb / (bytes / 1024)).toFixed(1)}x the file)`
    );
    console.log(
      `ratio ours / pandas: time ${(ours.seconds / pandas.seconds).toFixed(2)}x, memory ${(ours.maxRssKb / pandas.maxRssKb).toFixed(2)}x`
    );
  } finally {
    cleanup();
  }
}

main();
