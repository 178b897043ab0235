/**
 * Prints, for the trial previews in a real JupyterLab in headless Chromium: the time to the
 * first plot of one trial of a >= 1 GB array file written by h5py, cold (worker not started)
 * and warm (storage sidebar shown before, which starts the worker), the bytes moved for it
 * (HTTP Range reads; AXOPY_BENCH_VERBOSE=1 lists them), then the time to show a 2000-trial table.
 *
 * Run (after npm run build:lab and bash scripts/build-e2e.sh):
 *   npm run build:tests && node build/benchmarks/previews.js
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { axopyExtensionDir, makeServerFolders, repoRoot, startLabServer } from '../ui-tests/lab-server.js';

const WRITER = path.join(repoRoot, 'tests', 'python', 'write_preview_storage.py');
const [TRIALS, CHANNELS, SAMPLES] = [130, 8, 125_000];

/** Runs the preview command and waits until `ready` holds on the published state; ms taken. */
async function timeToReady(page: Page, taskPath: string, ready: string): Promise<number> {
  const start = Date.now();
  // Return nothing: the command's result (a widget) would be serialised back, at great cost.
  await page.evaluate(async p => void (await (globalThis as any).jupyterapp.commands.execute('jupyterlab-axopy:preview-task', { path: p })), taskPath);
  await page.waitForFunction(
    ([p, condition]) => {
      const state = (globalThis as any).__axopyPreviews?.[p];
      return state !== undefined && new Function('s', `return ${condition}`)(state);
    },
    [taskPath, ready] as const,
    { timeout: 120_000, polling: 20 }
  );
  return Date.now() - start;
}

async function main(): Promise<void> {
  const folders = makeServerFolders('axopy-bench-previews-');
  const data = path.join(folders.rootDir, 'data');
  let started = Date.now();
  execFileSync('/usr/bin/python3', [WRITER, 'big', data, String(TRIALS), String(CHANNELS), String(SAMPLES)]);
  execFileSync('/usr/bin/python3', [WRITER, 'rows', data, '2000']);
  const fileBytes = fs.statSync(path.join(data, 'p02', 'big', 'emg.hdf5')).size;
  console.log(`wrote ${(fileBytes / 1e9).toFixed(2)} GB with h5py in ${Date.now() - started} ms`);
  const server = await startLabServer({ rootDir: folders.rootDir, token: '', labextensionDirs: [axopyExtensionDir], stateDir: folders.stateDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    // Cold: a fresh page, the command run as soon as JupyterLab answers. The timing includes
    // the worker's start-up and h5wasm's download and compilation, listing the task, reading
    // trials.csv, opening the file, reading trial 0 and drawing it.
    const cold = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await cold.goto(`${server.url}/lab`);
    await cold.waitForFunction(() => (globalThis as any).jupyterapp?.commands?.hasCommand('jupyterlab-axopy:preview-task'), undefined, { timeout: 60_000 });
    const coldPlot = await timeToReady(cold, 'data/p02/big', "s.arrays.emg && s.arrays.emg.status === 'plotted'");
    console.log(`first plot, cold (command at page load: worker start-up and h5wasm compile included): ${coldPlot} ms`);
    await cold.close();

    // Warm: the user opens the storage sidebar (which starts the worker and compiles h5wasm),
    // looks at it for 3 s, then previews the task. Timed from the command to the plot drawn:
    // listing, trials.csv, opening the file (superblock, root group), reading trial 0, drawing.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let moved = 0;
    let requests = 0;
    page.on('response', response => {
      if (response.url().includes('/files/data/p02/big/emg.hdf5')) {
        requests++;
        moved += Number(response.headers()['content-length'] ?? 0);
        if (process.env.AXOPY_BENCH_VERBOSE) console.log(`  range ${response.request().headers()['range']} at ${Date.now() - started} ms`);
      }
    });
    started = Date.now();
    await page.goto(`${server.url}/lab`);
    await page.waitForFunction(() => (globalThis as any).jupyterapp?.commands?.hasCommand('jupyterlab-axopy:preview-task'), undefined, { timeout: 60_000 });
    console.log(`JupyterLab ready in ${Date.now() - started} ms`);
    await page.evaluate(() => (globalThis as any).jupyterapp.shell.activateById('jupyterlab-axopy-storage'));
    await page.waitForTimeout(3000);
    started = Date.now();
    const firstPlot = await timeToReady(page, 'data/p02/big', "s.arrays.emg && s.arrays.emg.status === 'plotted'");
    const trialBytes = CHANNELS * SAMPLES * 8;
    console.log(`first plot, sidebar shown 3 s before (worker warm), of trial 0 (${CHANNELS} x ${SAMPLES} float64, ${trialBytes} bytes) of a ${fileBytes}-byte file: ${firstPlot} ms`);
    console.log(`bytes moved: ${moved} in ${requests} range requests (${(moved / trialBytes).toFixed(3)} x the trial)`);
    const nextTrial = Date.now();
    await page.locator('.jp-AxoPyPreview[data-task-path="data/p02/big"] .jp-AxoPyPreview-grid').click({ position: { x: 100, y: 24 + 22 * 5 + 11 } });
    await page.waitForFunction(() => {
      const s = (globalThis as any).__axopyPreviews['data/p02/big'];
      return s.selectedTrial === 5 && s.arrays.emg.status === 'plotted' && s.arrays.emg.dataset === '5';
    }, undefined, { timeout: 60_000, polling: 20 });
    console.log(`another trial (5) plotted in ${Date.now() - nextTrial} ms; bytes moved so far ${moved}`);
    const table = await timeToReady(page, 'data/p03/rows', 's.rowCount === 2000');
    console.log(`2000-trial table shown in ${table} ms`);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
