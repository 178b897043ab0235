/**
 * Sample rate and channel names from the previews' `arrayMetadata` setting (per storage root
 * and array) on a task Python wrote without a sidecar: the trial plot and the analysis view say
 * seconds and the names, with x values samples / rate as numpy computes them; a change of the
 * setting relabels an open preview; a task's own `<array>.json` sidecar wins over the setting.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { openPreview, storageServerTest, waitForPreview } from '../fixtures';
import { CURRENT_PYTHON } from '../../tests/helpers/python';

const PLAIN = 'data/p01/plain';
const SIDED = 'data/p01/sided';
const BROKEN = 'data/p01/broken';
const SAMPLES = 300;

const WRITE_TASKS = `
import sys, os, json, numpy as np, pandas as pd, h5py
rng = np.random.default_rng(7)
for name in ('plain', 'sided', 'broken'):
    task = os.path.join(sys.argv[1], 'p01', name)
    os.makedirs(task)
    with h5py.File(os.path.join(task, 'emg.hdf5'), 'w') as f:
        for i in range(6):
            f.create_dataset(str(i), data=rng.standard_normal((3, ${SAMPLES})))
    pd.DataFrame({'gesture': ['rest', 'fist'] * 3, 'trial': range(6)}).to_csv(os.path.join(task, 'trials.csv'), index=False)
open(os.path.join(sys.argv[1], 'p01', 'broken', 'emg.json'), 'w').write('{"sample_rate": 500,')
json.dump({'sample_rate': 500, 'channel_names': ['ECU', 'FCR', 'PL']}, open(os.path.join(sys.argv[1], 'p01', 'sided', 'emg.json'), 'w'))
`;

/** numpy: the seconds of samples 0..n-1 at `rate`, and of the given sample positions. */
const NUMPY_SECONDS = `
import sys, json, numpy as np
rate = float(sys.argv[1]); ticks = np.asarray(json.loads(sys.argv[2]), dtype=float)
print(json.dumps({'samples': (np.arange(${SAMPLES}) / rate).tolist(), 'ticks': (ticks / rate).tolist()}))
`;

const test = storageServerTest('axopy-e2e-axes-', dir => {
  execFileSync(CURRENT_PYTHON, ['-c', WRITE_TASKS, path.join(dir, 'data')]);
});

interface IPlotState {
  xLabel: string;
  xTitle: string;
  sampleRate: number | undefined;
  xTicks: number[];
  xTickLabels: string[];
  channels: { name: string }[];
}
interface IAnalysisAxes {
  busy: boolean;
  groups: unknown[];
  channelNames: string[];
  xLabel: string;
  xTitle: string;
  xValues: number[];
}

function numpySeconds(rate: number, ticks: number[]): { samples: number[]; ticks: number[] } {
  return JSON.parse(
    execFileSync(CURRENT_PYTHON, ['-c', NUMPY_SECONDS, String(rate), JSON.stringify(ticks)], { encoding: 'utf8' })
  );
}

async function setArrayMetadata(page: Page, value: unknown[]): Promise<void> {
  await page.evaluate(async v => {
    const registry = (await window.galata.getPlugin('@jupyterlab/apputils-extension:settings')) as {
      set(plugin: string, key: string, value: unknown): Promise<void>;
    };
    await registry.set('jupyterlab-axopy:previews', 'arrayMetadata', v);
  }, value);
}

async function plotWith(page: Page, task: string, check: (plot: IPlotState) => boolean): Promise<IPlotState> {
  const state = await waitForPreview(page, task, s => {
    const plot = s.arrays.emg?.summary as unknown as IPlotState | undefined;
    return s.arrays.emg?.status === 'plotted' && plot !== undefined && plot.xTicks.length > 1 && check(plot);
  });
  return state.arrays.emg.summary as unknown as IPlotState;
}

async function averageWith(page: Page, task: string, check: (a: IAnalysisAxes) => boolean): Promise<IAnalysisAxes> {
  let last: IAnalysisAxes | undefined;
  const read = () =>
    page.evaluate(
      t => JSON.parse(JSON.stringify((window as any).__axopyPreviews?.[t]?.analysis?.emg ?? null)) ?? undefined,
      task
    );
  await expect
    .poll(async () => (last = await read()) !== undefined && !last.busy && last.groups.length > 0 && check(last), {
      timeout: 30_000
    })
    .toBe(true);
  return last!;
}

function section(page: Page, task: string) {
  return page.locator(`.jp-AxoPyPreview[data-task-path="${task}"] [data-array="emg"]`);
}

function expectSeconds(plot: IPlotState, rate: number): void {
  const numpy = numpySeconds(rate, plot.xTicks);
  plot.xTickLabels.map(Number).forEach((label, i) => expect(label).toBeCloseTo(numpy.ticks[i], 9));
}

test('the setting labels a task without a sidecar in seconds and names; a change relabels the open preview', async ({
  page,
  problems
}) => {
  await setArrayMetadata(page, [{ root: 'data', array: 'emg', sampleRate: 2000, channelNames: ['FDS', 'EDC', 'FCU'] }]);
  await openPreview(page, PLAIN);
  let plot = await plotWith(page, PLAIN, p => p.sampleRate === 2000);
  expect(plot.xLabel).toBe('time (s)');
  expect(plot.xTitle).toBe('time (s), 2000 Hz from settings');
  expect(plot.channels.map(c => c.name)).toEqual(['FDS', 'EDC', 'FCU']);
  expectSeconds(plot, 2000);

  await section(page, PLAIN).locator('button[data-mode="average"]').click();
  let average = await averageWith(page, PLAIN, a => a.xValues.length === SAMPLES);
  expect(average.xLabel).toBe('time (s)');
  expect(average.xTitle).toBe('time (s), 2000 Hz from settings');
  expect(average.channelNames).toEqual(['FDS', 'EDC', 'FCU']);
  let numpy = numpySeconds(2000, []);
  average.xValues.forEach((x, i) => expect(x).toBeCloseTo(numpy.samples[i], 12));

  // The setting changes: the open preview follows, without being opened again.
  await setArrayMetadata(page, [{ root: 'data', sampleRate: 1000 }]);
  average = await averageWith(page, PLAIN, a => a.xTitle === 'time (s), 1000 Hz from settings');
  expect(average.channelNames).toEqual(['channel 0', 'channel 1', 'channel 2']);
  numpy = numpySeconds(1000, []);
  average.xValues.forEach((x, i) => expect(x).toBeCloseTo(numpy.samples[i], 12));
  await section(page, PLAIN).locator('button[data-mode="trial"]').click();
  plot = await plotWith(page, PLAIN, p => p.sampleRate === 1000);
  expect(plot.channels.map(c => c.name)).toEqual(['channel 0', 'channel 1', 'channel 2']);
  expectSeconds(plot, 1000);

  // No setting: samples and numbered channels.
  await setArrayMetadata(page, []);
  plot = await plotWith(page, PLAIN, p => p.sampleRate === undefined);
  expect(plot.xLabel).toBe('sample');
  expect(plot.xTitle).toBe('sample');
  expect(plot.xTickLabels.map(Number)).toEqual(plot.xTicks);
  expect(problems).toEqual([]);
});

test("a task's sidecar wins over the setting, and the axes say it is the sidecar", async ({ page, problems }) => {
  await setArrayMetadata(page, [{ root: 'data', array: 'emg', sampleRate: 2000, channelNames: ['FDS', 'EDC', 'FCU'] }]);
  await openPreview(page, SIDED);
  const from = `time (s), 500 Hz from ${SIDED}/emg.json`;
  const plot = await plotWith(page, SIDED, p => p.sampleRate !== undefined);
  expect(plot.sampleRate).toBe(500);
  expect(plot.xTitle).toBe(from);
  expect(plot.channels.map(c => c.name)).toEqual(['ECU', 'FCR', 'PL']);
  expectSeconds(plot, 500);
  // The average draws every sample of these short trials (the overlay draws pixel columns).
  await section(page, SIDED).locator('button[data-mode="average"]').click();
  const average = await averageWith(page, SIDED, a => a.xValues.length === SAMPLES);
  expect(average.xTitle).toBe(from);
  expect(average.channelNames).toEqual(['ECU', 'FCR', 'PL']);
  const numpy = numpySeconds(500, []);
  average.xValues.forEach((x, i) => expect(x).toBeCloseTo(numpy.samples[i], 12));
  expect(problems).toEqual([]);
});

test('a malformed sidecar is said and not used, in the trial plot and the analysis view alike: the setting applies', async ({
  page,
  problems
}) => {
  await setArrayMetadata(page, [{ root: 'data', sampleRate: 2000 }]);
  await openPreview(page, BROKEN);
  const plot = await plotWith(page, BROKEN, p => p.sampleRate !== undefined);
  expect(plot.xTitle).toBe('time (s), 2000 Hz from settings');
  await expect(section(page, BROKEN).locator('.jp-AxoPyPreview-plotNote')).toContainText('emg.json not used');
  await section(page, BROKEN).locator('button[data-mode="average"]').click();
  const average = await averageWith(page, BROKEN, a => a.xValues.length === SAMPLES);
  expect(average.xTitle).toBe('time (s), 2000 Hz from settings');
  expect(average.channelNames).toEqual(['channel 0', 'channel 1', 'channel 2']);
  expect(problems).toEqual([]);
});
