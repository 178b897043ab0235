/// <reference lib="dom" />
/**
 * Prints how long the JupyterLab "Export as ZIP" takes on a ~1 GB task (download and server
 * save), against `zip -0 -r` on the same files, and the page's peak JS heap growth.
 * Needs `npm run build:lab` and `bash scripts/build-e2e.sh`; run with
 * `npm run build:tests && node build/benchmarks/export.js [megabytes]`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright';
import { makeServerFolders, startLabServer } from '../ui-tests/lab-server';

/** The repository (this file runs as build/benchmarks/export.js). */
const repoRoot = path.resolve(__dirname, '..', '..');
const axopyExtensionDir = path.join(repoRoot, 'labextension');

const CHECKER = path.join(repoRoot, 'tests', 'python', 'export_zip_check.py');

async function heapUsed(page: Page, cdp: { send(method: 'Performance.getMetrics'): Promise<{ metrics: { name: string; value: number }[] }> }): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  void page;
  return metrics.find(metric => metric.name === 'JSHeapUsedSize')!.value;
}

async function timeExport(page: Page, destination: 'download' | 'server'): Promise<{ seconds: number; heapGrowth: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const baseline = await heapUsed(page, cdp);
  let peak = baseline;
  const started = Date.now();
  await page.evaluate(where => {
    const app = (window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }).jupyterapp;
    void app.commands.execute('jupyterlab-axopy:export-zip', { path: 'big', destination: where });
  }, destination);
  const done = page.locator('.Toastify__toast').filter({ hasText: /Exported big to/ });
  while (!(await done.isVisible())) {
    peak = Math.max(peak, await heapUsed(page, cdp));
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const seconds = (Date.now() - started) / 1000;
  await page.evaluate(() => document.querySelectorAll('.Toastify__toast').forEach(toast => toast.remove()));
  await cdp.detach();
  return { seconds, heapGrowth: peak - baseline };
}

async function main(): Promise<void> {
  // lab-server.ts finds app/ beside its own folder, which is build/ once compiled.
  const builtApp = path.join(repoRoot, 'build', 'app');
  if (!fs.existsSync(builtApp)) {
    fs.symlinkSync(path.join(repoRoot, 'app'), builtApp);
  }
  const megabytes = Number(process.argv[2] ?? 1040);
  const folders = makeServerFolders('axopy-bench-export-');
  execFileSync('/usr/bin/python3', [CHECKER, 'big', path.join(folders.rootDir, 'big'), String(megabytes)]);
  const server = await startLabServer({
    rootDir: folders.rootDir,
    token: '',
    labextensionDirs: [axopyExtensionDir],
    stateDir: folders.stateDir
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  try {
    const zipStarted = Date.now();
    execFileSync('zip', ['-0', '-r', '-q', path.join(folders.base, 'zip0.zip'), 'big'], { cwd: folders.rootDir });
    const zipSeconds = (Date.now() - zipStarted) / 1000;
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(`${server.url}/lab`);
    await page.waitForFunction(() => 'jupyterapp' in window && document.querySelector('#jupyterlab-axopy-storage') !== null, undefined, {
      timeout: 60_000
    });
    // Headless automation cannot answer the save picker: downloads go through Blob parts.
    await page.evaluate(async () => {
      const app = (window as unknown as { jupyterapp: { serviceManager: { settings: unknown } } }).jupyterapp;
      void app;
      await fetch('/lab/api/settings/jupyterlab-axopy:export', {
        method: 'PUT',
        body: JSON.stringify({ raw: '{"useSaveFilePicker": false}' })
      });
    });
    await page.reload();
    await page.waitForFunction(() => 'jupyterapp' in window && document.querySelector('#jupyterlab-axopy-storage') !== null);
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.log(`dataset: ${megabytes} MiB in 5 files (sparse, random MiB every 64 MiB)`);
    console.log(`zip -0 -r:            ${zipSeconds.toFixed(2)} s`);
    for (const destination of ['download', 'server'] as const) {
      const run = await timeExport(page, destination);
      console.log(
        `export, ${destination}: ${run.seconds.toFixed(2)} s (${(run.seconds / zipSeconds).toFixed(2)}x zip -0), peak JS heap growth ${mb(run.heapGrowth)} MiB`
      );
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
}

void main();
