/// <reference lib="dom" />
/**
 * Prints how long the JupyterLab "Export as ZIP" takes on its browser path on a ~1 GB task
 * (download and server save), against `zip -0 -r` on the same files, and the peak growth of the JS memory of the page
 * and its workers (V8 heaps and ArrayBuffers).
 * Needs `npm run build:lab` and `bash scripts/build-e2e.sh`; run with
 * `npm run build:tests && node build/benchmarks/export.js [megabytes] [--runs N]`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Download, type Page } from 'playwright';
import { HeapMeter } from '../ui-tests/heap-meter';
import { makeServerFolders, startLabServer } from '../ui-tests/lab-server';
import { PYTHON } from '../tests/helpers/python';

/** The repository (this file runs as build/benchmarks/export.js). */
const repoRoot = path.resolve(__dirname, '..', '..');

const CHECKER = path.join(repoRoot, 'tests', 'python', 'export_zip_check.py');

/**
 * Runs the export command and waits for the archive: the browser's download event for a
 * download, the archive appearing on disk (renamed from its partial file last) for a server save.
 * Timed from the command to that point, so listing, reading, zipping and writing are included.
 */
async function timeExport(
  page: Page,
  destination: 'download' | 'server',
  serverArchive: string
): Promise<{ seconds: number; heapGrowth: number; download?: Download }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const meter = await HeapMeter.start(page.context().browser()!, page);
  const baseline = await meter.used();
  let peak = baseline;
  fs.rmSync(serverArchive, { force: true });
  let download: Download | undefined;
  page.once('download', started => (download = started));
  const started = Date.now();
  await page.evaluate(where => {
    const app = (
      window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
    ).jupyterapp;
    // The browser path, even where the server extension runs (benchmarks/export-server.ts compares both).
    void app.commands.execute('jupyterlab-axopy:export-zip', { path: 'big', destination: where, via: 'browser' });
  }, destination);
  const done = () => (destination === 'download' ? download !== undefined : fs.existsSync(serverArchive));
  while (!done()) {
    const failure = page.locator('.Toastify__toast--error');
    if (await failure.count()) {
      throw new Error(`export to ${destination} failed: ${await failure.first().innerText()}`);
    }
    peak = Math.max(peak, await meter.used());
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  await cdp.detach();
  return { seconds, heapGrowth: peak - baseline, download };
}

/**
 * The Contents API's chunked save alone, from the page: `count` PUTs of `chunkBytes` random
 * bytes in base64, one after another, as the server sink sends them. MB/s.
 */
async function rawChunkedSaveRate(page: Page, chunkBytes: number, count: number): Promise<number> {
  return page.evaluate(
    async ([size, n]) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
      const content = (bytes as unknown as { toBase64(): string }).toBase64();
      const xsrf = /_xsrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const started = performance.now();
      for (let chunk = 1; chunk <= n; chunk++) {
        const body = JSON.stringify({ type: 'file', format: 'base64', chunk: chunk === n ? -1 : chunk, content });
        const response = await fetch('/api/contents/raw-rate.bin', {
          method: 'PUT',
          body,
          headers: { 'X-XSRFToken': xsrf }
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      }
      const seconds = (performance.now() - started) / 1000;
      await fetch('/api/contents/raw-rate.bin', { method: 'DELETE', headers: { 'X-XSRFToken': xsrf } });
      return (size * n) / 1e6 / seconds;
    },
    [chunkBytes, count] as const
  );
}

/**
 * The floor of a download: every file of the dataset fetched through /files/ from the page and
 * read to its end (bytes dropped), one after another as the export worker reads them. Seconds.
 */
async function fetchAllFilesSeconds(page: Page, relativePaths: string[]): Promise<number> {
  return page.evaluate(async paths => {
    const started = performance.now();
    for (const path of paths) {
      const response = await fetch(`/files/${path}`, { cache: 'no-store' });
      const reader = response.body!.getReader();
      while (!(await reader.read()).done);
    }
    return (performance.now() - started) / 1000;
  }, relativePaths);
}

/** Files under `folder`, as "/"-joined paths relative to `base`. */
function filesUnder(base: string, folder: string): string[] {
  return fs
    .readdirSync(path.join(base, folder), { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => path.relative(base, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsFlag = args.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(args.splice(runsFlag, 2)[1]) : 3;
  const megabytes = Number(args[0] ?? 1040);
  const folders = makeServerFolders('axopy-bench-export-');
  execFileSync(PYTHON, [CHECKER, 'big', path.join(folders.rootDir, 'big'), String(megabytes)]);
  const server = await startLabServer({
    rootDir: folders.rootDir,
    token: '',
    stateDir: folders.stateDir
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  try {
    const zipSeconds = () => {
      const started = Date.now();
      execFileSync('zip', ['-0', '-r', '-q', path.join(folders.base, 'zip0.zip'), 'big'], { cwd: folders.rootDir });
      fs.rmSync(path.join(folders.base, 'zip0.zip'));
      return (Date.now() - started) / 1000;
    };
    const page = await browser.newPage({ acceptDownloads: true });
    page.on('console', message => message.type() === 'error' && console.error(`page: ${message.text()}`));
    await page.goto(`${server.url}/lab`);
    await page.waitForFunction(
      () => 'jupyterapp' in window && document.querySelector('#jupyterlab-axopy-storage') !== null,
      undefined,
      {
        timeout: 60_000
      }
    );
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
    await page.waitForFunction(
      () => 'jupyterapp' in window && document.querySelector('#jupyterlab-axopy-storage') !== null
    );
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.log(`dataset: ${megabytes} MiB in 5 files (sparse, random MiB every 64 MiB)`);
    const mbps = (seconds: number) => ((megabytes * 2 ** 20) / 1e6 / seconds).toFixed(0);
    const serverArchive = path.join(folders.rootDir, 'big.zip');
    // The machine's load moves single runs by +-30 %: zip -0, the download and fetching alone
    // run interleaved `runs` times, and best and median are compared.
    const figures = { zip: [] as number[], download: [] as number[], fetch: [] as number[] };
    let downloadHeap = 0;
    for (let run = 0; run < runs; run++) {
      figures.zip.push(zipSeconds());
      const download = await timeExport(page, 'download', serverArchive);
      figures.download.push(download.seconds);
      downloadHeap = Math.max(downloadHeap, download.heapGrowth);
      // Let the download finish, then free its Blob (the sink keeps its URL for a minute), so
      // the next run does not find the browser's blob storage full and spilling to disk.
      await download.download!.path();
      await page.evaluate(url => URL.revokeObjectURL(url), download.download!.url());
      figures.fetch.push(await fetchAllFilesSeconds(page, filesUnder(folders.rootDir, 'big')));
    }
    const best = (values: number[]) => Math.min(...values);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const line = (label: string, values: number[]) =>
      console.log(
        `${label.padEnd(44)} best ${best(values).toFixed(2)} s (${(best(values) / best(figures.zip)).toFixed(2)}x zip -0, ` +
          `${mbps(best(values))} MB/s), median ${median(values).toFixed(2)} s (${(median(values) / median(figures.zip)).toFixed(2)}x)`
      );
    console.log(`${runs} interleaved runs, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
    line('zip -0 -r', figures.zip);
    line('export, download', figures.download);
    line('fetching every file through /files/ alone', figures.fetch);
    console.log(
      `export, download: peak JS memory growth (page + workers, ArrayBuffers included) ${mb(downloadHeap)} MiB`
    );
    const serverSave = await timeExport(page, 'server', serverArchive);
    console.log(
      `export, server save (once): ${serverSave.seconds.toFixed(2)} s (${(serverSave.seconds / median(figures.zip)).toFixed(2)}x ` +
        `median zip -0, ${mbps(serverSave.seconds)} MB/s), peak JS memory growth (page + workers) ${mb(serverSave.heapGrowth)} MiB`
    );
    const rate = await rawChunkedSaveRate(page, 8 * 2 ** 20, 16);
    console.log(`Contents API chunked save alone from the page (16 x 8 MiB, serial): ${rate.toFixed(0)} MB/s`);
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
