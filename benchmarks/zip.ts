/**
 * ZIP export speed and memory: storageToZip vs Python zipfile (ZIP_STORED, what AxoPy uses)
 * vs `zip -0 -r`, on a ~520 MB storage root written by h5py/pandas. Prints figures, asserts
 * nothing. Each tool runs in its own process under /usr/bin/time (wall time, peak RSS).
 *
 *   node build/benchmarks/zip.js [--runs N] [--many] [--sparse]
 *
 * --many   also exports 65 536 tiny files (ZIP64 by entry count) and checks it with Python.
 * --sparse also exports a sparse 4.5 GiB file (ZIP64 by size) and checks it with Python.
 * These are here rather than in the test suite because each takes from 20 s to a minute here
 * (65 536 entries: ~19 s and ~160 MB peak RSS with the one-pass writer of core/zip/, ~66 s
 * and ~1.1 GB with zip.js before it; 4.5 GiB: ~64 s with zip.js, disk-bound).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYTHON } from '../tests/helpers/python';

const ZIP_MODULE = path.resolve(__dirname, '../src/kernel/zip.js');

const MAKE_DATASET = `
import os, pickle, sys
import h5py, numpy as np, pandas as pd
root = sys.argv[1]
rng = np.random.default_rng(1)
for subject in ("p1", "p2"):
    for task in ("calibration", "main"):
        folder = os.path.join(root, subject, task)
        os.makedirs(folder)
        trials = 30
        pd.DataFrame({"block": [0] * trials, "trial": range(trials), "gain": rng.random(trials)}).to_csv(
            os.path.join(folder, "trials.csv"), index=False)
        with h5py.File(os.path.join(folder, "emg.hdf5"), "w") as f:
            for row in range(trials):
                f.create_dataset(str(row), data=rng.standard_normal((8, 67_000)))
        with open(os.path.join(folder, "model.pkl"), "wb") as f:
            pickle.dump({"weights": rng.standard_normal(20_000)}, f, protocol=4)
`;

const PYTHON_ZIP = `
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
top = os.path.basename(root)
with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
    for folder, _, files in os.walk(root):
        for name in files:
            full = os.path.join(folder, name)
            z.write(full, os.path.join(top, os.path.relpath(full, root)))
`;

interface Measure {
  seconds: number;
  peakRssMb: number;
}

/** Runs a command under /usr/bin/time; returns wall time and peak RSS of the process. */
function timed(command: string, args: string[], cwd?: string): Measure {
  const report = path.join(os.tmpdir(), `zip-bench-time-${process.pid}`);
  execFileSync('/usr/bin/time', ['-o', report, '-f', '%e %M', command, ...args], { cwd, stdio: 'inherit' });
  const [seconds, kilobytes] = fs.readFileSync(report, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  fs.rmSync(report);
  return { seconds, peakRssMb: kilobytes / 1024 };
}

function nodeExport(root: string, out: string): Measure {
  const script = `require(${JSON.stringify(ZIP_MODULE)}).storageToZip(process.argv[1], process.argv[2])
    .catch(e => { console.error(e); process.exit(1); })`;
  return timed(process.execPath, ['-e', script, root, out]);
}

function summary(label: string, measures: Measure[]): { label: string; best: number; median: number; rss: number } {
  const times = measures.map(m => m.seconds).sort((a, b) => a - b);
  return {
    label,
    best: times[0],
    median: times[Math.floor(times.length / 2)],
    rss: Math.max(...measures.map(m => m.peakRssMb))
  };
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      total += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
    }
  }
  return total;
}

function pythonCheck(archive: string, code: string): string {
  return execFileSync(PYTHON, ['-c', code, archive], { encoding: 'utf8' }).trim();
}

function speedRuns(workDir: string, runs: number): void {
  const root = path.join(workDir, 'data');
  execFileSync(PYTHON, ['-c', MAKE_DATASET, root]);
  const megabytes = folderBytes(root) / 1e6;
  execFileSync(
    'cat',
    fs
      .readdirSync(root, { recursive: true })
      .map(String)
      .map(p => path.join(root, p))
      .filter(p => fs.statSync(p).isFile()),
    {
      stdio: 'ignore',
      maxBuffer: 1
    }
  );
  const baseline = timed(process.execPath, ['-e', `require(${JSON.stringify(ZIP_MODULE)})`]);
  const ours: Measure[] = [];
  const python: Measure[] = [];
  const zip0: Measure[] = [];
  for (let run = 0; run < runs; run++) {
    // Interleaved so that load from other processes hits every tool alike.
    ours.push(nodeExport(root, path.join(workDir, 'ours.zip')));
    python.push(timed(PYTHON, ['-c', PYTHON_ZIP, root, path.join(workDir, 'python.zip')]));
    fs.rmSync(path.join(workDir, 'zip0.zip'), { force: true });
    zip0.push(timed('zip', ['-q', '-0', '-r', path.join(workDir, 'zip0.zip'), 'data'], workDir));
  }
  const rows = [summary('storageToZip', ours), summary('python zipfile', python), summary('zip -0 -r', zip0)];
  console.log(
    `dataset: ${megabytes.toFixed(0)} MB, ${runs} interleaved runs, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`
  );
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(16)} best ${row.best.toFixed(2)} s  median ${row.median.toFixed(2)} s  ` +
        `(${(megabytes / row.best).toFixed(0)} MB/s)  peak RSS ${row.rss.toFixed(0)} MB`
    );
  }
  console.log(
    `storageToZip / python zipfile: best ${(rows[0].best / rows[1].best).toFixed(2)}x, median ${(rows[0].median / rows[1].median).toFixed(2)}x`
  );
  console.log(`storageToZip / zip -0 -r:      best ${(rows[0].best / rows[2].best).toFixed(2)}x`);
  console.log(
    `storageToZip peak RSS growth over a process that only loads it: ${(rows[0].rss - baseline.peakRssMb).toFixed(0)} MB`
  );
  console.log(
    `archive check: ${pythonCheck(path.join(workDir, 'ours.zip'), 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(len(z.namelist()), "entries, testzip:", z.testzip())')}`
  );
}

function manyEntries(workDir: string): void {
  const root = path.join(workDir, 'many');
  for (let subject = 0; subject < 256; subject++) {
    const folder = path.join(root, `s${subject}`, 'task');
    fs.mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 256; i++) {
      fs.writeFileSync(path.join(folder, `${i}.csv`), `trial\n${i}\n`);
    }
  }
  const measure = nodeExport(root, path.join(workDir, 'many.zip'));
  console.log(`65 536 tiny entries: ${measure.seconds.toFixed(1)} s, peak RSS ${measure.peakRssMb.toFixed(0)} MB`);
  console.log(
    `  python: ${pythonCheck(path.join(workDir, 'many.zip'), 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), "entries, testzip:", z.testzip())')}`
  );
}

function sparseFile(workDir: string): void {
  const root = path.join(workDir, 'sparse');
  fs.mkdirSync(root);
  const big = path.join(root, 'big.hdf5');
  const size = 4.5 * 2 ** 30;
  fs.closeSync(fs.openSync(big, 'w'));
  fs.truncateSync(big, size - 8);
  fs.appendFileSync(big, 'THE--END');
  const measure = nodeExport(root, path.join(workDir, 'sparse.zip'));
  console.log(`sparse 4.5 GiB file: ${measure.seconds.toFixed(1)} s, peak RSS ${measure.peakRssMb.toFixed(0)} MB`);
  const check = `import zipfile,sys
z = zipfile.ZipFile(sys.argv[1]); info = z.getinfo("sparse/big.hdf5")
f = z.open(info); f.seek(info.file_size - 8)
print("size", info.file_size, "tail", f.read(8), "zip64 extra", any(info.extra[i:i+2] == b"\\x01\\x00" for i in range(0, len(info.extra), 2)))`;
  console.log(`  python: ${pythonCheck(path.join(workDir, 'sparse.zip'), check)}`);
}

function main(): void {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-zip-bench-'));
  try {
    speedRuns(workDir, runs);
    if (args.includes('--many')) {
      manyEntries(workDir);
    }
    if (args.includes('--sparse')) {
      sparseFile(workDir);
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main();
