/**
 * "Export as ZIP" through the jupyterlab_axopy server extension (the path taken where it runs):
 * archives downloaded and saved on the server are read back by Python's zipfile and `unzip -t`
 * against the files on disk, byte for byte; Cancel leaves no file; symlinks leading out of the
 * server root and unsafe plans are refused. export.spec.ts tests the browser path.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labServerPid, residentBytes } from '../lab-server';
import { row, storageServerTest } from '../fixtures';
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

/** The server's resident memory may grow by at most this much while streaming >= 1 GB. */
const SERVER_MEMORY_GROWTH_LIMIT = 256 * 1024 * 1024;

const test = storageServerTest('axopy-e2e-export-server-', writeExportStorage);

/** The server writes every entry as a Unix regular file, mode 0644. */
const SERVER_ENTRIES = { unixMode: '0o100644' };

/** Posts a plan to the server extension from the page; returns the status and the JSON answer. */
async function postJob(page: Page, body: object): Promise<{ status: number; json: any }> {
  return page.evaluate(async plan => {
    const xsrf = /_xsrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
    const response = await fetch('/jupyterlab-axopy/export/jobs', {
      method: 'POST',
      body: JSON.stringify(plan),
      headers: { 'X-XSRFToken': xsrf }
    });
    return { status: response.status, json: await response.json().catch(() => null) };
  }, body);
}

async function jobState(page: Page, id: string): Promise<any> {
  return page.evaluate(async jobId => (await fetch(`/jupyterlab-axopy/export/jobs/${jobId}`)).json(), id);
}

test('downloads a task through the server; Python reads every byte back', async ({ page, problems, storageServer }) => {
  // Over 1 MiB: streamed (data descriptor) and deflated by the server.
  const notes = path.join(storageServer.rootDir, 'data', 'p01', 'game', 'notes.txt');
  fs.writeFileSync(notes, Array.from({ length: 100_000 }, (_, i) => `trial ${i}: ok`).join('\n'));
  const requests: string[] = [];
  page.on('request', request => requests.push(request.url()));
  await openSidebar(page);
  await row(page, 'data/p01').click();
  await row(page, 'data/p01/game').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
  const downloading = page.waitForEvent('download');
  await chooseDestination(page, /Download game\.zip/);
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('game.zip');
  const saved = path.join(storageServer.base, 'server-downloaded-game.zip');
  await download.saveAs(saved);
  expect(await download.failure()).toBeNull();
  await expect(toast(page, /Exported data\/p01\/game to game\.zip \(.*\), written by the server/)).toBeVisible();
  expect(download.url()).toMatch(/\/jupyterlab-axopy\/export\/jobs\/[\w-]+\/archive$/);
  // The server read the files: the page fetched none through /files/.
  expect(requests.filter(url => url.includes('/files/data/'))).toEqual([]);
  const report = expectArchiveOf(saved, storageServer.rootDir, 'data/p01/game', SERVER_ENTRIES);
  expect(report.names).toEqual([
    'data/p01/game/calibration.pkl',
    'data/p01/game/emg.hdf5',
    'data/p01/game/notes.txt',
    'data/p01/game/trials.csv'
  ]);
  expect(report.records['data/p01/game/notes.txt'].data_descriptor).toBe(true);
  fs.rmSync(notes);
  expect(problems).toEqual([]);
});

test('saves a whole root on the server beside it, and replaces it when confirmed', async ({
  page,
  problems,
  storageServer
}) => {
  const archive = path.join(storageServer.rootDir, 'data.zip');
  const bulk = path.join(storageServer.rootDir, 'data', 'p02', 'calibration', 'bulk.bin');
  fs.writeFileSync(bulk, crypto.randomBytes(3_000_000));
  await openSidebar(page);
  await row(page, 'data').click();
  await row(page, 'data').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
  await chooseDestination(page, /Save data\.zip on the server/);
  await expect(toast(page, /Exported data to data\.zip \(.*\), written by the server/)).toBeVisible({
    timeout: 30_000
  });
  expectArchiveOf(archive, storageServer.rootDir, 'data', SERVER_ENTRIES);
  expect(partialFiles(storageServer.rootDir)).toEqual([]);

  fs.appendFileSync(path.join(storageServer.rootDir, 'data', 'p02', 'calibration', 'notes.txt'), 'added later\n');
  await row(page, 'data').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Export as ZIP…' }).click();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Export' }).click();
  await expect(page.locator('.jp-Dialog')).toContainText('data.zip already exists');
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Replace' }).click();
  await expect(toast(page, /Exported data to data\.zip/)).toHaveCount(1);
  await expect
    .poll(() => verifyZip(archive, storageServer.rootDir, 'data').names, { timeout: 30_000 })
    .toContain('data/p02/calibration/notes.txt');
  expectArchiveOf(archive, storageServer.rootDir, 'data', SERVER_ENTRIES);
  expect(partialFiles(storageServer.rootDir)).toEqual([]);
  fs.rmSync(bulk);
  fs.rmSync(archive);
  expect(problems).toEqual([]);
});

test('a symlink leading out of the server root is not followed', async ({ page, storageServer }) => {
  const secret = path.join(storageServer.base, 'outside-secret.txt');
  fs.writeFileSync(secret, 'not for the archive\n');
  const secretFolder = path.join(storageServer.base, 'outside-folder');
  fs.mkdirSync(secretFolder, { recursive: true });
  fs.writeFileSync(path.join(secretFolder, 'inner.txt'), 'not for the archive either\n');
  const task = path.join(storageServer.rootDir, 'data', 'p02', 'calibration');
  fs.symlinkSync(secret, path.join(task, 'leak.txt'));
  fs.symlinkSync(secretFolder, path.join(task, 'leakdir'));
  try {
    // Through the command: whatever the listing shows, the archive holds no byte from outside.
    await page.filebrowser.openHomeDirectory();
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('jupyterlab-axopy:export-zip', {
        path: 'data/p02',
        level: 'subject',
        destination: 'server'
      });
    });
    await expect(toast(page, /Exported data\/p02 to data\/p02\.zip/)).toBeVisible({ timeout: 30_000 });
    const archive = path.join(storageServer.rootDir, 'data', 'p02.zip');
    const names = verifyZip(archive, storageServer.rootDir, 'data/p02').names;
    expect(names.filter(name => name.includes('leak'))).toEqual([]);
    expect(names).toContain('data/p02/calibration/trials.csv');
    const listing = execFileSync('unzip', ['-p', archive]).toString('latin1');
    expect(listing).not.toContain('not for the archive');
    fs.rmSync(archive);

    // A plan naming the symlinks directly (as a hostile page could send): skipped with a warning.
    const stat = fs.statSync(path.join(task, 'trials.csv'));
    const entry = (relativePath: string, size: number) => ({
      archivePath: `data/${relativePath}`,
      relativePath,
      size,
      mtime: stat.mtimeMs,
      method: 'deflate',
      readFirst: false
    });
    const created = await postJob(page, {
      destination: 'server',
      base: 'data',
      archivePath: 'data/hostile.zip',
      replace: false,
      zip64: false,
      entries: [
        entry('p02/calibration/leak.txt', 20),
        entry('p02/calibration/leakdir/inner.txt', 27),
        entry('p02/calibration/trials.csv', stat.size)
      ]
    });
    expect(created.status).toBe(201);
    await expect.poll(async () => (await jobState(page, created.json.id)).state).toBe('done');
    const finished = await jobState(page, created.json.id);
    expect(finished.warnings).toHaveLength(2);
    expect(finished.warnings.join('\n')).toContain('leak.txt: refused');
    const hostile = path.join(storageServer.rootDir, 'data', 'hostile.zip');
    expect(verifyZip(hostile, storageServer.rootDir, 'data/p02/calibration').names).toEqual([
      'data/p02/calibration/trials.csv'
    ]);
    fs.rmSync(hostile);

    // Plans climbing out of the root, or naming archive entries that would, are refused outright.
    for (const bad of [
      { base: '..', entries: [entry('p02/calibration/trials.csv', stat.size)] },
      {
        base: 'data',
        entries: [{ ...entry('p02/calibration/trials.csv', stat.size), relativePath: '../../etc/passwd' }]
      },
      { base: 'data', entries: [{ ...entry('p02/calibration/trials.csv', stat.size), archivePath: '../evil.csv' }] },
      { base: '/etc', entries: [entry('passwd', 10)] }
    ]) {
      const refused = await postJob(page, { destination: 'download', zip64: false, ...bad });
      expect(refused.status, JSON.stringify(bad)).toBe(400);
    }
  } finally {
    fs.rmSync(path.join(task, 'leak.txt'));
    fs.rmSync(path.join(task, 'leakdir'));
  }
});

test.describe('a dataset over 1 GB', () => {
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
    const progress = toast(
      page,
      /Exporting big as ZIP: \d+ of 5 files, [\d.]+ \w+ of 1\.1 GB \(written by the server\)/
    );
    await expect(progress).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('.jp-AxoPyExport-status')).toContainText(
      /ZIP big: \d\/5 files, .*\(written by the server\)/
    );
    await expect.poll(() => partialFiles(storageServer.rootDir).length, { timeout: 30_000 }).toBe(1);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(toast(page, 'Export of big cancelled; no archive was written')).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('.jp-AxoPyExport-status')).toBeHidden();
    expect(fs.existsSync(path.join(storageServer.rootDir, 'big.zip'))).toBe(false);
    expect(partialFiles(storageServer.rootDir)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('Cancel cuts a server download: the browser keeps no archive', async ({ page, storageServer }) => {
    await page.filebrowser.openHomeDirectory();
    const downloading = page.waitForEvent('download');
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('jupyterlab-axopy:export-zip', { path: 'big', destination: 'download' });
    });
    const download = await downloading;
    const progress = toast(page, /Exporting big as ZIP: \d+ of 5 files/);
    await expect(progress).toBeVisible({ timeout: 30_000 });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(toast(page, 'Export of big cancelled; no archive was written')).toBeVisible({ timeout: 30_000 });
    // The response ended unfinished: the browser reports the download failed and keeps no file.
    expect(await download.failure()).not.toBeNull();
    expect(await download.path().catch(() => null)).toBeNull();
    expect(fs.existsSync(path.join(storageServer.rootDir, 'big.zip'))).toBe(false);
  });

  test('downloads 1 GB through the server with bounded server memory; Python reads every byte back', async ({
    page,
    storageServer
  }) => {
    test.setTimeout(180_000);
    await page.filebrowser.openHomeDirectory();
    const pid = labServerPid(new URL(storageServer.url).port);
    const baseline = residentBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 50);
    const downloading = page.waitForEvent('download');
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('jupyterlab-axopy:export-zip', { path: 'big', destination: 'download' });
    });
    const download = await downloading;
    const saved = path.join(storageServer.base, 'server-big.zip');
    try {
      await download.saveAs(saved);
      await expect(toast(page, /Exported big to big\.zip \(1\.1 GB\), written by the server/)).toBeVisible({
        timeout: 60_000
      });
    } finally {
      clearInterval(sampler);
    }
    console.log(
      `server RSS while streaming ${BIG_MEGABYTES} MiB: baseline ${(baseline / 2 ** 20).toFixed(0)} MiB, peak growth ${((peak - baseline) / 2 ** 20).toFixed(0)} MiB`
    );
    // Streamed in chunks: the server holds a few MiB, never the archive.
    expect(peak - baseline).toBeLessThan(SERVER_MEMORY_GROWTH_LIMIT);
    try {
      expectArchiveOf(saved, storageServer.rootDir, 'big', SERVER_ENTRIES);
    } finally {
      fs.rmSync(saved, { force: true });
    }
  });
});
