/**
 * Prints, for the trial previews in a real JupyterLab in headless Chromium (software canvas, as
 * in the end-to-end tests), the time from the user's action (running "Preview Task" on a task,
 * as its context-menu item does) to the frame that shows the plot of the trial the preview
 * selects (trial 0) of a >= 1 GB array file written by h5py:
 *  - warm: the storage sidebar was shown 3 s before, which starts the HDF5 worker and compiles
 *    h5wasm (what a user who right-clicks a task in the sidebar has);
 *  - cold: the command run as soon as JupyterLab answers (worker start-up and h5wasm compile
 *    included).
 * Each on a fresh page (no HTTP cache, nothing opened before), several times: the machine is
 * shared and noisy, so the median and every run are printed. Then the bytes moved for the
 * preview (HTTP Range reads, counted after the table shows too; AXOPY_BENCH_VERBOSE=1 lists
 * them), the time to plot another trial, and the time to show a 2000-trial table.
 *
 * Timing is taken inside the page (performance.now() before the command, and after the paint
 * of the first frame that shows the plot), so it holds no DevTools round trips or polling
 * delays; earlier versions of this script timed from Node and read 150-200 ms more.
 *
 * Run (after npm run build:lab and bash scripts/build-e2e.sh):
 *   npm run build:tests && node build/benchmarks/previews.js [warm runs, default 5]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { makeServerFolders, repoRoot, startLabServer } from '../ui-tests/lab-server.js';
import { PYTHON } from '../tests/helpers/python';
import { installPaintTimer } from './paint-timer.js';

const WRITER = path.join(repoRoot, 'tests', 'python', 'write_preview_storage.py');
const [TRIALS, CHANNELS, SAMPLES] = [130, 8, 125_000];
const BIG_TASK = 'data/p02/big';
const PLOTTED = "s.arrays.emg && s.arrays.emg.status === 'plotted'";
const COLD_RUNS = 2;

/**
 * Runs `action` in the page (a command, or a click on a trial) and returns the ms from just
 * before it to the end of the first frame in which the preview's published state satisfies
 * `ready` (a state is published synchronously with what it describes, so that frame paints
 * it; the end is taken by a task posted from the frame's animation callback, which runs once
 * the frame's style, layout and paint are done).
 */
async function timeInPage(page: Page, taskPath: string, action: string, ready: string): Promise<number> {
  return page.evaluate(
    async ([p, act, condition]) => {
      const check = new Function('s', `return ${condition}`) as (s: unknown) => boolean;
      const start = performance.now();
      // Not awaited: the command's promise resolves with the widget, before anything is read.
      void new Function('app', `return ${act}`)((globalThis as any).jupyterapp);
      return (globalThis as any).__axopyMsUntilPainted(
        start,
        () => {
          const state = (globalThis as any).__axopyPreviews?.[p];
          return state !== undefined && check(state);
        },
        condition
      ) as Promise<number>;
    },
    [taskPath, action, ready] as const
  );
}

function previewCommand(taskPath: string): string {
  return `app.commands.execute('jupyterlab-axopy:preview-task', { path: ${JSON.stringify(taskPath)} })`;
}

async function openLab(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await installPaintTimer(page);
  await page.goto(`${url}/lab`);
  await page.waitForFunction(
    () => (globalThis as any).jupyterapp?.commands?.hasCommand('jupyterlab-axopy:preview-task'),
    undefined,
    { timeout: 60_000 }
  );
  return page;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function figures(values: number[]): string {
  return `median ${Math.round(median(values))} ms (runs: ${values.map(Math.round).join(', ')})`;
}

async function main(): Promise<void> {
  const warmRuns = Number(process.argv[2] ?? 5);
  const folders = makeServerFolders('axopy-bench-previews-');
  const data = path.join(folders.rootDir, 'data');
  const started = Date.now();
  execFileSync(PYTHON, [WRITER, 'big', data, String(TRIALS), String(CHANNELS), String(SAMPLES)]);
  execFileSync(PYTHON, [WRITER, 'rows', data, '2000']);
  const fileBytes = fs.statSync(path.join(data, 'p02', 'big', 'emg.hdf5')).size;
  const trialBytes = CHANNELS * SAMPLES * 8;
  console.log(`wrote ${(fileBytes / 1e9).toFixed(2)} GB with h5py in ${Date.now() - started} ms`);
  console.log(
    `first plot: trial 0 (${CHANNELS} x ${SAMPLES} float64, ${trialBytes} bytes) of a ${fileBytes}-byte file, from the command to the frame showing it`
  );
  const server = await startLabServer({ rootDir: folders.rootDir, token: '', stateDir: folders.stateDir });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu']
  });
  try {
    const cold: number[] = [];
    for (let run = 0; run < COLD_RUNS; run++) {
      const page = await openLab(browser, server.url);
      cold.push(await timeInPage(page, BIG_TASK, previewCommand(BIG_TASK), PLOTTED));
      await page.close();
    }
    console.log(`  cold (command at page load; worker start-up and h5wasm compile included): ${figures(cold)}`);

    const warm: number[] = [];
    let last: { page: Page; moved: { bytes: number; requests: number } } | undefined;
    for (let run = 0; run < warmRuns; run++) {
      const page = await openLab(browser, server.url);
      const moved = countTransfers(page);
      await page.evaluate(() => (globalThis as any).jupyterapp.shell.activateById('jupyterlab-axopy-storage'));
      await page.waitForTimeout(3000);
      warm.push(await timeInPage(page, BIG_TASK, previewCommand(BIG_TASK), PLOTTED));
      await last?.page.close();
      last = { page, moved };
    }
    console.log(`  warm (sidebar shown 3 s before: worker started, h5wasm compiled): ${figures(warm)}`);
    if (last !== undefined) await moreOnThisPage(last.page, last.moved, trialBytes);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
}

/** Bytes the page (its workers included) received for the big array file, counted as they come. */
function countTransfers(page: Page): { bytes: number; requests: number } {
  const moved = { bytes: 0, requests: 0 };
  page.on('response', response => {
    if (response.url().includes('/files/data/p02/big/emg.hdf5')) {
      moved.requests++;
      moved.bytes += Number(response.headers()['content-length'] ?? 0);
      if (process.env.AXOPY_BENCH_VERBOSE) console.log(`    range ${response.request().headers()['range']}`);
    }
  });
  return moved;
}

/** On a page that has just plotted trial 0 of the big task: bytes moved, another trial, a 2000-row table. */
async function moreOnThisPage(
  page: Page,
  moved: { bytes: number; requests: number },
  trialBytes: number
): Promise<void> {
  // Counted once the table shows too (it selects trial 0, which must not be read again).
  await page.waitForFunction(([p, rows]) => (globalThis as any).__axopyPreviews?.[p]?.rowCount === rows, [
    BIG_TASK,
    TRIALS
  ] as const);
  await page.waitForTimeout(500);
  console.log(
    `bytes moved for the first plot (table shown): ${moved.bytes} in ${moved.requests} range requests (${(moved.bytes / trialBytes).toFixed(3)} x the trial)`
  );

  const box = await page.locator(`.jp-AxoPyPreview[data-task-path="${BIG_TASK}"] .jp-AxoPyPreview-grid`).boundingBox();
  if (box === null) throw new Error('no trials table');
  // A click on the 6th row (trial 5): header 24 px, rows 22 px.
  const [x, y] = [box.x + 100, box.y + 24 + 22 * 5 + 11];
  const another = await timeInPage(
    page,
    BIG_TASK,
    `(() => { const target = document.elementFromPoint(${x}, ${y}); for (const type of ['mousedown', 'mouseup']) target.dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: ${x}, clientY: ${y}, button: 0 })); })()`,
    "s.selectedTrial === 5 && s.arrays.emg.status === 'plotted' && s.arrays.emg.dataset === '5'"
  );
  console.log(`another trial (5) plotted in ${Math.round(another)} ms; bytes moved so far ${moved.bytes}`);
  const table = await timeInPage(page, 'data/p03/rows', previewCommand('data/p03/rows'), 's.rowCount === 2000');
  console.log(`2000-trial table shown in ${Math.round(table)} ms (a task with trials.csv only)`);
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
