/**
 * The AxoPy storage sidebar against a real Jupyter server whose folder holds storage written by
 * Python (pandas, h5py, pickle) as AxoPy writes it. This file starts its own server so that it
 * knows the folder on disk: a Python writer appends trials there while the page watches.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../lab-server';
import { childLabels, expand, item, openSidebar, panel, row, storageServerTest } from '../fixtures';
import { PYTHON } from '../../tests/helpers/python';

const WRITER = path.join(repoRoot, 'tests', 'python', 'write_sidebar_storage.py');
const HOSTILE = '<img src=x onerror="window.axopyXss=1">';

function writeStorage(root: string, spec: Record<string, Record<string, number>>): void {
  execFileSync(PYTHON, [WRITER, 'write', root, JSON.stringify(spec)]);
}

const test = storageServerTest('axopy-e2e-sidebar-', rootDir => {
  writeStorage(path.join(rootDir, 'data'), {
    p01: { calibration: 3, game: 5 },
    p02: { calibration: 2 },
    [HOSTILE]: { t: 1 }
  });
  writeStorage(path.join(rootDir, 'archive'), { s9: { old: 4 } });
  fs.mkdirSync(path.join(rootDir, 'projects', 'src', 'lab'), { recursive: true });
  fs.writeFileSync(path.join(rootDir, 'projects', 'src', 'lab', 'index.ts'), '');
});

async function focusedPath(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-path') ?? null);
}

test('shows subjects, tasks and row counts of storage written by Python', async ({ page, problems }) => {
  await openSidebar(page);
  await expect(item(page, 'data')).toHaveAttribute('aria-expanded', 'true');
  // Sorted by code point like Python's sorted(): "<" before "p".
  await expect.poll(() => childLabels(page, 'data')).toEqual([HOSTILE, 'p01', 'p02']);
  await expand(page, 'data/p01');
  await expect.poll(() => childLabels(page, 'data/p01')).toEqual(['calibration', 'game']);
  await expand(page, 'data/p01/calibration');
  await expect
    .poll(() => childLabels(page, 'data/p01/calibration'))
    .toEqual(['trials.csv', 'emg.hdf5', 'calibration.pkl']);
  // Quoted labels hold newlines: 3 rows, not 6 lines.
  await expect(row(page, 'data/p01/calibration/trials.csv')).toContainText('3 rows');
  await expand(page, 'data/p01/game');
  await expect(row(page, 'data/p01/game/trials.csv')).toContainText('5 rows');
  // Counted by h5wasm in a Web Worker from the h5py-written file: one dataset per trial.
  await expect(row(page, 'data/p01/calibration/emg.hdf5')).toContainText('3 datasets');
  await expect(row(page, 'data/p01/game/emg.hdf5')).toContainText('5 datasets');

  // The hostile name is text: no element made from it, no script run.
  await expand(page, `data/${HOSTILE}`);
  await expect(row(page, `data/${HOSTILE}/t`)).toBeVisible();
  await expect(panel(page).locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { axopyXss?: number }).axopyXss)).toBe(undefined);

  await expect(panel(page).locator('[role="tree"]')).toHaveAttribute('aria-label', 'AxoPy storage');
  expect(problems).toEqual([]);
});

test('keyboard: arrows move and expand, Enter opens the task preview (trials.csv: its table)', async ({
  page,
  problems
}) => {
  await openSidebar(page);
  await expect.poll(() => childLabels(page, 'data')).toContain('p01');
  await item(page, 'data').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  expect(await focusedPath(page)).toBe('data/p01');
  await expect(item(page, 'data/p01')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(item(page, 'data/p01')).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(() => childLabels(page, 'data/p01')).toEqual(['calibration', 'game']);
  await page.keyboard.press('ArrowRight');
  expect(await focusedPath(page)).toBe('data/p01/calibration');
  // Enter on a task opens its preview; ArrowRight expands it.
  await page.keyboard.press('Enter');
  await expect(page.locator('.jp-AxoPyPreview[data-task-path="data/p01/calibration"]')).toBeVisible();
  await item(page, 'data/p01/calibration').focus();
  await page.keyboard.press('ArrowRight');
  await expect(item(page, 'data/p01/calibration')).toHaveAttribute('aria-expanded', 'true');
  await expect(row(page, 'data/p01/calibration/trials.csv')).toBeVisible();
  await page.keyboard.press('ArrowDown');
  expect(await focusedPath(page)).toBe('data/p01/calibration/trials.csv');
  // Focus is visible: the focused row gets the brand-coloured border.
  const border = await row(page, 'data/p01/calibration/trials.csv').evaluate(
    element => getComputedStyle(element).borderTopColor
  );
  expect(border).not.toBe('rgba(0, 0, 0, 0)');
  await page.keyboard.press('ArrowLeft');
  expect(await focusedPath(page)).toBe('data/p01/calibration');
  await page.keyboard.press('ArrowLeft');
  await expect(item(page, 'data/p01/calibration')).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  // trials.csv opens the preview's table, with the keyboard in it (the CSV viewer is in the menu).
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.closest('.jp-AxoPyPreview-grid') !== null))
    .toBe(true);
  await expect(page.locator('.jp-CSVViewer')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('"Open as AxoPy storage" from the file browser, and why a folder is not storage', async ({ page, problems }) => {
  await page.filebrowser.openHomeDirectory();
  const folderItem = (name: string) =>
    page.locator('.jp-DirListing-item[data-isdir="true"]').filter({
      has: page.locator('.jp-DirListing-itemText', { hasText: new RegExp(`^${name}$`) })
    });
  await folderItem('archive').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open as AxoPy storage' }).click();
  await expect(panel(page)).toBeVisible();
  await expect.poll(() => childLabels(page, 'archive')).toEqual(['s9']);

  await page.sidebar.openTab('filebrowser');
  await folderItem('projects').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open as AxoPy storage' }).click();
  await expect(row(page, 'projects').locator('.jp-AxoPyStorage-problem')).toHaveText(
    /Not AxoPy storage: projects\/src\/lab has no trials\.csv/
  );
  expect(problems).toEqual([]);
});

test('updates live when a writer appends a trial', async ({ page, problems, storageServer }) => {
  // Every read of an array file (the dataset counts, by the HDF5 worker) is a Range request:
  // a recording experiment never makes the page download a whole .hdf5 again.
  const hdf5Reads: { url: string; range: string | undefined }[] = [];
  page.on('request', request => {
    if (/\/files\/.*\.hdf5(\?|$)/.test(request.url()))
      hdf5Reads.push({ url: request.url(), range: request.headers()['range'] });
  });
  await openSidebar(page);
  await expect.poll(() => childLabels(page, 'data')).toContain('p02');
  await expand(page, 'data/p02');
  await expand(page, 'data/p02/calibration');
  await expect(row(page, 'data/p02/calibration/trials.csv')).toContainText('2 rows');
  execFileSync(PYTHON, [WRITER, 'append', path.join(storageServer.rootDir, 'data', 'p02', 'calibration')]);
  await expect(row(page, 'data/p02/calibration/trials.csv')).toContainText('3 rows', {
    timeout: 15_000
  });
  await expect(row(page, 'data/p02/calibration/emg.hdf5')).toContainText('3 datasets', {
    timeout: 15_000
  });
  expect(hdf5Reads.length).toBeGreaterThan(0);
  expect(hdf5Reads.filter(read => read.range === undefined)).toEqual([]);
  writeStorage(path.join(storageServer.rootDir, 'data'), { p03: { calibration: 1 } });
  await expect.poll(() => childLabels(page, 'data'), { timeout: 15_000 }).toContain('p03');
  expect(problems).toEqual([]);
});

test('a change of the roots and discoverRoots settings takes effect', async ({ page, problems }) => {
  await openSidebar(page);
  const rootLabels = () =>
    panel(page)
      .locator('[role="tree"] > [role="treeitem"] > .jp-AxoPyStorage-row > .jp-AxoPyStorage-label')
      .allTextContents();
  // Found by their layout: both storage folders, not projects/.
  await expect.poll(rootLabels).toEqual(['archive', 'data']);
  const setSetting = (key: string, value: unknown) =>
    page.evaluate(
      async ([key, value]) => {
        const registry = (await window.galata.getPlugin('@jupyterlab/apputils-extension:settings')) as {
          set(plugin: string, key: string, value: unknown): Promise<void>;
        };
        await registry.set('jupyterlab-axopy:sidebar', key as string, value);
      },
      [key, value] as const
    );
  await setSetting('discoverRoots', false);
  await setSetting('roots', ['archive', 'missing-root']);
  await expect.poll(rootLabels).toEqual(['archive', 'missing-root']);
  await expect(item(page, 'data')).toHaveCount(0);
  await expect.poll(() => childLabels(page, 'archive')).toEqual(['s9']);
  await expect(item(page, 'missing-root').locator('[data-kind="note"]')).toContainText('missing-root does not exist');
  // Configured roots first, then the discovered ones not configured.
  await setSetting('discoverRoots', true);
  await expect.poll(rootLabels).toEqual(['archive', 'missing-root', 'data']);
  expect(problems).toEqual([]);
});

test('context menu of a node opens trials.csv in the CSV viewer', async ({ page, problems }) => {
  await openSidebar(page);
  await expect.poll(() => childLabels(page, 'data')).toContain('p01');
  await expand(page, 'data/p01');
  await row(page, 'data/p01/game').click({ button: 'right' });
  await expect(page.getByRole('menuitem', { name: 'Copy Path' })).toBeVisible();
  await page.getByRole('menuitem', { name: 'Open trials.csv in CSV Viewer' }).click();
  await expect(page.locator('.jp-CSVViewer')).toBeVisible();
  expect(await page.activity.isTabActive('trials.csv')).toBe(true);
  expect(problems).toEqual([]);
});

test('light and dark themes, with screenshots', async ({ page, problems }, testInfo) => {
  await openSidebar(page);
  await expect.poll(() => childLabels(page, 'data')).toContain('p01');
  await expand(page, 'data/p01');
  await expand(page, 'data/p01/calibration');
  await expect(row(page, 'data/p01/calibration/trials.csv')).toContainText('3 rows');
  const background = () => panel(page).evaluate(element => getComputedStyle(element).backgroundColor);
  const light = await background();
  await panel(page).screenshot({ path: testInfo.outputPath('sidebar-light.png') });
  await page.theme.setDarkTheme();
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
  await expect.poll(background).not.toBe(light);
  await panel(page).screenshot({ path: testInfo.outputPath('sidebar-dark.png') });
  expect(problems).toEqual([]);
});
