/**
 * "Open in Notebook" on a task of storage written by this project's kernel API (the demo-data
 * generator): the sidebar shows it, the command writes a notebook beside the storage root, and
 * the notebook runs on the TypeScript (AxoPy) kernel, showing the trials table and a plot.
 */
import { expect, galata } from '@jupyterlab/galata';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../lab-server';
import { childLabels, expand, panel, row, storageServerTest } from '../fixtures';

const test = storageServerTest('axopy-e2e-notebook-', rootDir => {
  execFileSync('node', [
    path.join(repoRoot, 'scripts', 'make-demo-data.cjs'),
    path.join(rootDir, 'data'),
    '--trials',
    '6'
  ]);
});
// The product's default, read from the settings schema (the other specs turn it off in
// playwright.config.ts): if the default changes, "shown at start" below fails.
const sidebarSchema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'sidebar.json'), 'utf8'));
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-axopy:sidebar': { openOnStart: sidebarSchema.properties.openOnStart.default }
  }
});

test('storage written by the kernel API shows in the tree and opens in a working notebook', async ({
  page,
  problems,
  storageServer
}) => {
  test.setTimeout(120_000);
  // Shown at start (the openOnStart setting), without opening it.
  await expect(panel(page).locator('[role="tree"]')).toBeVisible();
  await expect.poll(() => childLabels(page, 'data')).toEqual(['p01', 'p02', 'p03']);
  await expand(page, 'data/p02');
  await expect.poll(() => childLabels(page, 'data/p02')).toEqual(['calibration', 'gestures']);
  await expand(page, 'data/p02/gestures');
  await expect(row(page, 'data/p02/gestures/trials.csv')).toContainText('6 rows');
  await expect(row(page, 'data/p02/gestures/emg.hdf5')).toContainText('6 datasets');

  await row(page, 'data/p02/gestures').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open in Notebook' }).click();
  await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
  expect(fs.existsSync(path.join(storageServer.rootDir, 'p02-gestures.ipynb'))).toBe(true);
  await expect(page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator, .jp-KernelName').first()).toBeVisible();
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText('TypeScript (AxoPy)', { timeout: 30_000 });
  await page.notebook.run();
  const outputs = page.locator('.jp-NotebookPanel .jp-OutputArea-output');
  await expect(outputs.locator('table').first()).toContainText('gesture', { timeout: 60_000 });
  await expect(outputs.locator('svg, img').first()).toBeVisible({ timeout: 60_000 });
  await expect(
    outputs.locator('xpath=self::*[@data-mime-type="application/vnd.jupyter.stdout"]').filter({ hasText: 'float64' })
  ).toContainText('[ 48, 2000 ]');
  await expect(page.locator('.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);
  // JupyterLab 4.6.3's debugger extension asks every kernel for its modules after each
  // execution and throws "No active debugger session" (uncaught) when the kernel has no
  // debugger, as tslab has none: upstream behaviour, not this extension's.
  expect(problems.filter(problem => !problem.startsWith('page error: No active debugger session'))).toEqual([]);
});
