/**
 * "Export as ZIP" against a real Jupyter server whose folder holds storage written by Python
 * (pandas, h5py, pickle): archives downloaded through the browser and saved on the server are
 * checked by Python's zipfile and `unzip -t` against the files on disk, byte for byte.
 */
import { expect, galata } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapMeter } from '../heap-meter';
import { panel, row, storageServerTest } from '../fixtures';
import {
  BIG_MEGABYTES,
  CHECKER,
  chooseDestination,
  expectArchiveOf,
  openSidebar,
  partialFiles,
  toast,
  verifyZip,
  writeExportStorage
} from '../export-checks';
import { PYTHON } from '../../tests/helpers/python';

/** The page's and its workers' JS heaps (with ArrayBuffers) may grow by at most this much while exporting >= 1 GB. */
const HEAP_GROWTH_LIMIT = 256 * 1024 * 1024;

// The browser path: the server extension is off, as in a JupyterLab without it
// (export-server.spec.ts tests the server path).
const test = storageServerTest('axopy-e2e-export-', writeExportStorage, { withoutServerExtension: true });

/** Streams to a picked file need a native dialog automation cannot answer: use Blob downloads. */
async function useBlobDownloads(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registry = (await window.galata.getPlugin('@jupyterlab/apputils-extension:settings')) as {
      set(plugin: string, key: string, value: unknown): Promise<void>;
    };
    await registry.set('jupyterlab-axopy:export', 'useSaveFilePicker', false);
  });
}

test('downloads a task from the tree context menu; Python reads every byte back', async ({
  page,
  problems,
  storageServer
}) => {
  // Over 1 MiB, so streamed and deflated through the worker's CompressionStream.
  const notes = path.join(storageServer.rootDir, 'data', 'p01', 'game', 'notes.txt');
  fs.writeFileSync(notes, Array.from({ length: 100_000 }, (_, i) => `trial ${i}: ok`).join('\n'));
  await useBlobDownloads(page);
  await openSidebar(page);
  await row(page, 'data/p01').click();
  await row(page, 'data/p01/game').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
  const downloading = page.waitForEvent('download');
  await chooseDestination(page, /Download game\.zip/);
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('game.zip');
  const saved = path.join(storageServer.base, 'downloaded-game.zip');
  await download.saveAs(saved);
  const report = expectArchiveOf(saved, storageServer.rootDir, 'data/p01/game');
  // The hierarchy is kept: root, subject and task folders above the files.
  expect(report.names).toEqual([
    'data/p01/game/calibration.pkl',
    'data/p01/game/emg.hdf5',
    'data/p01/game/notes.txt',
    'data/p01/game/trials.csv'
  ]);
  // Written by the core ZipArchiveWriter (the kernel's): files over 1 MiB streamed with a data
  // descriptor after them (the download cannot seek back), smaller ones with sizes up front,
  // all recorded as Unix rw-r--r-- files.
  const streamed = Object.entries(report.records)
    .filter(([, record]) => record.data_descriptor)
    .map(([name]) => name);
  expect(streamed.sort()).toEqual(
    report.names.filter(name => fs.statSync(path.join(storageServer.rootDir, name)).size > 1024 * 1024).sort()
  );
  expect(streamed).toContain('data/p01/game/notes.txt');
  for (const [name, record] of Object.entries(report.records)) {
    expect(`${name}: ${record.made_by} ${record.unix_mode}`).toBe(`${name}: unix 0o100644`);
  }
  fs.rmSync(notes);
  await expect(toast(page, /Exported data\/p01\/game to game\.zip \(.*\), built in the browser/)).toBeVisible();
  expect(problems).toEqual([]);
});

test.describe('server save in many requests', () => {
  // The smallest request size, so even this small root goes up in several chunked requests.
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-axopy:sidebar': { openOnStart: false },
      'jupyterlab-axopy:export': { uploadChunkBytes: 65536 }
    }
  });

  test('saves a whole root on the server from the toolbar, and asks before replacing it', async ({
    page,
    problems,
    storageServer
  }) => {
    const archive = path.join(storageServer.rootDir, 'data.zip');
    // ~300 KB more (incompressible), so the archive needs several 64 KiB requests.
    fs.writeFileSync(
      path.join(storageServer.rootDir, 'data', 'p02', 'calibration', 'bulk.bin'),
      crypto.randomBytes(300_000)
    );
    let saveRequests = 0;
    page.on('request', request => {
      if (request.method() === 'PUT' && request.url().includes('/api/contents/data.zip.partial-')) saveRequests += 1;
    });
    await openSidebar(page);
    await row(page, 'data').click();
    await row(page, 'data').click();
    await panel(page).locator('.jp-Toolbar-item[data-jp-item-name="export-zip"] button').click();
    await chooseDestination(page, /Save data\.zip on the server/);
    await expect(toast(page, /Exported data to data\.zip/)).toBeVisible({ timeout: 30_000 });
    expectArchiveOf(archive, storageServer.rootDir, 'data');
    expect(partialFiles(storageServer.rootDir)).toEqual([]);
    expect(saveRequests, 'the archive went up in several chunked requests').toBeGreaterThan(2);

    // Declining the replacement leaves the archive as it was.
    const firstWrite = fs.statSync(archive).mtimeMs;
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openHomeDirectory();
    const dataFolder = page.locator('.jp-DirListing-item[data-isdir="true"]').filter({
      has: page.locator('.jp-DirListing-itemText', { hasText: /^data$/ })
    });
    await dataFolder.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
    // The dialog remembers the last destination.
    await expect(page.locator('.jp-Dialog').getByLabel(/Save data\.zip on the server/)).toBeChecked();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Export' }).click();
    await expect(page.locator('.jp-Dialog')).toContainText('data.zip already exists');
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    expect(fs.statSync(archive).mtimeMs).toBe(firstWrite);

    // Confirming replaces it with a complete new archive.
    fs.appendFileSync(path.join(storageServer.rootDir, 'data', 'p02', 'calibration', 'notes.txt'), 'added later\n');
    await dataFolder.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Export' }).click();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Replace' }).click();
    await expect(toast(page, /Exported data to data\.zip/)).toHaveCount(1);
    // The replacement deletes the old archive, then renames the new one into place (the
    // Contents API's rename does not overwrite): between the two there is no data.zip.
    await expect
      .poll(() => (fs.existsSync(archive) ? verifyZip(archive, storageServer.rootDir, 'data').names : []), {
        timeout: 30_000
      })
      .toContain('data/p02/calibration/notes.txt');
    expectArchiveOf(archive, storageServer.rootDir, 'data');
    expect(partialFiles(storageServer.rootDir)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

test('a file that vanishes mid-export is named in the error; nothing is left behind', async ({
  page,
  storageServer
}) => {
  const task = path.join(storageServer.rootDir, 'data', 'p02', 'calibration');
  const doomed = path.join(task, 'emg.hdf5');
  const kept = fs.readFileSync(doomed);
  // Really delete the file on disk right when the export asks for it (after the listing).
  await page.context().route('**/files/data/p02/calibration/emg.hdf5*', async route => {
    fs.rmSync(doomed);
    await route.continue();
  });
  await openSidebar(page);
  await row(page, 'data/p02').click();
  await row(page, 'data/p02/calibration').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
  await chooseDestination(page, /Save data\/p02\/calibration\.zip on the server/);
  await expect(page.locator('.jp-Dialog')).toContainText('ZIP export of data/p02/calibration failed');
  await expect(page.locator('.jp-Dialog')).toContainText('data/p02/calibration/emg.hdf5 disappeared during the export');
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Close' }).click();
  expect(fs.existsSync(path.join(storageServer.rootDir, 'data', 'p02', 'calibration.zip'))).toBe(false);
  expect(partialFiles(path.join(storageServer.rootDir, 'data', 'p02'))).toEqual([]);
  fs.writeFileSync(doomed, kept);
});

test.describe('a dataset over 1 GB', () => {
  // Generated sparse (fast, little disk) and removed afterwards.
  test.beforeAll(({ storageServer }) => {
    execFileSync(PYTHON, [CHECKER, 'big', path.join(storageServer.rootDir, 'big'), String(BIG_MEGABYTES)]);
  });
  test.afterAll(({ storageServer }) => {
    fs.rmSync(path.join(storageServer.rootDir, 'big'), { recursive: true, force: true });
  });

  test('Cancel stops a server save and leaves no file', async ({ page, problems, storageServer }) => {
    await page.filebrowser.openHomeDirectory();
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('jupyterlab-axopy:export-zip', { path: 'big', destination: 'server' });
    });
    const progress = toast(page, /Exporting big as ZIP: \d+ of 5 files, [\d.]+ \w+ of 1\.1 GB/);
    await expect(progress).toBeVisible({ timeout: 30_000 });
    // The status bar's progress bar follows the bytes read.
    const bar = page.locator('.jp-AxoPyExport-status progress');
    await expect(page.locator('.jp-AxoPyExport-status')).toContainText(/ZIP big: \d\/5 files/);
    await expect
      .poll(() => bar.evaluate(element => (element as HTMLProgressElement).value), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(toast(page, 'Export of big cancelled; no archive was written')).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('.jp-AxoPyExport-status')).toBeHidden();
    expect(fs.existsSync(path.join(storageServer.rootDir, 'big.zip'))).toBe(false);
    expect(partialFiles(storageServer.rootDir)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('exporting it keeps the heap of the page and its workers bounded', async ({ page, browser, problems }) => {
    test.setTimeout(120_000);
    await useBlobDownloads(page);
    const cdp = await page.context().newCDPSession(page.mainFrame());
    await cdp.send('HeapProfiler.collectGarbage');
    const meter = await HeapMeter.start(browser, page);
    const baseline = await meter.used();
    let peak = baseline;
    const downloading = page.waitForEvent('download', { timeout: 100_000 });
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('jupyterlab-axopy:export-zip', { path: 'big', destination: 'download' });
    });
    const done = toast(page, /Exported big to big\.zip \(1\.1 GB\)/);
    while (!(await done.isVisible())) {
      peak = Math.max(peak, await meter.used());
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    // The archive reached the browser's downloads (headless Chromium's in-memory Blob store then
    // drops Blobs over ~500 MB; real profiles page them to disk, and Chromium streams to a
    // picked file instead). The bytes of archives are checked in the tests above.
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('big.zip');
    console.log(
      `JS heap (page + workers, with ArrayBuffers) while exporting ${BIG_MEGABYTES} MiB: baseline ${(baseline / 2 ** 20).toFixed(0)} MiB, peak growth ${((peak - baseline) / 2 ** 20).toFixed(0)} MiB`
    );
    expect(meter.workersSeen, 'the workers were measured').toBeGreaterThan(0);
    expect(peak - baseline).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(problems).toEqual([]);
  });
});
