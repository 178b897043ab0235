/**
 * Prints the write/read/ZIP figures of the kernel API next to what Python AxoPy does on the
 * same machine. No assertions: targets are read off the output.
 *   node build/benchmarks/storage.js [trials=2000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Storage, Design, storageToZip } from '../src/kernel/index.js';

const TRIALS = Number(process.argv[2] ?? 2000);
const AXOPY_LIKE = join(__dirname, '..', '..', 'tests', 'python', 'axopy_like.py');

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function python(args: string[]): string {
  return execFileSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'axopy-bench-'));
  try {
    const emg = new Float64Array(8 * 2000).map(() => Math.random());
    const storage = new Storage(join(dir, 'ts'));
    storage.subjectId = 's1';
    const writer = storage.createTask('bench');
    const block = new Design().addBlock();
    const perTrial: number[] = [];
    const writeStart = performance.now();
    for (let i = 0; i < TRIALS; i++) {
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
    // iterArray first, as the Python script reads: both then start from the same page cache.
    let t0 = performance.now();
    let count = 0;
    for await (const a of reader.iterArray('emg')) count += a.shape[0];
    const iterTime = seconds(t0);
    t0 = performance.now();
    const stacked = await reader.array('emg');
    const arrayTime = seconds(t0);

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    t0 = performance.now();
    const zipPath = await storageToZip(join(dir, 'ts'), join(dir, 'ts-node.zip'));
    const zipTime = seconds(t0);
    clearInterval(sampler);

    console.error(`python: AxoPy-like write of ${TRIALS} trials (this takes a while)...`);
    const py = JSON.parse(python([AXOPY_LIKE, 'bench', join(dir, 'py'), String(TRIALS)])) as Record<string, number>;
    const pyZip = Number(
      python([
        '-c',
        `import time, zipfile, os, sys
root = sys.argv[1]; t = time.perf_counter()
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as z:
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f); z.write(p, os.path.relpath(p, os.path.dirname(root)))
print(time.perf_counter() - t)`,
        join(dir, 'ts'),
        join(dir, 'ts-py.zip')
      ])
    );
    t0 = performance.now();
    execFileSync('zip', ['-0', '-r', '-q', join(dir, 'ts-zip0.zip'), 'ts'], { cwd: dir });
    const zip0 = seconds(t0);
    const sizeMb = readFileSync(zipPath).length / 1e6;

    const rows: [string, string, string, string][] = [
      ['write all trials (s)', writeTotal.toFixed(2), py.write_total_s.toFixed(2), `${(writeTotal / py.write_total_s).toFixed(3)}x (target <= 0.3x)`],
      ['per-trial first 100 (ms)', mean(perTrial.slice(0, 100)).toFixed(2), py.first100_mean_ms.toFixed(2), ''],
      ['per-trial last 100 (ms)', mean(perTrial.slice(-100)).toFixed(2), py.last100_mean_ms.toFixed(2), `last/first ${(mean(perTrial.slice(-100)) / mean(perTrial.slice(0, 100))).toFixed(2)} (target <= 1.2)`],
      ['array() (s)', arrayTime.toFixed(3), py.array_s.toFixed(3), `${(arrayTime / py.array_s).toFixed(3)}x AxoPy (target <= 0.5x)`],
      ['iterArray, one open file (s)', iterTime.toFixed(3), py.iter_one_open_file_s.toFixed(3), `${(iterTime / py.iter_one_open_file_s).toFixed(2)}x h5py (target <= 1.5x)`],
      [`ZIP ${sizeMb.toFixed(0)} MB (s)`, zipTime.toFixed(2), pyZip.toFixed(2), `${(zipTime / pyZip).toFixed(2)}x Python zipfile (target <= 1.0x); zip -0 -r ${zip0.toFixed(2)} s`],
      ['ZIP peak RSS growth (MB)', ((peakRss - rssBefore) / 1e6).toFixed(0), '', 'target < 256']
    ];
    console.log(`storage benchmark: ${TRIALS} trials x 2 arrays float64 8x2000; stacked ${stacked.shape.join('x')}, ${count} rows iterated`);
    console.log(['measure', 'jupyterlab-axopy', 'Python AxoPy', 'ratio'].join(' | '));
    for (const row of rows) console.log(row.join(' | '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
