/**
 * The analysis view of the task preview against a real Jupyter server, on a task written by
 * Python (h5py + pandas, with a `emg.json` sidecar): the averages the model computes in the
 * worker equal numpy's for the same grouping, the canvas shows one coloured band per group,
 * the overlay draws every kept trial and names (and on a click selects) the trace numpy finds
 * at a pixel, the feature columns equal Python AxoPy's features, and changing the display
 * filter redraws with scipy's filtered averages.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { openPreview, storageServerTest, waitForPreview } from '../fixtures';
import { CURRENT_PYTHON, PYTHON } from '../../tests/helpers/python';

const TASK = 'data/p01/gestures';
const TRIALS = 24;

const WRITE_TASK = `
import sys, os, json, numpy as np, pandas as pd, h5py
task = os.path.join(sys.argv[1], 'p01', 'gestures')
os.makedirs(task)
rng = np.random.default_rng(3)
rows = []
offset = {'rest': 0.0, 'fist': 2.0, 'open': -2.0}
with h5py.File(os.path.join(task, 'emg.hdf5'), 'w') as f:
    for i in range(${TRIALS}):
        gesture = ['rest', 'fist', 'open'][i % 3]
        rows.append({'gesture': gesture, 'force': round(float(rng.uniform()), 3), 'block': 0, 'trial': i})
        f.create_dataset(str(i), data=offset[gesture] + 0.1 * rng.standard_normal((3, 500)) + np.sin(np.arange(500) / 20) * 0.3)
pd.DataFrame(rows).to_csv(os.path.join(task, 'trials.csv'), index=False)
json.dump({'sample_rate': 1000, 'channel_names': ['FDS', 'EDC', 'FCU']}, open(os.path.join(task, 'emg.json'), 'w'))
`;

/** numpy (and scipy for the envelope) on the same files: per gesture, mean and sem as (channels, samples). */
const NUMPY_GROUPS = `
import sys, json, numpy as np, pandas as pd, h5py, scipy.signal as sg
task = sys.argv[1]
trials = pd.read_csv(task + '/trials.csv')
with h5py.File(task + '/emg.hdf5', 'r') as f:
    x = np.stack([f[str(i)][()] for i in range(len(trials))])
env = sg.sosfiltfilt(sg.butter(2, 6, fs=1000, output='sos'), np.abs(x), axis=-1)
out = {}
for name, data in (('raw', x), ('envelope', env)):
    out[name] = {g: {'n': int((trials.gesture == g).sum()), 'mean': data[(trials.gesture == g).to_numpy()].mean(axis=0).tolist(),
                     'sem': (data[(trials.gesture == g).to_numpy()].std(axis=0, ddof=1) / np.sqrt((trials.gesture == g).sum())).tolist()}
                 for g in pd.unique(trials.gesture)}
print(json.dumps(out))
`;

const AXOPY_FEATURES = `
import sys, json, numpy as np, h5py
from axopy.features import time as f
with h5py.File(sys.argv[1] + '/emg.hdf5', 'r') as h:
    x = np.stack([h[str(i)][()] for i in range(${TRIALS})])
print(json.dumps({name: fn(x).tolist() for name, fn in (
  ('mav', f.mean_absolute_value), ('rms', f.root_mean_square), ('wl', f.waveform_length), ('zc', f.zero_crossings),
  ('ssc', f.slope_sign_changes), ('iemg', f.integrated_emg), ('logvar', f.logvar))}))
`;

interface IGroupState {
  label: string;
  count: number;
  color: [number, number, number];
  mean: number[][];
  sem: number[][];
}
interface IAnalysisState {
  mode: string;
  grouping: string | undefined;
  filterText: string;
  progress: { done: number; total: number };
  busy: boolean;
  channelNames: string[];
  xLabel: string;
  groups: IGroupState[];
  overlayRows: number[];
  overlayRanges: ([number, number] | null)[];
  hoveredTrial: number | undefined;
  trialSpectrum: { row: number; frequencies: number[]; psd: number[][] } | undefined;
  draws: number;
}
type Expected = Record<string, Record<string, { n: number; mean: number[][]; sem: number[][] }>>;

/** numpy's groups (NUMPY_GROUPS) for the task under `rootDir`. */
function numpyGroups(rootDir: string): Expected {
  return JSON.parse(
    execFileSync(CURRENT_PYTHON, ['-c', NUMPY_GROUPS, path.join(rootDir, TASK)], { encoding: 'utf8' })
  ) as Expected;
}

const test = storageServerTest('axopy-e2e-analysis-', dir => {
  execFileSync(CURRENT_PYTHON, ['-c', WRITE_TASK, path.join(dir, 'data')]);
});

function analysis(page: Page): Promise<IAnalysisState | undefined> {
  return page.evaluate(
    ([task]) => JSON.parse(JSON.stringify((window as any).__axopyPreviews?.[task]?.analysis?.emg ?? null)) ?? undefined,
    [TASK]
  );
}

async function waitForAnalysis(
  page: Page,
  check: (s: IAnalysisState) => boolean,
  timeout = 30_000
): Promise<IAnalysisState> {
  let last: IAnalysisState | undefined;
  await expect.poll(async () => (last = await analysis(page)) !== undefined && check(last), { timeout }).toBe(true);
  return last!;
}

function assertClose(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  const scale = Math.max(...expected.flat().map(Math.abs));
  const worst = Math.max(...actual.flat().map((v, i) => Math.abs(v - expected.flat()[i])));
  expect(actual.flat().length, `${what}: size`).toBe(expected.flat().length);
  expect(worst, `${what}: max error ${worst} against a scale of ${scale}`).toBeLessThanOrEqual(tolerance * scale);
}

function assertGroups(state: IAnalysisState, expected: Expected[string], tolerance: number): void {
  expect(state.groups.map(g => g.label)).toEqual(['gesture = rest', 'gesture = fist', 'gesture = open']);
  for (const group of state.groups) {
    const e = expected[group.label.replace('gesture = ', '')];
    expect(group.count).toBe(e.n);
    assertClose(group.mean, e.mean, tolerance, `mean of ${group.label}`);
    assertClose(group.sem, e.sem, tolerance, `sem of ${group.label}`);
  }
}

const section = (page: Page) => page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"] [data-array="emg"]`);

async function averageGroupedByGesture(page: Page): Promise<IAnalysisState> {
  await openPreview(page, TASK);
  await waitForPreview(page, TASK, s => s.rowCount === TRIALS && s.arrays.emg?.status === 'plotted');
  await section(page).locator('button[data-mode="average"]').click();
  await waitForAnalysis(page, s => s.groups.length > 0);
  await section(page).locator('[data-control="grouping"] select').selectOption('gesture');
  await waitForAnalysis(
    page,
    s => s.grouping === 'gesture' && s.progress.done === TRIALS && !s.busy && s.groups.length === 3
  );
  // Drawn with every trial in: the legend (made with the plots) says so.
  await expect(section(page).locator('.jp-AxoPyAnalysis-caption')).toContainText(`${TRIALS} of ${TRIALS} kept trials`);
  await expect(section(page).locator('.jp-AxoPyAnalysis-legend')).toContainText('gesture = open (n = 8)');
  return (await analysis(page))!;
}

test('Average by gesture equals numpy; one coloured band per group on the canvas; legend sizes', async ({
  page,
  problems,
  storageServer
}) => {
  const expected = numpyGroups(storageServer.rootDir);
  const state = await averageGroupedByGesture(page);
  assertGroups(state, expected.raw, 1e-12);
  expect(state.channelNames).toEqual(['FDS', 'EDC', 'FCU']);
  expect(state.xLabel).toBe('time (s)');
  await expect(section(page).locator('.jp-AxoPyAnalysis-legend')).toContainText('gesture = fist (n = 8)');
  // Pixels of the first channel's canvas: each group's colour is there, in its own rows (the
  // groups are 2 apart: rest in the middle, fist above, open below).
  const rowsOfColor = await page.evaluate(
    ({ colors }) => {
      const canvas = document.querySelector('.jp-AxoPyAnalysis-plots canvas') as HTMLCanvasElement;
      const { width, height } = canvas;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
      return colors.map(([r, g, b]) => {
        const rows: number[] = [];
        for (let y = 0; y < height; y++) {
          let hits = 0;
          for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) < 30) hits++;
          }
          if (hits > width / 10) rows.push(y);
        }
        return rows;
      });
    },
    { colors: state.groups.map(g => g.color) }
  );
  const centre = (rows: number[]) => rows.reduce((a, b) => a + b, 0) / rows.length;
  rowsOfColor.forEach((rows, i) =>
    expect(rows.length, `pixel rows of ${state.groups[i].label}'s colour`).toBeGreaterThan(0)
  );
  const [rest, fist, open] = rowsOfColor.map(centre);
  expect(fist).toBeLessThan(rest);
  expect(rest).toBeLessThan(open);
  expect(problems).toEqual([]);
});

test("the worker's reads of the trials go to the extension's endpoint, asking about the file's journal; each answer says there is none", async ({
  page,
  problems,
  storageServer
}) => {
  const endpoint = `/jupyterlab-axopy/files/${TASK}/emg.hdf5`;
  const asked: (string | undefined)[] = [];
  const said: (string | undefined)[] = [];
  page.on('request', request => {
    if (request.url().includes(endpoint)) asked.push(request.headers()['x-axopy-sibling']);
  });
  page.on('response', response => {
    if (response.url().includes(endpoint)) said.push(response.headers()['x-axopy-sibling-exists']);
  });
  const state = await averageGroupedByGesture(page);
  assertGroups(state, numpyGroups(storageServer.rootDir).raw, 1e-12);
  // The tree's nodes and the trials' data (one chunk of 24 here): the name is the journal's as
  // the kernel's writer makes it, and the server finds none (as there is none on disk).
  expect(asked.length).toBeGreaterThanOrEqual(2);
  expect(new Set(asked)).toEqual(new Set(['emg.hdf5-journal']));
  expect(said.length).toBe(asked.length);
  expect(new Set(said)).toEqual(new Set(['0']));
  expect(existsSync(path.join(storageServer.rootDir, TASK, 'emg.hdf5-journal'))).toBe(false);
  expect(problems).toEqual([]);
});

test('Feature columns, once asked for, in the trials table equal Python AxoPy features', async ({
  page,
  problems,
  storageServer
}) => {
  const features = JSON.parse(
    execFileSync(PYTHON, ['-c', AXOPY_FEATURES, path.join(storageServer.rootDir, TASK)], { encoding: 'utf8' })
  ) as Record<string, number[][]>;
  await averageGroupedByGesture(page);
  // On demand: none until the box is ticked (the average does not compute them).
  expect((await waitForPreview(page, TASK, () => true)).columns.some(c => c.startsWith('rms_'))).toBe(false);
  await section(page).locator('[data-control="features"] input').check();
  const table = await waitForPreview(
    page,
    TASK,
    s => s.columns.includes('logvar_FCU') && !s.viewCells.some(row => row.includes('NaN'))
  );
  for (const [name, values] of Object.entries(features)) {
    ['FDS', 'EDC', 'FCU'].forEach((channel, c) => {
      const column = table.columns.indexOf(`${name}_${channel}`);
      expect(column, `${name}_${channel} column`).toBeGreaterThan(-1);
      table.viewTrials.forEach((trial, r) => {
        const shown = Number(table.viewCells[r][column]);
        const want = values[trial][c];
        expect(Math.abs(shown - want), `${name}_${channel} of trial ${trial}: ${shown} vs ${want}`).toBeLessThanOrEqual(
          1e-12 * Math.abs(want)
        );
      });
    });
  }
  expect(table.dtypes.rms_FDS).toBe('float64');
  // They filter like other columns.
  const median = [...features.rms.map(r => r[0])].sort((a, b) => a - b)[TRIALS / 2];
  await page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"] .jp-AxoPyPreview-filter`).fill(`rms_FDS >= ${median}`);
  const filtered = await waitForPreview(page, TASK, s => s.viewTrials.length === TRIALS / 2);
  expect(filtered.viewTrials.every(t => features.rms[t][0] >= median)).toBe(true);
  expect(problems).toEqual([]);
});

/**
 * numpy on channel 0, one column per sample (500 samples under the 512-column cap), each
 * column's span joined to the next sample, columns stretched over the plot's width (argv):
 * the pixel column and edge (top or bottom) where the outermost trial stands farthest from
 * the next one over the columns that pixel shows; that trial, and a value a third of the gap
 * inside it, where its trace is nearest and every other one twice as far.
 */
const NUMPY_LONE_TRACE = `
import sys, json, numpy as np, h5py
with h5py.File(sys.argv[1] + '/emg.hdf5', 'r') as h:
    x = np.stack([h[str(i)][()] for i in range(${TRIALS})])[:, 0, :]
n = x.shape[1]; width = int(sys.argv[2])
best = None
for px in range(width):
    first = px * n // width; last = min(n - 1, -(-(px + 1) * n // width) - 1)
    seg = x[:, first:min(last + 1, n - 1) + 1]
    top = seg.max(axis=1); bottom = seg.min(axis=1)
    hi = np.sort(top); lo = np.sort(bottom)
    for gap, row, value in ((hi[-1] - hi[-2], int(top.argmax()), hi[-1] - (hi[-1] - hi[-2]) / 3),
                            (lo[1] - lo[0], int(bottom.argmin()), lo[0] + (lo[1] - lo[0]) / 3)):
        if best is None or gap > best['gap']:
            best = {'gap': float(gap), 'row': row, 'pixel': px, 'value': float(value)}
print(json.dumps(best))
`;

test('Overlay: every kept trial drawn; the trace numpy finds at a pixel is named there and a click selects it', async ({
  page,
  problems,
  storageServer
}) => {
  const taskDir = path.join(storageServer.rootDir, TASK);
  await averageGroupedByGesture(page);
  await section(page).locator('button[data-mode="overlay"]').click();
  const state = await waitForAnalysis(page, s => s.mode === 'overlay' && s.overlayRows.length === TRIALS && !s.busy);
  await expect(section(page).locator('.jp-AxoPyAnalysis-caption')).toContainText(`${TRIALS} traces drawn`);
  const [low, high] = state.overlayRanges[0]!;
  const over = section(page).locator('.jp-AxoPyAnalysis-plots .u-over').first();
  const box = (await over.boundingBox())!;
  const lone = JSON.parse(
    execFileSync(CURRENT_PYTHON, ['-c', NUMPY_LONE_TRACE, taskDir, String(Math.round(box.width))], {
      encoding: 'utf8'
    })
  ) as { gap: number; row: number; pixel: number; value: number };
  expect(lone.gap / (high - low), 'the lone trace stands 3 px apart at least').toBeGreaterThan(3 / box.height);
  await page.mouse.move(box.x + lone.pixel + 0.5, box.y + ((high - lone.value) / (high - low)) * box.height);
  await waitForAnalysis(page, s => s.hoveredTrial === lone.row);
  await expect(section(page).locator('.jp-AxoPyAnalysis-hover')).toContainText(`trial ${lone.row}`);
  await page.mouse.down();
  await page.mouse.up();
  await waitForPreview(page, TASK, s => s.selectedTrial === lone.row);

  // A table filter: the overlay draws every trial it keeps (pandas' rows), from the spans read.
  const kept = JSON.parse(
    execFileSync(
      CURRENT_PYTHON,
      [
        '-c',
        "import sys, json, pandas as pd; t = pd.read_csv(sys.argv[1] + '/trials.csv'); print(json.dumps(t.index[t.force > 0.5].tolist()))",
        taskDir
      ],
      { encoding: 'utf8' }
    )
  ) as number[];
  await page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"] .jp-AxoPyPreview-filter`).fill('force > 0.5');
  const filtered = await waitForAnalysis(page, s => s.overlayRows.length === kept.length && !s.busy);
  expect([...filtered.overlayRows].sort((a, b) => a - b)).toEqual(kept);
  await expect(section(page).locator('.jp-AxoPyAnalysis-caption')).toContainText(`${kept.length} traces drawn`);
  expect(problems).toEqual([]);
});

test('Changing the display filter redraws with the filtered averages and states the filter', async ({
  page,
  problems,
  storageServer
}) => {
  const expected = numpyGroups(storageServer.rootDir);
  const before = await averageGroupedByGesture(page);
  await section(page).locator('input[data-filter="envelope"]').check();
  const after = await waitForAnalysis(
    page,
    s => /envelope/.test(s.filterText) && s.progress.done === TRIALS && !s.busy && s.draws > before.draws
  );
  expect(after.filterText).toContain('rectified, envelope low-pass 6 Hz (order 2)');
  assertGroups(after, expected.envelope, 1e-9);
  await expect(section(page).locator('.jp-AxoPyAnalysis-caption')).toContainText('envelope low-pass 6 Hz');
  expect(problems).toEqual([]);
});

const SCIPY_WELCH = `
import sys, json, numpy as np, h5py, scipy.signal as sg
with h5py.File(sys.argv[1] + '/emg.hdf5', 'r') as h:
    out = {}
    for row in (0, 4):
        f, p = sg.welch(h[str(row)][()], fs=1000)
        out[row] = {'f': f.tolist(), 'p': p.tolist()}
print(json.dumps(out))
`;

test("Spectrum: the selected trial's Welch PSD equals scipy.signal.welch, and follows the selection", async ({
  page,
  problems,
  storageServer
}) => {
  const expected = JSON.parse(
    execFileSync(CURRENT_PYTHON, ['-c', SCIPY_WELCH, path.join(storageServer.rootDir, TASK)], { encoding: 'utf8' })
  ) as Record<string, { f: number[]; p: number[][] }>;
  await averageGroupedByGesture(page);
  await section(page).locator('button[data-mode="spectrum"]').click();
  let state = await waitForAnalysis(page, s => s.mode === 'spectrum' && s.trialSpectrum?.row === 0);
  assertClose([state.trialSpectrum!.frequencies], [expected[0].f], 1e-12, 'frequencies');
  assertClose(state.trialSpectrum!.psd, expected[0].p, 1e-9, 'PSD of trial 0');
  await page
    .locator(`.jp-AxoPyPreview[data-task-path="${TASK}"] .jp-AxoPyPreview-grid`)
    .click({ position: { x: 120, y: 24 + 22 * 4 + 11 } });
  state = await waitForAnalysis(page, s => s.trialSpectrum?.row === 4);
  assertClose(state.trialSpectrum!.psd, expected[4].p, 1e-9, 'PSD of trial 4');
  expect(problems).toEqual([]);
});
