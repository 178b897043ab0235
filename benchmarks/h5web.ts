/**
 * Side by side with the viewer users have: in ONE JupyterLab (.venv-peers: JupyterLab 4.6.3 with
 * jupyterlab-axopy and jupyterlab-h5web from PyPI), open trial 0 (8 x 125 000 float64) of a
 * >= 1 GB AxoPy array file written by h5py in each, and print the time to the first plot and the
 * bytes moved, cold and warm, runs interleaved (ours, h5web, ours, h5web, ...).
 *
 * - ours: "Preview Task" on the task (what its context-menu item runs) to the frame showing the
 *   plot of trial 0 (the preview publishes its state with what it draws); bytes: the HTTP Range
 *   reads of /files/.../emg.hdf5.
 * - h5web: "h5web-open" on the file (what a double-click on it runs), then, as soon as they
 *   appear, a click on dataset "0" and on "Line" (h5web's default view of a 2-D dataset, the
 *   heatmap, draws nothing for 8 x 125 000 here: "Image in DataTexture is too big"), to the
 *   first frame painted after its data requests ended with the line canvas present; bytes: the
 *   /h5web/ API responses (h5grove reads with h5py on the server).
 * - cold: on a page just loaded; warm: ours after the sidebar was shown 3 s before (HDF5 worker
 *   started, h5wasm compiled), h5web after the same file was opened and closed once on the page.
 *
 * Run: bash scripts/setup-python.sh --peers && bash scripts/install-wheel.sh .venv-peers &&
 *      npm run build:tests && node build/benchmarks/h5web.js [runs, default 3]
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
const TASK = 'data/p02/big';
const FILE = `${TASK}/emg.hdf5`;
// Software WebGL, so that h5web's canvas renders at all (ours draws on a 2-D canvas).
const BROWSER_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

interface IMeasure {
  ms: number;
  bytes: number;
  requests: number;
}

/** Counts the bytes of the responses whose URL contains one of `parts`, from now on. */
function countBytes(page: Page, parts: string[]): { bytes: number; requests: number } {
  const moved = { bytes: 0, requests: 0 };
  page.on('response', response => {
    if (parts.some(part => response.url().includes(part))) {
      moved.requests++;
      moved.bytes += Number(response.headers()['content-length'] ?? 0);
    }
  });
  return moved;
}

async function openLab(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await installPaintTimer(page);
  await page.goto(`${url}/lab`);
  await page.waitForFunction(
    () => {
      const commands = (globalThis as any).jupyterapp?.commands;
      return ['jupyterlab-axopy:preview-task', 'h5web-open', 'filebrowser:go-to-path'].every(id =>
        commands?.hasCommand(id)
      );
    },
    undefined,
    { timeout: 60_000 }
  );
  return page;
}

/** Ours: Preview Task to the frame that shows trial 0's plot. */
async function timeOurs(page: Page): Promise<number> {
  return page.evaluate(async task => {
    const start = performance.now();
    void (globalThis as any).jupyterapp.commands.execute('jupyterlab-axopy:preview-task', { path: task });
    return (globalThis as any).__axopyMsUntilPainted(
      start,
      () => (globalThis as any).__axopyPreviews?.[task]?.arrays?.emg?.status === 'plotted',
      'ours: trial 0 plotted'
    ) as Promise<number>;
  }, TASK);
}

/** h5web: open the file, click "0" and "Line" as soon as each shows, to the painted line. */
async function timeH5web(page: Page): Promise<number> {
  return page.evaluate(async file => {
    const commands = (globalThis as any).jupyterapp.commands;
    const start = performance.now();
    await commands.execute('filebrowser:go-to-path', { path: file });
    void commands.execute('h5web-open');
    const dataRequests = () =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
        entry => entry.name.includes('/h5web/data') && entry.startTime >= start
      );
    let settledFrames = 0;
    return (globalThis as any).__axopyMsUntilPainted(
      start,
      () => {
        const root = document.querySelector('.h5web-root');
        const dataset = root?.querySelector<HTMLElement>('[role="treeitem"][data-path="/0"]');
        if (dataset && dataset.getAttribute('aria-selected') !== 'true') dataset.click();
        const lineTab = Array.from(root?.querySelectorAll<HTMLElement>('[role="tab"]') ?? []).find(
          tab => tab.textContent?.trim() === 'Line'
        );
        if (lineTab && lineTab.getAttribute('aria-selected') !== 'true') lineTab.click();
        const lineShown = lineTab?.getAttribute('aria-selected') === 'true' && root?.querySelector('canvas') !== null;
        // Resource timings are added once a response has ended: none pending means all ended.
        const requests = dataRequests();
        const done = lineShown && requests.length > 0 && requests.every(entry => entry.responseEnd > 0);
        settledFrames = done ? settledFrames + 1 : 0;
        // Two frames: the one that receives the data renders it in the next (React + three.js).
        return settledFrames >= 2;
      },
      'h5web: line plot of dataset 0'
    ) as Promise<number>;
  }, FILE);
}

async function measure(browser: Browser, url: string, who: 'ours' | 'h5web', warm: boolean): Promise<IMeasure> {
  const page = await openLab(browser, url);
  try {
    if (warm && who === 'ours') {
      await page.evaluate(() => (globalThis as any).jupyterapp.shell.activateById('jupyterlab-axopy-storage'));
      await page.waitForTimeout(3000);
    }
    if (warm && who === 'h5web') {
      await timeH5web(page);
      await page.evaluate(() => (globalThis as any).jupyterapp.commands.execute('application:close-all'));
      await page.waitForTimeout(1000);
    }
    const moved = countBytes(page, who === 'ours' ? [`/files/${FILE}`] : ['/h5web/']);
    const ms = who === 'ours' ? await timeOurs(page) : await timeH5web(page);
    await page.waitForTimeout(500);
    return { ms, bytes: moved.bytes, requests: moved.requests };
  } finally {
    await page.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const folders = makeServerFolders('axopy-bench-h5web-');
  const data = path.join(folders.rootDir, 'data');
  execFileSync(PYTHON, [WRITER, 'big', data, String(TRIALS), String(CHANNELS), String(SAMPLES)]);
  const fileBytes = fs.statSync(path.join(folders.rootDir, FILE)).size;
  const trialBytes = CHANNELS * SAMPLES * 8;
  console.log(
    `trial 0 (${CHANNELS} x ${SAMPLES} float64, ${trialBytes} bytes) of a ${fileBytes}-byte file written by h5py; ${runs} interleaved runs`
  );
  const server = await startLabServer({
    rootDir: folders.rootDir,
    token: '',
    stateDir: folders.stateDir,
    venv: '.venv-peers'
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
  const results: Record<string, IMeasure[]> = {};
  try {
    for (let run = 0; run < runs; run++) {
      for (const warm of [false, true]) {
        for (const who of ['ours', 'h5web'] as const) {
          const key = `${who} ${warm ? 'warm' : 'cold'}`;
          (results[key] ??= []).push(await measure(browser, server.url, who, warm));
        }
      }
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
  console.log('| viewer, start | time to first plot: median (runs) | bytes moved (x the trial) | requests |');
  console.log('| --- | --- | --- | --- |');
  for (const [key, measures] of Object.entries(results)) {
    const times = measures.map(m => Math.round(m.ms));
    const bytes = median(measures.map(m => m.bytes));
    console.log(
      `| ${key} | ${Math.round(median(times))} ms (${times.join(', ')}) | ${bytes} (${(bytes / trialBytes).toFixed(3)}x) | ${median(measures.map(m => m.requests))} |`
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
