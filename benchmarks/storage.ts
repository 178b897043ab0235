/**
 * Prints the write/read/ZIP figures of the kernel API next to what Python AxoPy does on the
 * same machine. No assertions: targets are read off the output.
 *   node build/benchmarks/storage.js [trials=2000] [--runs N=3]
 *   node build/benchmarks/storage.js --durability [trials=300] (only the durability table)
 *   node build/benchmarks/storage.js --reads [trials=600] [--runs N=3] (only the read tables,
 *     of a root written by this package and of one written by the real AxoPy through h5py)
 *
 * Each run is a fresh Node process (so the first trials pay for loading h5wasm, as a user's
 * first trials do) and a fresh Python process, doing the same in the same order: write TRIALS
 * trials of two float64 8x2000 arrays, stack one array (`array()`), iterate it with one open
 * file. Then, after `sync` (so that neither pays for writing back the other's dirty pages),
 * storageToZip, Python's zipfile and `zip -0 -r` each archive the same Node-written root in a
 * process of their own. Runs alternate which side goes first, so load from other work on the
 * machine hits both alike; the table shows medians over runs.
 *
 * Reads, in a second table: on the same Node-written root, `epochs`, `array` and `iterArray`
 * in a fresh Node process (h5wasm loaded before timing, as Python's imports are), the real
 * AxoPy's `TaskReader.array`/`iterarray` (.venv-axopy), and h5py `read_direct` of every trial
 * into one preallocated (trials, 8, 2000) array plus a plain h5py loop (.venv, current h5py).
 *
 * Last, the cost of `durability: 'fsync'` (survives a machine crash) against the default
 * 'flush' (survives the process being killed): the same trials written in each mode, fresh
 * processes, alternating.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Storage, Design, storageToZip } from '../src/kernel/index.js';
import { hdf5ReadCounts } from '../src/kernel/hdf5.js';
import { CURRENT_PYTHON, PYTHON } from '../tests/helpers/python';

const REAL_AXOPY = join(__dirname, '..', '..', 'tests', 'python', 'real_axopy.py');

/** What one run of either side measures (Python's names, from real_axopy.py). */
interface RunFigures {
  write_total_s: number;
  first100_mean_ms: number;
  last100_mean_ms: number;
  array_s: number;
  iter_one_open_file_s: number;
  zip_s: number;
  zip_peak_rss_growth_mb: number;
  zip0_s: number;
  zip_mb: number;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', cwd, maxBuffer: 64 * 1024 * 1024 });
}

/** The Node side of one run, in this (fresh) process: write, array(), iterArray, ZIP. */
async function nodeRun(root: string, trials: number): Promise<Partial<RunFigures>> {
  // Same kind of data as the Python side (standard normal float64); the values do not matter
  // to HDF5 (uncompressed) but random bits keep anything from taking shortcuts.
  const emg = new Float64Array(8 * 2000).map(
    () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random())
  );
  const storage = new Storage(root);
  storage.subjectId = 's1';
  const writer = storage.createTask('bench');
  const block = new Design().addBlock();
  const perTrial: number[] = [];
  const writeStart = performance.now();
  for (let i = 0; i < trials; i++) {
    const t0 = performance.now();
    const trial = block.addTrial({ target: i % 5 });
    trial.addArray('emg', { dtype: 'float64', shape: [8, 2000], data: emg });
    trial.addArray('force', { dtype: 'float64', shape: [8, 2000], data: emg });
    await writer.write(trial);
    perTrial.push(performance.now() - t0);
  }
  await writer.close();
  const writeTotal = seconds(writeStart);
  const reader = storage.requireTask('bench');
  // array() first, then iterArray: the order of real_axopy.py's bench.
  let t0 = performance.now();
  const stacked = await reader.array('emg');
  const arrayTime = seconds(t0);
  if (stacked.shape[0] !== 8 * trials) throw new Error(`array(): shape ${stacked.shape.join('x')}`);
  t0 = performance.now();
  let checksum = 0;
  for await (const a of reader.iterArray('emg')) checksum += (a.data as Float64Array)[0];
  const iterTime = seconds(t0);

  return {
    write_total_s: writeTotal,
    first100_mean_ms: mean(perTrial.slice(0, 100)),
    last100_mean_ms: mean(perTrial.slice(-100)),
    array_s: arrayTime,
    iter_one_open_file_s: iterTime,
    checksum
  } as Partial<RunFigures>;
}

/** Read figures of one side (seconds; Node also its peak RSS growth during epochs). */
interface ReadFigures {
  epochs_s?: number;
  array_s: number;
  iter_s: number;
  epochs_rss_over_output_mb?: number;
  /** Node: trial reads that went straight from the file, and through h5wasm. */
  direct_reads?: number;
  hdf5_reads?: number;
}

/** epochs, array and iterArray in this (fresh) process, h5wasm loaded first. */
async function nodeReads(root: string): Promise<ReadFigures> {
  const storage = new Storage(root, { readOnly: true });
  storage.subjectId = 's1';
  const reader = storage.requireTask('bench');
  await reader.trialArray('emg', 0);
  const countsBefore = { ...hdf5ReadCounts };
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  let t0 = performance.now();
  let epochs: Awaited<ReturnType<typeof reader.epochs>> | undefined = await reader.epochs('emg');
  const epochsTime = seconds(t0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const outputMb = epochs.data.data.byteLength / 1e6;
  // Dropped before the next read, so that its memory can be collected meanwhile.
  // eslint-disable-next-line no-useless-assignment
  epochs = undefined;
  t0 = performance.now();
  const stacked = await reader.array('emg');
  const arrayTime = seconds(t0);
  if (stacked.shape[1] !== 2000) throw new Error(`array(): shape ${stacked.shape.join('x')}`);
  t0 = performance.now();
  let checksum = 0;
  for await (const a of reader.iterArray('emg')) checksum += (a.data as Float64Array)[0];
  const iterTime = seconds(t0);
  return {
    epochs_s: epochsTime,
    array_s: arrayTime,
    iter_s: iterTime,
    epochs_rss_over_output_mb: (peakRss - rssBefore) / 1e6 - outputMb,
    direct_reads: hdf5ReadCounts.direct - countsBefore.direct,
    hdf5_reads: hdf5ReadCounts.viaHdf5 - countsBefore.viaHdf5,
    checksum
  } as ReadFigures;
}

const AXOPY_READS = `import json, sys, time
from axopy.storage import Storage
storage = Storage(sys.argv[1]); storage.subject_id = 's1'
reader = storage.require_task('bench')
t = time.perf_counter(); a = reader.array('emg'); array_s = time.perf_counter() - t
t = time.perf_counter()
for x in reader.iterarray('emg'): pass
print(json.dumps({'array_s': array_s, 'iter_s': time.perf_counter() - t}))`;

const H5PY_READS = `import json, os, sys, time, h5py, numpy as np
path = os.path.join(sys.argv[1], 's1', 'bench', 'emg.hdf5'); n = int(sys.argv[2])
t = time.perf_counter()
with h5py.File(path, 'r') as f:
    first = f['0']
    out = np.empty((n,) + first.shape, dtype=first.dtype)
    for i in range(n):
        f[str(i)].read_direct(out[i])
array_s = time.perf_counter() - t
t = time.perf_counter()
with h5py.File(path, 'r') as f:
    for i in range(n):
        x = f[str(i)][()]
print(json.dumps({'array_s': array_s, 'iter_s': time.perf_counter() - t}))`;

/** The three readers on one root, each in a fresh process, in an order that alternates. */
function readRun(
  root: string,
  trials: number,
  nodeFirst: boolean
): { node: ReadFigures; axopy: ReadFigures; h5py: ReadFigures } {
  const sides = {
    node: () => JSON.parse(run(process.execPath, [__filename, '--node-reads', root])) as ReadFigures,
    axopy: () => JSON.parse(run(PYTHON, ['-c', AXOPY_READS, root])) as ReadFigures,
    h5py: () => JSON.parse(run(CURRENT_PYTHON, ['-c', H5PY_READS, root, String(trials)])) as ReadFigures
  };
  const order = nodeFirst ? (['node', 'h5py', 'axopy'] as const) : (['h5py', 'axopy', 'node'] as const);
  const figures: Partial<Record<keyof typeof sides, ReadFigures>> = {};
  for (const side of order) figures[side] = sides[side]();
  return figures as { node: ReadFigures; axopy: ReadFigures; h5py: ReadFigures };
}

/** Writes `trials` trials (two float64 8x2000 arrays) with the given durability; ms per trial. */
async function durabilityRun(root: string, trials: number, durability: 'flush' | 'fsync'): Promise<number> {
  const emg = new Float64Array(8 * 2000).map(() => Math.random());
  const storage = new Storage(root);
  storage.subjectId = 's1';
  const writer = storage.createTask('bench', { durability });
  const block = new Design().addBlock();
  // The first trials load h5wasm; timed from the tenth on.
  let start = 0;
  for (let i = 0; i < trials + 10; i++) {
    if (i === 10) start = performance.now();
    const trial = block.addTrial({ target: i % 5 });
    trial.addArray('emg', { dtype: 'float64', shape: [8, 2000], data: emg });
    trial.addArray('force', { dtype: 'float64', shape: [8, 2000], data: emg });
    await writer.write(trial);
  }
  await writer.close();
  return (performance.now() - start) / trials;
}

/** The durability table: ms per trial in each mode, medians over `runs` alternating runs. */
function durabilityTable(trials: number, runs: number): void {
  const figures: Record<'flush' | 'fsync', number[]> = { flush: [], fsync: [] };
  const dir = mkdtempSync(join(tmpdir(), 'axopy-bench-durability-'));
  try {
    for (let i = 0; i < runs; i++) {
      const modes: Array<'flush' | 'fsync'> = i % 2 === 0 ? ['flush', 'fsync'] : ['fsync', 'flush'];
      for (const mode of modes) {
        const root = join(dir, `${mode}${i}`);
        figures[mode].push(Number(run(process.execPath, [__filename, '--durability-run', root, String(trials), mode])));
        rmSync(root, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const flush = median(figures.flush);
  const fsync = median(figures.fsync);
  console.log(
    `durability: ${trials} trials x 2 arrays float64 8x2000 (256 KB per trial) on ${tmpdir()}, medians of ${runs} runs`
  );
  console.log(
    `  flush (default; survives a killed process): ${flush.toFixed(2)} ms/trial   [${figures.flush.map(v => v.toFixed(2)).join(', ')}]`
  );
  console.log(
    `  fsync (survives a machine crash):          ${fsync.toFixed(2)} ms/trial   [${figures.fsync.map(v => v.toFixed(2)).join(', ')}]  ${(fsync / flush).toFixed(1)}x`
  );
}

/** storageToZip in this (fresh) process, with the growth of its peak RSS. */
async function nodeZip(root: string, outfile: string): Promise<Partial<RunFigures>> {
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  await storageToZip(root, outfile);
  const zipTime = seconds(t0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { zip_s: zipTime, zip_peak_rss_growth_mb: (peakRss - rssBefore) / 1e6, zip_mb: statSync(outfile).size / 1e6 };
}

const PYTHON_ZIP = `import time, zipfile, os, sys
root = sys.argv[1]; t = time.perf_counter()
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as z:
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f); z.write(p, os.path.relpath(p, os.path.dirname(root)))
print(time.perf_counter() - t)`;

/** One run of each side in its own folder; Python's ZIP figures are of the same (Node-written) root. */
function oneRun(
  folder: string,
  trials: number,
  nodeFirst: boolean,
  reads: ReturnType<typeof readRun>[]
): { node: Partial<RunFigures>; python: Partial<RunFigures> } {
  const nodeSide = (): Partial<RunFigures> =>
    JSON.parse(
      run(process.execPath, [__filename, '--node-run', join(folder, 'ts'), String(trials)])
    ) as Partial<RunFigures>;
  const pythonSide = (): Partial<RunFigures> =>
    JSON.parse(run(PYTHON, [REAL_AXOPY, 'bench', join(folder, 'py'), String(trials)])) as Partial<RunFigures>;
  let node: Partial<RunFigures>;
  let python: Partial<RunFigures>;
  if (nodeFirst) {
    node = nodeSide();
    python = pythonSide();
  } else {
    python = pythonSide();
    node = nodeSide();
  }
  rmSync(join(folder, 'py'), { recursive: true, force: true });
  reads.push(readRun(join(folder, 'ts'), trials, nodeFirst));
  const zips = [
    () =>
      Object.assign(
        node,
        JSON.parse(run(process.execPath, [__filename, '--node-zip', join(folder, 'ts'), join(folder, 'ts-node.zip')]))
      ),
    () => (python.zip_s = Number(run(PYTHON, ['-c', PYTHON_ZIP, join(folder, 'ts'), join(folder, 'ts-py.zip')])))
  ];
  execFileSync('sync');
  for (const zip of nodeFirst ? zips : zips.reverse()) zip();
  const t0 = performance.now();
  run('zip', ['-0', '-r', '-q', join(folder, 'ts-zip0.zip'), 'ts'], folder);
  python.zip0_s = seconds(t0);
  return { node, python };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--node-run') {
    process.stdout.write(JSON.stringify(await nodeRun(args[1], Number(args[2]))));
    return;
  }
  if (args[0] === '--node-reads') {
    process.stdout.write(JSON.stringify(await nodeReads(args[1])));
    return;
  }
  if (args[0] === '--durability-run') {
    process.stdout.write(String(await durabilityRun(args[1], Number(args[2]), args[3] as 'flush' | 'fsync')));
    return;
  }
  if (args[0] === '--durability') {
    durabilityTable(Number(args[1] ?? 300), 3);
    return;
  }
  if (args[0] === '--reads') {
    readsOnly(args);
    return;
  }
  if (args[0] === '--node-zip') {
    process.stdout.write(JSON.stringify(await nodeZip(args[1], args[2])));
    return;
  }
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const trials = Number(args.find((arg, i) => !arg.startsWith('--') && i !== runsAt + 1) ?? 2000);
  const dir = mkdtempSync(join(tmpdir(), 'axopy-bench-'));
  const results: { node: Partial<RunFigures>; python: Partial<RunFigures> }[] = [];
  const reads: ReturnType<typeof readRun>[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      console.error(`run ${i + 1} of ${runs}: ${trials} trials, Node, the real AxoPy and h5py...`);
      const folder = join(dir, `run${i}`);
      mkdirSync(folder);
      results.push(oneRun(folder, trials, i % 2 === 0, reads));
      rmSync(folder, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const node = (key: keyof RunFigures): number => median(results.map(r => r.node[key] as number));
  const python = (key: keyof RunFigures): number => median(results.map(r => r.python[key] as number));
  // Each run's own ratio (both sides ran minutes apart at most), then the median of those.
  const ratioOf = (key: keyof RunFigures, digits = 2): string =>
    `${median(results.map(r => (r.node[key] as number) / (r.python[key] as number))).toFixed(digits)}x`;
  const all = (key: keyof RunFigures, side: 'node' | 'python'): string =>
    results.map(r => (r[side][key] as number).toFixed(2)).join(', ');
  const rows: [string, string, string, string][] = [
    [
      'write all trials (s)',
      node('write_total_s').toFixed(2),
      python('write_total_s').toFixed(2),
      `${ratioOf('write_total_s', 3)} (target <= 0.3x)`
    ],
    [
      'per-trial first 100 (ms)',
      node('first100_mean_ms').toFixed(2),
      python('first100_mean_ms').toFixed(2),
      'Node: includes loading h5wasm'
    ],
    [
      'per-trial last 100 (ms)',
      node('last100_mean_ms').toFixed(2),
      python('last100_mean_ms').toFixed(2),
      `last/first ${median(results.map(r => r.node.last100_mean_ms! / r.node.first100_mean_ms!)).toFixed(2)} (target <= 1.2)`
    ],
    [
      'array() (s)',
      node('array_s').toFixed(3),
      python('array_s').toFixed(3),
      `${ratioOf('array_s', 3)} AxoPy (target <= 0.5x)`
    ],
    [
      'iterArray, one open file (s)',
      node('iter_one_open_file_s').toFixed(3),
      python('iter_one_open_file_s').toFixed(3),
      `${ratioOf('iter_one_open_file_s')} h5py (target <= 1.5x)`
    ],
    [
      `ZIP ${node('zip_mb').toFixed(0)} MB (s)`,
      node('zip_s').toFixed(2),
      python('zip_s').toFixed(2),
      `${ratioOf('zip_s')} Python zipfile (target <= 1.0x); zip -0 -r ${python('zip0_s').toFixed(2)} s`
    ],
    ['ZIP peak RSS growth (MB)', node('zip_peak_rss_growth_mb').toFixed(0), '', 'target < 256']
  ];
  console.log(
    `storage benchmark: ${trials} trials x 2 arrays float64 8x2000, medians of ${runs} runs (fresh processes, alternating which side goes first); ratio = median of each run's ratio`
  );
  console.log(['measure', 'jupyterlab-axopy', 'Python AxoPy', 'ratio'].join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  printReads(reads, trials);
  console.log('every run (Node | Python):');
  for (const key of [
    'write_total_s',
    'first100_mean_ms',
    'last100_mean_ms',
    'array_s',
    'iter_one_open_file_s',
    'zip_s'
  ] as const) {
    console.log(`  ${key}: ${all(key, 'node')} | ${all(key, 'python')}`);
  }
  durabilityTable(300, runs);
}

/**
 * Only the reads, on `trials` trials: per run, one root written by this package and one by the
 * real AxoPy (h5py), each read by the three readers in fresh processes.
 */
function readsOnly(args: string[]): void {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const trials = Number(args.find((arg, i) => i > 0 && !arg.startsWith('--') && i !== runsAt + 1) ?? 600);
  const dir = mkdtempSync(join(tmpdir(), 'axopy-bench-reads-'));
  const byWriter: Record<'jupyterlab-axopy' | 'AxoPy (h5py)', ReturnType<typeof readRun>[]> = {
    'jupyterlab-axopy': [],
    'AxoPy (h5py)': []
  };
  try {
    const ours = join(dir, 'ts');
    const theirs = join(dir, 'py');
    run(process.execPath, [__filename, '--node-run', ours, String(trials)]);
    run(PYTHON, [REAL_AXOPY, 'bench', theirs, String(trials)]);
    execFileSync('sync');
    for (let i = 0; i < runs; i++) {
      console.error(`reads, run ${i + 1} of ${runs}: ${trials} trials`);
      byWriter['jupyterlab-axopy'].push(readRun(ours, trials, i % 2 === 0));
      byWriter['AxoPy (h5py)'].push(readRun(theirs, trials, i % 2 === 1));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [writer, reads] of Object.entries(byWriter)) {
    console.log(`\nfile written by ${writer}, ${runs} runs:`);
    printReads(reads, trials);
  }
}

/** The read table: Node against real AxoPy and h5py read_direct, medians of per-run ratios. */
function printReads(reads: ReturnType<typeof readRun>[], trials: number): void {
  const med = (f: (r: ReturnType<typeof readRun>) => number): number => median(reads.map(f));
  const fmt = (v: number): string => v.toFixed(3);
  console.log(
    `\nreads: ${trials} trials of float64 8x2000 (${((trials * 8 * 2000 * 8) / 1e6).toFixed(0)} MB), page cache warm; Node | real AxoPy | h5py; ratios = median of per-run ratios`
  );
  console.log('measure | jupyterlab-axopy (s) | AxoPy (s) | h5py (s) | vs AxoPy | vs h5py');
  for (const [label, key, h5Label] of [
    ['epochs()', 'epochs_s', 'read_direct into one array'],
    ['array()', 'array_s', 'read_direct into one array'],
    ['iterArray()', 'iter_s', 'dataset[()] loop']
  ] as const) {
    const node = (r: ReturnType<typeof readRun>): number => r.node[key] as number;
    const pyKey = key === 'epochs_s' ? 'array_s' : key;
    console.log(
      [
        label,
        fmt(med(node)),
        fmt(med(r => r.axopy[pyKey])),
        `${fmt(med(r => r.h5py[pyKey]))} (${h5Label})`,
        `${med(r => node(r) / r.axopy[pyKey]).toFixed(2)}x (goal <= ${key === 'iter_s' ? '-' : '0.25x'})`,
        `${med(r => node(r) / r.h5py[pyKey]).toFixed(2)}x (goal <= ${key === 'iter_s' ? '1.0x' : '1.2x'})`
      ].join(' | ')
    );
  }
  console.log(
    `epochs() peak RSS growth beyond its output: ${med(r => r.node.epochs_rss_over_output_mb ?? NaN).toFixed(0)} MB (goal <= 64)`
  );
  const last = reads[reads.length - 1].node;
  console.log(
    `  trial reads of the last run: ${last.direct_reads ?? '?'} straight from the file, ${last.hdf5_reads ?? '?'} through h5wasm`
  );
  console.log(
    `  every run, epochs | array | iter (s): ${reads.map(r => [r.node.epochs_s, r.node.array_s, r.node.iter_s].map(v => fmt(v ?? NaN)).join('/')).join(', ')}`
  );
  console.log(
    `  AxoPy array | iter: ${reads.map(r => `${fmt(r.axopy.array_s)}/${fmt(r.axopy.iter_s)}`).join(', ')}; h5py: ${reads.map(r => `${fmt(r.h5py.array_s)}/${fmt(r.h5py.iter_s)}`).join(', ')}`
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
