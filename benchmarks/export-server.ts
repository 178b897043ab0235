/// <reference lib="dom" />
/**
 * "Export as ZIP" side by side with jupyter-archive, in one JupyterLab (.venv-peers: both
 * extensions installed), on a ~1 GB storage root: `zip -0 -r`, jupyter-archive's download
 * ("Download as an Archive"), ours through the server extension (download, save beside the
 * folder) and ours built in the browser (download), `runs` times interleaved. Prints seconds,
 * archive bytes, the peak growth of the JS memory of the page and its workers (V8 heaps and
 * ArrayBuffers) and of the server's resident memory (/proc VmRSS). Figures only, no assertions.
 * Run with `npm run bench:export-server` (builds, installs the wheel into .venv-peers).
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Download, type Page } from 'playwright';
import { HeapMeter } from '../ui-tests/heap-meter';
import { labServerPid, makeServerFolders, residentBytes, startLabServer } from '../ui-tests/lab-server';
import { PYTHON } from '../tests/helpers/python';

/** The repository (this file runs as build/benchmarks/export-server.js). */
const repoRoot = path.resolve(__dirname, '..', '..');
const CHECKER = path.join(repoRoot, 'tests', 'python', 'export_zip_check.py');

type Contender =
  'zip -0 -r' | 'jupyter-archive, download' | 'ours, server download' | 'ours, server save' | 'ours, browser download';

interface IFigures {
  seconds: number;
  bytes: number;
  heapGrowth: number;
  rssGrowth: number;
}

async function runCommand(page: Page, args: object): Promise<void> {
  await page.evaluate(commandArgs => {
    const app = (
      window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
    ).jupyterapp;
    void app.commands.execute('jupyterlab-axopy:export-zip', commandArgs);
  }, args);
}

/** Clicks a link to `href` in the page, as jupyter-archive's "Download as an Archive" does. */
async function clickLink(page: Page, href: string): Promise<void> {
  await page.evaluate(url => {
    const link = document.createElement('a');
    link.href = url;
    link.download = '';
    document.body.appendChild(link);
    link.click();
    link.remove();
  }, href);
}

/**
 * Times one export, from its start to the archive complete on disk (the download saved by the
 * browser, or the server's archive renamed into place), sampling memory meanwhile.
 */
async function measure(
  page: Page,
  pid: number,
  start: () => Promise<void>,
  finished: { download: true } | { file: string }
): Promise<IFigures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const meter = await HeapMeter.start(page.context().browser()!, page);
  const heapBaseline = await meter.used();
  const rssBaseline = residentBytes(pid);
  let heapPeak = heapBaseline;
  let rssPeak = rssBaseline;
  let download: Download | undefined;
  let saved: string | null | undefined;
  page.once('download', started => {
    download = started;
    void started.path().then(
      file => (saved = file),
      () => (saved = null)
    );
  });
  const began = Date.now();
  await start();
  const done = () => ('download' in finished ? saved !== undefined : fs.existsSync(finished.file));
  while (!done()) {
    const failure = page.locator('.Toastify__toast--error');
    if (await failure.count()) throw new Error(`export failed: ${await failure.first().innerText()}`);
    heapPeak = Math.max(heapPeak, await meter.used());
    rssPeak = Math.max(rssPeak, residentBytes(pid));
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  const seconds = (Date.now() - began) / 1000;
  await cdp.detach();
  let bytes: number;
  if ('download' in finished) {
    if (!saved) throw new Error(`download failed: ${await download!.failure()}`);
    bytes = fs.statSync(saved).size;
    await download!.delete();
    // A Blob download's URL is kept a minute by the sink: free it so the next run starts clean.
    if (download!.url().startsWith('blob:')) await page.evaluate(url => URL.revokeObjectURL(url), download!.url());
  } else {
    bytes = fs.statSync(finished.file).size;
    fs.rmSync(finished.file);
  }
  return { seconds, bytes, heapGrowth: heapPeak - heapBaseline, rssGrowth: rssPeak - rssBaseline };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsFlag = args.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(args.splice(runsFlag, 2)[1]) : 3;
  const megabytes = Number(args[0] ?? 1040);
  const folders = makeServerFolders('axopy-bench-export-server-');
  execFileSync(PYTHON, [CHECKER, 'big', path.join(folders.rootDir, 'big'), String(megabytes)]);
  const server = await startLabServer({
    rootDir: folders.rootDir,
    token: '',
    stateDir: folders.stateDir,
    venv: '.venv-peers'
  });
  const pid = labServerPid(new URL(server.url).port);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  try {
    const page = await browser.newPage({ acceptDownloads: true });
    page.on('console', message => message.type() === 'error' && console.error(`page: ${message.text()}`));
    const ready = () =>
      page.waitForFunction(
        () => 'jupyterapp' in window && document.querySelector('#jupyterlab-axopy-storage') !== null,
        undefined,
        {
          timeout: 60_000
        }
      );
    await page.goto(`${server.url}/lab`);
    await ready();
    // Headless automation cannot answer the save picker: the browser path downloads Blob parts.
    await page.evaluate(() =>
      fetch('/lab/api/settings/jupyterlab-axopy:export', {
        method: 'PUT',
        body: JSON.stringify({ raw: '{"useSaveFilePicker": false}' })
      })
    );
    await page.reload();
    await ready();
    const hasServerPath = await page.evaluate(async () => (await fetch('/jupyterlab-axopy/export')).ok);
    const hasArchive = await page.evaluate(
      async () =>
        (await fetch('/directories/big?archiveToken=probe&archiveFormat=zip', { method: 'HEAD' })).status !== 404
    );
    if (!hasServerPath || !hasArchive)
      throw new Error('.venv-peers lacks the jupyterlab_axopy server extension or jupyter-archive');
    const serverArchive = path.join(folders.rootDir, 'big.zip');
    const contenders: Array<[Contender, () => Promise<IFigures>]> = [
      [
        'zip -0 -r',
        async () => {
          const out = path.join(folders.base, 'zip0.zip');
          const rssBaseline = residentBytes(pid);
          const began = Date.now();
          execFileSync('zip', ['-0', '-r', '-q', out, 'big'], { cwd: folders.rootDir });
          const seconds = (Date.now() - began) / 1000;
          const bytes = fs.statSync(out).size;
          fs.rmSync(out);
          return { seconds, bytes, heapGrowth: 0, rssGrowth: residentBytes(pid) - rssBaseline };
        }
      ],
      [
        'jupyter-archive, download',
        () =>
          measure(
            page,
            pid,
            () => clickLink(page, `/directories/big?archiveToken=${crypto.randomUUID()}&archiveFormat=zip`),
            {
              download: true
            }
          )
      ],
      [
        'ours, server download',
        () =>
          measure(page, pid, () => runCommand(page, { path: 'big', destination: 'download', via: 'server' }), {
            download: true
          })
      ],
      [
        'ours, server save',
        () =>
          measure(page, pid, () => runCommand(page, { path: 'big', destination: 'server', via: 'server' }), {
            file: serverArchive
          })
      ],
      [
        'ours, browser download',
        () =>
          measure(page, pid, () => runCommand(page, { path: 'big', destination: 'download', via: 'browser' }), {
            download: true
          })
      ]
    ];
    const results = new Map<Contender, IFigures[]>(contenders.map(([name]) => [name, []]));
    for (let run = 0; run < runs; run++) {
      for (const [name, time] of contenders) {
        results.get(name)!.push(await time());
        // Let the toasts of the last export settle before the next one starts.
        await page.evaluate(() => new Promise(resolve => setTimeout(resolve, 1000)));
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    const zipMedian = median(results.get('zip -0 -r')!.map(figures => figures.seconds));
    console.log(`dataset: ${megabytes} MiB in 5 files (sparse, random MiB every 64 MiB), ${runs} interleaved runs`);
    console.log(
      `${new Date().toISOString()}, ${os.cpus().length} cores, uptime: ${execFileSync('uptime').toString().trim()}`
    );
    for (const [name] of contenders) {
      const figures = results.get(name)!;
      const seconds = figures.map(item => item.seconds);
      const med = median(seconds);
      console.log(
        `${name.padEnd(26)} runs ${seconds.map(value => value.toFixed(2)).join(' / ')} s, median ${med.toFixed(2)} s ` +
          `(${(med / zipMedian).toFixed(2)}x zip -0, ${((megabytes * 2 ** 20) / 1e6 / med).toFixed(0)} MB/s), ` +
          `${figures[0].bytes} bytes, peak growth: page+workers ${mib(Math.max(...figures.map(item => item.heapGrowth)))} MiB, ` +
          `server RSS ${mib(Math.max(...figures.map(item => item.rssGrowth)))} MiB`
      );
    }
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
