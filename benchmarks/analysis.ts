/**
 * Prints the time of the per-trial EMG analysis over (trials, 8, 2000) float64 epochs (default
 * 600 trials, 77 MB) next to the same analysis in Python: AxoPy's features with the real
 * `axopy.features` (numpy 1.24, .venv-axopy), and a Butterworth band-pass + zero-phase filter,
 * moving RMS and decimation with current scipy/numpy (.venv). No assertions.
 *   node build/benchmarks/analysis.js [trials=600] [--repeats 3]
 * Each figure is the best of `repeats` in one process (the data generated once, outside the
 * timing); both sides get the same data through a raw float64 file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  butter,
  decimate,
  filtfilt,
  integratedEmg,
  logvar,
  meanAbsoluteValue,
  movingRms,
  rootMeanSquare,
  slopeSignChanges,
  waveformLength,
  zeroCrossings
} from '../src/core/analysis/index.js';
import type { NDArray } from '../src/core/ndarray.js';
import { CURRENT_PYTHON, PYTHON } from '../tests/helpers/python';
import { emgLike, writeRaw } from '../tests/helpers/signals';

const FEATURES: [string, (x: NDArray<'float64'>) => NDArray][] = [
  ['mean_absolute_value', x => meanAbsoluteValue(x)],
  ['waveform_length', x => waveformLength(x)],
  ['zero_crossings', x => zeroCrossings(x)],
  ['slope_sign_changes', x => slopeSignChanges(x)],
  ['root_mean_square', x => rootMeanSquare(x)],
  ['integrated_emg', x => integratedEmg(x)],
  ['logvar', x => logvar(x)]
];

const PYTHON_FEATURES = `import json, sys, time, numpy as np
from axopy.features import time as f
x = np.fromfile(sys.argv[1]).reshape(-1, 8, 2000); repeats = int(sys.argv[2])
out = {}
names = ${JSON.stringify(FEATURES.map(([name]) => name))}
for name in names + ['all']:
    best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter()
        for g in (names if name == 'all' else [name]):
            getattr(f, g)(x)
        best = min(best, time.perf_counter() - t)
    out[name] = best
print(json.dumps(out))`;

const PYTHON_SIGNAL = `import json, sys, time, numpy as np, scipy.signal as sg
x = np.fromfile(sys.argv[1]).reshape(-1, 8, 2000); repeats = int(sys.argv[2])
def moving_rms(x, w):
    c = np.cumsum(x ** 2, axis=-1)
    c = np.concatenate([np.zeros(x.shape[:-1] + (1,)), c], axis=-1)
    return np.sqrt((c[..., w:] - c[..., :-w]) / w)
steps = {
    'filtfilt': lambda: sg.sosfiltfilt(sg.butter(4, [20, 450], btype='bandpass', fs=2000, output='sos'), x),
    'moving_rms': lambda: moving_rms(x, 100),
    'decimate': lambda: sg.decimate(x, 4),
}
out = {}
for name, step in steps.items():
    best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter(); step(); best = min(best, time.perf_counter() - t)
    out[name] = best
print(json.dumps(out))`;

function best(repeats: number, run: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    fastest = Math.min(fastest, (performance.now() - t0) / 1000);
  }
  return fastest;
}

function main(): void {
  const args = process.argv.slice(2);
  const repeatsAt = args.indexOf('--repeats');
  const repeats = repeatsAt >= 0 ? Number(args[repeatsAt + 1]) : 3;
  const trials = Number(args.find((arg, i) => !arg.startsWith('--') && i !== repeatsAt + 1) ?? 600);
  const x = emgLike([trials, 8, 2000], 600);
  const dir = mkdtempSync(join(tmpdir(), 'axopy-bench-analysis-'));
  try {
    const raw = writeRaw(dir, 'x', x);
    const py = JSON.parse(
      execFileSync(PYTHON, ['-c', PYTHON_FEATURES, raw, String(repeats)], { encoding: 'utf8' })
    ) as Record<string, number>;
    const scipy = JSON.parse(
      execFileSync(CURRENT_PYTHON, ['-c', PYTHON_SIGNAL, raw, String(repeats)], { encoding: 'utf8' })
    ) as Record<string, number>;
    const node: Record<string, number> = {};
    for (const [name, compute] of FEATURES) node[name] = best(repeats, () => compute(x));
    node.all = best(repeats, () => FEATURES.forEach(([, compute]) => compute(x)));
    const sos = butter(4, [20, 450], { type: 'bandpass', sampleRate: 2000 });
    node.filtfilt = best(repeats, () => filtfilt(sos, x));
    node.moving_rms = best(repeats, () => movingRms(x, 100));
    node.decimate = best(repeats, () => decimate(x, 4));
    console.log(
      `analysis benchmark: ${trials} x 8 x 2000 float64 (${(x.data.byteLength / 1e6).toFixed(0)} MB), best of ${repeats}; ratio = ours / Python`
    );
    console.log('step | jupyterlab-axopy (s) | Python (s) | ratio');
    for (const [name, reference, source] of [
      ...FEATURES.map(([name]) => [name, py[name], 'axopy.features'] as const),
      ['all 7 features', py.all, 'axopy.features'] as const,
      ['butter bandpass + filtfilt', scipy.filtfilt, 'scipy sosfiltfilt'] as const,
      ['moving RMS (100)', scipy.moving_rms, 'numpy cumsum'] as const,
      ['decimate by 4', scipy.decimate, 'scipy decimate'] as const
    ]) {
      const key =
        name === 'all 7 features'
          ? 'all'
          : name === 'butter bandpass + filtfilt'
            ? 'filtfilt'
            : name === 'moving RMS (100)'
              ? 'moving_rms'
              : name === 'decimate by 4'
                ? 'decimate'
                : name;
      console.log(
        `${name} | ${node[key].toFixed(3)} | ${reference.toFixed(3)} (${source}) | ${(node[key] / reference).toFixed(2)}x`
      );
    }
    console.log('goal: all features within 1.5x of numpy');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
