/**
 * The trial previews against a real Jupyter server whose folder holds storage written by Python
 * (pandas, h5py, pickle) as AxoPy writes it: trials table, plots of the selected trial (asserted
 * through the `window.__axopyPreviews` test hook: data, not pixels), keyboard, pickles, errors
 * naming the file, "Check dataset", and the lazy-read byte budget on a >= 1 GB array file.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../lab-server';
import { PANEL_ID, openPreview, storageServerTest, waitForPreview as waitFor } from '../fixtures';
import { PYTHON } from '../../tests/helpers/python';

const WRITER = path.join(repoRoot, 'tests', 'python', 'write_preview_storage.py');
const SESSION = 'data/p01/session';

const test = storageServerTest('axopy-e2e-previews-', rootDir => {
  execFileSync(PYTHON, [WRITER, 'fixtures', path.join(rootDir, 'data')]);
});

/** Clicks the body cell of view row `row` (0-based) in the trials grid. */
async function clickRow(page: Page, taskPath: string, row: number): Promise<void> {
  const grid = page.locator(`.jp-AxoPyPreview[data-task-path="${taskPath}"] .jp-AxoPyPreview-grid`);
  await grid.click({ position: { x: 120, y: 24 + 22 * row + 11 } });
}

test('shows trials.csv written by pandas as a typed table, and sorts it', async ({ page, problems }) => {
  await openPreview(page, SESSION);
  const s = await waitFor(page, SESSION, x => x.rowCount === 6);
  expect(s.columns).toEqual(['label', 'gain', 'ok', 'block', 'trial']);
  expect(s.dtypes).toEqual({ label: 'object', gain: 'float64', ok: 'bool', block: 'int64', trial: 'int64' });
  expect(s.viewCells[1]).toEqual(['fist, tight', '2.25', 'False', '0', '1']);
  expect(s.viewCells[2]).toEqual(['open', '1e-05', 'True', '0', '2']);
  // Header click sorts by gain ascending, again descending; the dtype shows in the header.
  const grid = page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"] .jp-AxoPyPreview-grid`);
  await grid.click({ position: { x: 56 + 110 + 55, y: 12 } });
  await waitFor(page, SESSION, x => x.viewTrials.join() === '2,4,0,1,3,5');
  await grid.click({ position: { x: 56 + 110 + 55, y: 12 } });
  await waitFor(page, SESSION, x => x.viewTrials.join() === '5,3,1,0,4,2');
  // The filter keeps matching trials.
  await page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"] .jp-AxoPyPreview-filter`).fill('fist');
  await waitFor(page, SESSION, x => x.viewTrials.join() === '1,4');
  expect(problems).toEqual([]);
});

test('plots the selected trial; up/down change trial and the plot follows', async ({ page, problems }) => {
  await openPreview(page, SESSION);
  // The first trial is selected on open: emg (4 x 500 float64), channel c = 0*1000 + c*100 + 0..499.
  let s = await waitFor(page, SESSION, x => x.arrays.emg?.status === 'plotted' && x.selectedTrial === 0);
  expect(s.arrays.emg.dataset).toBe('0');
  expect(s.arrays.emg.summary!.dtype).toBe('float64');
  expect(s.arrays.emg.summary!.shape).toEqual([4, 500]);
  expect(s.arrays.emg.summary!.channels.map(c => [c.min, c.max, c.mean])).toEqual([
    [0, 499, 249.5],
    [100, 599, 349.5],
    [200, 699, 449.5],
    [300, 799, 549.5]
  ]);
  await expect(
    page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"] [data-array="emg"] canvas`).first()
  ).toBeVisible();
  await clickRow(page, SESSION, 2);
  s = await waitFor(
    page,
    SESSION,
    x =>
      x.selectedTrial === 2 &&
      x.arrays.emg?.dataset === '2' &&
      x.arrays.emg.status === 'plotted' &&
      x.arrays.force?.dataset === '2' &&
      x.arrays.force.status === 'plotted'
  );
  expect(s.arrays.emg.summary!.channels[1].min).toBe(2100);
  expect(s.arrays.force.summary!.dtype).toBe('int16');
  expect(s.arrays.force.summary!.channels[0].min).toBe(-300);
  await page.keyboard.press('ArrowDown');
  s = await waitFor(
    page,
    SESSION,
    x =>
      x.selectedTrial === 3 &&
      x.arrays.emg?.status === 'plotted' &&
      x.arrays.emg.dataset === '3' &&
      x.arrays.force?.status === 'missing'
  );
  expect(s.arrays.emg.summary!.channels[0].min).toBe(3000);
  // Trial 3 has no force dataset: said so, not an error.
  await expect(
    page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"] [data-array="force"] .jp-AxoPyPreview-message`)
  ).toContainText('Trial 3 has no force array');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  s = await waitFor(
    page,
    SESSION,
    x => x.selectedTrial === 1 && x.arrays.emg?.dataset === '1' && x.arrays.emg.status === 'plotted'
  );
  expect(s.arrays.emg.summary!.channels[3].max).toBe(1799);
  // N-D: grid is (2, 3, 50) float32: a slice picker on axis 0; 3 channels of 50 samples.
  s = await waitFor(page, SESSION, x => x.arrays.grid?.status === 'plotted' && x.arrays.grid.dataset === '1');
  expect(s.arrays.grid.summary!.shape).toEqual([2, 3, 50]);
  expect(s.arrays.grid.summary!.channelCount).toBe(3);
  expect(s.arrays.grid.summary!.channels[0].min).toBe(1);
  const picker = page.locator(
    `.jp-AxoPyPreview[data-task-path="${SESSION}"] [data-array="grid"] .jp-AxoPyPreview-slicePicker input`
  );
  await picker.fill('1');
  await picker.press('Enter');
  s = await waitFor(page, SESSION, x => x.arrays.grid?.summary?.slice[0] === 1);
  expect(s.arrays.grid.summary!.channels[0].min).toBe(151);
  expect(problems).toEqual([]);
});

test('pickles show as a tree; an unsafe pickle shows why it is not loaded', async ({ page, problems }) => {
  await openPreview(page, SESSION);
  const s = await waitFor(page, SESSION, x => Object.keys(x.pickles).length === 2);
  expect(s.pickles['calibration.pkl'].status).toBe('shown');
  expect(s.pickles['unsafe.pkl'].status).toBe('error');
  expect(s.pickles['unsafe.pkl'].message).toMatch(/UnsafePickleError.*unsafe\.pkl/s);
  const calibration = page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"] [data-pickle="calibration.pkl"]`);
  await expect(calibration).toContainText('"cal"');
  await expect(calibration).toContainText('ndarray float64 (2,) [0.5, -0.5]');
  expect(problems).toEqual([]);
});

test('a corrupt .hdf5 and a ragged trials.csv show errors naming the file; the rest works', async ({
  page,
  problems
}) => {
  await openPreview(page, 'data/p01/corrupt');
  const corrupt = await waitFor(
    page,
    'data/p01/corrupt',
    x => x.arrays.bad?.status === 'error' && x.arrays.emg?.status === 'plotted'
  );
  expect(corrupt.arrays.bad.message).toContain('data/p01/corrupt/bad.hdf5');
  expect(corrupt.arrays.emg.summary!.channels[0].max).toBe(499);
  await openPreview(page, 'data/p01/ragged');
  const ragged = await waitFor(
    page,
    'data/p01/ragged',
    x => x.trialsError !== undefined && x.pickles['meta.pkl']?.status === 'shown'
  );
  expect(ragged.trialsError).toMatch(/data\/p01\/ragged\/trials\.csv.*line 4/);
  await expect(
    page.locator('.jp-AxoPyPreview[data-task-path="data/p01/ragged"] .jp-AxoPyPreview-error').first()
  ).toContainText('trials.csv');
  expect(problems).toEqual([]);
});

test('10 000 trials: sorted and scrolled; a growing trials.csv keeps the selection', async ({
  page,
  problems,
  storageServer
}) => {
  await openPreview(page, 'data/p01/many');
  await waitFor(page, 'data/p01/many', x => x.rowCount === 10000);
  const grid = page.locator('.jp-AxoPyPreview[data-task-path="data/p01/many"] .jp-AxoPyPreview-grid');
  await grid.click({ position: { x: 56 + 55, y: 12 } });
  let s = await waitFor(page, 'data/p01/many', x => x.viewTrials[1] !== 1);
  // Sorted ascending by gain (a float64 column of pandas-written values).
  const gains = s.viewCells.map(row => Number(row[0]));
  expect([...gains].sort((a, b) => a - b)).toEqual(gains);
  // Scrolled: the vertical scroll bar's thumb moves away from the top.
  const thumb = grid.locator('.lm-ScrollBar[data-orientation="vertical"] .lm-ScrollBar-thumb');
  const thumbTop = () => thumb.evaluate(element => (element as HTMLElement).style.top);
  const before = await thumbTop();
  await grid.hover();
  await page.mouse.wheel(0, 20000);
  await expect.poll(thumbTop).not.toBe(before);
  // Live: a writer appends to session while its preview is open; the selection stays.
  await openPreview(page, SESSION);
  await waitFor(page, SESSION, x => x.rowCount === 6);
  await clickRow(page, SESSION, 4);
  await waitFor(page, SESSION, x => x.selectedTrial === 4);
  execFileSync(PYTHON, [WRITER, 'append', path.join(storageServer.rootDir, SESSION)]);
  s = await waitFor(page, SESSION, x => x.rowCount === 7);
  expect(s.selectedTrial).toBe(4);
  expect(s.viewCells[6]).toEqual(['late', '9.5', 'True', '1', '6']);
  expect(problems).toEqual([]);
});

test('the trials table copies its painted cells to the screen once per region, not once per cell', async ({
  page,
  problems
}) => {
  // Per-cell copies cost 1-2 ms each on a software canvas (grid-paint.ts): a screen of this
  // table (about 30 rows x 5 cells) would make well over 100 of them.
  await page.evaluate(() => {
    const counter = ((window as any).__axopyGridCopies = { copies: 0 });
    const drawImage = CanvasRenderingContext2D.prototype.drawImage as (...args: unknown[]) => void;
    CanvasRenderingContext2D.prototype.drawImage = function (this: CanvasRenderingContext2D, ...args: unknown[]) {
      if (this.canvas.closest('.jp-AxoPyPreview-grid') !== null) counter.copies++;
      drawImage.apply(this, args);
    } as typeof CanvasRenderingContext2D.prototype.drawImage;
  });
  await openPreview(page, 'data/p01/many');
  const s = await waitFor(page, 'data/p01/many', x => x.rowCount === 10000 && x.viewCells.length === 50);
  expect(s.viewCells[0]).toEqual(['0.0', 't00000', '0', '0']);
  // The paint runs on an animation frame after the contents are set: wait for two frames.
  await page.evaluate(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))));
  const copies = await page.evaluate(() => (window as any).__axopyGridCopies.copies as number);
  expect(copies).toBeGreaterThan(0);
  expect(copies).toBeLessThan(30);
  expect(problems).toEqual([]);
});

test('"Check dataset" on a storage root reports what checkStorage reports', async ({
  page,
  problems,
  storageServer
}) => {
  await page.sidebar.openTab(PANEL_ID);
  const rootRow = page.locator(`#${PANEL_ID} .jp-AxoPyStorage-item[data-path="data"] > .jp-AxoPyStorage-row`).first();
  // Wait for the tree to load, so the row does not re-render under the pointer.
  await expect(page.locator(`#${PANEL_ID} .jp-AxoPyStorage-item[data-path="data/p01"]`).first()).toBeVisible();
  const report = page.locator('.jp-AxoPyCheck').first();
  const menuItem = page.getByRole('menuitem', { name: 'Check Dataset' });
  // A menu opened a moment ago may let the first click pass: open it again until it runs.
  await expect(async () => {
    if (!(await report.isVisible())) {
      if (!(await menuItem.isVisible())) await rootRow.click({ button: 'right' });
      await menuItem.click({ timeout: 2000 });
    }
    await expect(report).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 40_000 });
  await expect(report.locator('.jp-AxoPyCheck-summary')).toContainText('data: 1 subjects, 4 tasks');
  const rows = report.locator('tr[data-severity]');
  await expect(rows.filter({ hasText: 'data/p01/corrupt/bad.hdf5' })).toContainText('cannot be read');
  await expect(rows.filter({ hasText: 'data/p01/ragged/trials.csv' })).toContainText('line 4');
  await expect(rows.filter({ hasText: 'data/p01/session/force.hdf5' })).toContainText('rows 3');
  await expect(rows.filter({ hasText: 'unsafe.pkl' })).toContainText('UnsafePickleError');
  // The kernel's checkStorage on the same folder: the same issues (path and severity), in order.
  const kernel = require(path.join(repoRoot, 'lib', 'node', 'kernel', 'index.js')) as {
    checkStorage(root: string): Promise<{ issues: { path: string; severity: string }[] }>;
  };
  const expected = (await kernel.checkStorage(path.join(storageServer.rootDir, 'data'))).issues.map(
    issue => `${issue.severity} ${path.relative(storageServer.rootDir, issue.path)}`
  );
  expect(expected.length).toBeGreaterThan(3);
  const shown = await rows.evaluateAll(trs =>
    trs.map(tr => `${tr.children[0].textContent} ${tr.children[1].textContent}`)
  );
  expect(shown).toEqual(expected);
  expect(problems).toEqual([]);
});

test('a preview closed while it loads leaves no error behind', async ({ page, problems }) => {
  // Close each preview as soon as it is shown, so its listing, trials.csv, datasets and pickles
  // arrive after its widgets are gone; then open one that must work.
  for (const task of [SESSION, 'data/p01/corrupt', 'data/p01/many', SESSION]) {
    await page.evaluate(async p => {
      const app = (window as any).jupyterapp;
      const widget = await app.commands.execute('jupyterlab-axopy:preview-task', { path: p });
      // Two frames: JupyterLab's own toolbar resizer fails on a tab closed before it was shown
      // (upstream); the preview's reads take longer than that and still land after the close.
      for (let frame = 0; frame < 2; frame++) await new Promise(resolve => requestAnimationFrame(resolve));
      widget.close();
    }, task);
  }
  await page.waitForTimeout(3000);
  expect(await page.evaluate(() => Object.keys((window as any).__axopyPreviews ?? {}))).toEqual([]);
  await openPreview(page, SESSION);
  await waitFor(page, SESSION, x => x.arrays.emg?.status === 'plotted');
  expect(problems).toEqual([]);
});

test('an open preview is back after a reload (WidgetTracker + layout restorer)', async ({ page, problems }) => {
  await openPreview(page, SESSION);
  await waitFor(page, SESSION, x => x.arrays.emg?.status === 'plotted');
  // The workspace (layout and the tracker's state) is saved a moment after a change.
  await page.waitForTimeout(3000);
  // A plain reload: galata's waits for the Launcher, which a restored layout does not open.
  await page.evaluate(() => window.location.reload());
  await expect(page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"]`)).toBeVisible({ timeout: 60_000 });
  await waitFor(page, SESSION, x => x.arrays.emg?.status === 'plotted' && x.rowCount > 0);
  expect(problems).toEqual([]);
});

test('light and dark themes, with screenshots', async ({ page, problems }, testInfo) => {
  await openPreview(page, SESSION);
  await waitFor(page, SESSION, x => x.arrays.emg?.status === 'plotted');
  const preview = page.locator(`.jp-AxoPyPreview[data-task-path="${SESSION}"]`);
  const background = () => preview.evaluate(element => getComputedStyle(element).backgroundColor);
  const light = await background();
  await preview.screenshot({ path: testInfo.outputPath('previews-light.png') });
  await page.theme.setDarkTheme();
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
  await expect.poll(background).not.toBe(light);
  await waitFor(page, SESSION, x => x.arrays.emg?.status === 'plotted');
  await preview.screenshot({ path: testInfo.outputPath('previews-dark.png') });
  await page.theme.setLightTheme();
  expect(problems).toEqual([]);
});

test('lazy HDF5: one trial of a >= 1 GB file moves <= 2x its bytes + 1 MB', async ({
  page,
  problems,
  storageServer
}) => {
  test.setTimeout(120_000);
  // 130 trials of 8 x 125 000 float64 (8 MB each): 1.04 GB, written by h5py.
  const [trials, channels, samples] = [130, 8, 125_000];
  execFileSync(PYTHON, [
    WRITER,
    'big',
    path.join(storageServer.rootDir, 'data'),
    String(trials),
    String(channels),
    String(samples)
  ]);
  const file = path.join(storageServer.rootDir, 'data', 'p02', 'big', 'emg.hdf5');
  try {
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(1e9);
    let moved = 0;
    const seen: string[] = [];
    page.context().on('response', response => {
      if (response.url().includes('/files/data/p02/big/emg.hdf5')) {
        seen.push(response.headers()['content-range'] ?? 'no range');
        moved += Number(response.headers()['content-length'] ?? 0);
      }
    });
    await openPreview(page, 'data/p02/big');
    const s = await waitFor(page, 'data/p02/big', x => x.arrays.emg?.status === 'plotted', 60_000);
    const trialBytes = channels * samples * 8;
    expect(s.arrays.emg.summary!.shape).toEqual([channels, samples]);
    expect(s.arrays.emg.summary!.channels[7].min).toBe(7 * samples);
    expect(s.arrays.emg.summary!.channels[0].points).toBeLessThanOrEqual(4000);
    expect(s.arrays.emg.bytesFetched!).toBeLessThanOrEqual(2 * trialBytes + 1024 * 1024);
    expect(s.arrays.emg.bytesFetched!).toBeGreaterThanOrEqual(trialBytes);
    // The browser's own view of the same transfers (Chromium reports the worker's requests):
    // every one a range reply, and their bytes within the budget.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(range => range.startsWith('bytes '))).toBe(true);
    expect(moved).toBeLessThanOrEqual(2 * trialBytes + 1024 * 1024);
    // The table selects trial 0 once trials.csv is read: the read made before it is kept, not
    // made again (which would move a second 8 MB).
    const settled = await waitFor(
      page,
      'data/p02/big',
      x => x.rowCount === trials && x.selectedTrial === 0 && x.arrays.emg?.status === 'plotted'
    );
    expect(settled.arrays.emg.bytesFetched!).toBeLessThan(1.5 * trialBytes);
    testInfo(
      `bytes moved ${s.arrays.emg.bytesFetched} (network ${moved} in ${seen.length} responses) for a ${trialBytes}-byte trial`
    );
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
});

function testInfo(line: string): void {
  console.log(`[previews] ${line}`);
}
