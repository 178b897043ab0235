/**
 * Prints what writing AxoPy array files costs: a TaskWriter-like loop appending one dataset per
 * trial to each of two `<array>.hdf5` files (float64 8 x 2000, 128 kB each), flushing after
 * every trial with the files kept open, against AxoPy's way (open, append, close per trial),
 * then reading everything back with one open file.
 * Usage: npx tsc -p tsconfig.test.json && node build/benchmarks/hdf5.js [TRIALS]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Hdf5File } from '../src/kernel/hdf5.js';
import type { NDArray } from '../src/core/ndarray.js';

const TRIALS = Number(process.argv[2] ?? 2000);
const REOPEN_TRIALS = Math.min(TRIALS, 500);
const ARRAYS = ['emg', 'kinematics'];

function trialArray(trial: number): NDArray {
  const data = new Float64Array(8 * 2000);
  data.fill(trial);
  return { dtype: 'float64', shape: [8, 2000], data };
}

function files(folder: string): string[] {
  return ARRAYS.map(name => path.join(folder, `${name}.hdf5`));
}

async function keepOpen(folder: string, trials: number): Promise<number[]> {
  const open = await Promise.all(files(folder).map(file => Hdf5File.open(file, 'a')));
  const blockMs: number[] = [];
  let blockStart = performance.now();
  for (let trial = 0; trial < trials; trial++) {
    for (const file of open) {
      file.create(String(trial), trialArray(trial));
      file.flush();
    }
    if ((trial + 1) % 250 === 0) {
      blockMs.push(performance.now() - blockStart);
      blockStart = performance.now();
    }
  }
  open.forEach(file => file.close());
  return blockMs;
}

async function reopenPerTrial(folder: string, trials: number): Promise<void> {
  for (let trial = 0; trial < trials; trial++) {
    for (const name of files(folder)) {
      const file = await Hdf5File.open(name, 'a');
      file.create(String(trial), trialArray(trial));
      file.close();
    }
  }
}

async function readAll(folder: string, trials: number): Promise<void> {
  for (const name of files(folder)) {
    const file = await Hdf5File.open(name, 'r');
    for (let trial = 0; trial < trials; trial++) {
      file.read(String(trial));
    }
    file.close();
  }
}

async function timed(label: string, trials: number, action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  const ms = performance.now() - start;
  const megabytes = (trials * ARRAYS.length * 8 * 2000 * 8) / 1e6;
  console.log(
    `${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(ms / trials).toFixed(3).padStart(7)} ms/trial  ${(megabytes / (ms / 1000)).toFixed(0).padStart(5)} MB/s`
  );
  return ms;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-bench-'));
  const folders = ['open', 'reopen'].map(
    name => fs.mkdirSync(path.join(tmp, name), { recursive: true }) ?? path.join(tmp, name)
  );
  await Hdf5File.open(path.join(tmp, 'warm.hdf5'), 'w').then(file => file.close());
  console.log(`${TRIALS} trials x ${ARRAYS.length} arrays of float64 8x2000 (128 kB each)`);
  let blocks: number[] = [];
  await timed('keep open, flush after each trial', TRIALS, async () => (blocks = await keepOpen(folders[0], TRIALS)));
  console.log(`  per 250-trial block (flat = no growth): ${blocks.map(ms => ms.toFixed(0)).join(', ')} ms`);
  await timed(`reopen per trial, like AxoPy (${REOPEN_TRIALS} trials)`, REOPEN_TRIALS, () =>
    reopenPerTrial(folders[1], REOPEN_TRIALS)
  );
  await timed('read every dataset, one open file each', TRIALS, () => readAll(folders[0], TRIALS));
  fs.rmSync(tmp, { recursive: true, force: true });
}

void main();
