/**
 * The rest of issue 15 against a real Jupyter server over storage written by Python (pandas,
 * h5py): the CSV viewer opened from the sidebar reads trials.csv without writing into the data,
 * the export dialog's preselection, the full value of a cut cell on hover and on copy, a task
 * without array files said so, a preview opened again after it left the shell, and seconds with
 * channel names from an `<array>.json` sidecar.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureExpanded, openPreview, openSidebar, row, storageServerTest, waitForPreview } from '../fixtures';
import { PYTHON } from '../../tests/helpers/python';

const TASK = 'data/p01/gestures';
const CSV_ONLY = 'data/p01/survey';
const TIMED = 'data/p02/timed';

/** Storage as AxoPy writes it, plus an `<array>.json` sidecar (sample rate, channel names). */
const WRITER = String.raw`
import json, os, sys
import h5py, numpy as np, pandas as pd
root = sys.argv[1]
task = os.path.join(root, 'data', 'p01', 'gestures')
os.makedirs(task)
pd.DataFrame([dict(big=9007199254740993 + i, note='a note much longer than the column is wide ' * 2 + str(i), block=0, trial=i)
              for i in range(4)]).to_csv(os.path.join(task, 'trials.csv'), index=False)
with h5py.File(os.path.join(task, 'emg.hdf5'), 'w') as f:
    for i in range(4):
        f.create_dataset(str(i), data=np.arange(200.0).reshape(2, 100) + i)
survey = os.path.join(root, 'data', 'p01', 'survey')
os.makedirs(survey)
pd.DataFrame(dict(answer=['yes', 'no'], block=[0, 0], trial=[0, 1])).to_csv(os.path.join(survey, 'trials.csv'), index=False)
timed = os.path.join(root, 'data', 'p02', 'timed')
os.makedirs(timed)
pd.DataFrame(dict(block=[0, 0], trial=[0, 1])).to_csv(os.path.join(timed, 'trials.csv'), index=False)
with h5py.File(os.path.join(timed, 'emg.hdf5'), 'w') as f:
    for i in range(2):
        f.create_dataset(str(i), data=np.sin(np.arange(3 * 500.0).reshape(3, 500) / 7))
with open(os.path.join(timed, 'emg.json'), 'w') as f:
    json.dump({'sample_rate': 250, 'channel_names': ['FDS', 'EDC', 'ECU']}, f)
# Another storage root with the same subject/task names.
other = os.path.join(root, 'other', 'p01', 'gestures')
os.makedirs(other)
pd.DataFrame(dict(block=[0], trial=[0])).to_csv(os.path.join(other, 'trials.csv'), index=False)
`;

const test = storageServerTest('axopy-e2e-viewer-rest-', rootDir => {
  execFileSync(PYTHON, ['-c', WRITER, rootDir]);
});

/** Every path under `dir` (relative, sorted), as the server's file system has it. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(p => p.split(path.sep).join('/')).sort();
}

test('"Open trials.csv in CSV Viewer" shows the rows and writes nothing into the storage', async ({
  page,
  problems,
  storageServer
}) => {
  const before = listing(storageServer.rootDir);
  await openSidebar(page);
  await ensureExpanded(page, 'data');
  await ensureExpanded(page, 'data/p01');
  await row(page, TASK).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open trials.csv in CSV Viewer' }).click();
  await expect(page.locator('.jp-CSVViewer')).toBeVisible();
  // The viewer's grid holds the 4 trials (and the 4 columns) once the document is ready: a
  // writable document would have been checkpointed by then.
  const shown = await page.evaluate(async () => {
    const widget = (window as any).jupyterapp.shell.currentWidget;
    await widget.context.ready;
    // The viewer parses the text after the context is ready, then gives its grid the model.
    const model = () => widget.content._grid?.dataModel;
    for (let i = 0; i < 200 && !(model()?.rowCount('body') > 0); i++) await new Promise(r => setTimeout(r, 50));
    return {
      rows: model()?.rowCount('body'),
      columns: model()?.columnCount('body'),
      path: widget.context.path,
      canSave: widget.context.canSave
    };
  });
  await page.waitForTimeout(500);
  expect(listing(storageServer.rootDir).filter(p => p.includes('.ipynb_checkpoints'))).toEqual([]);
  expect(listing(storageServer.rootDir)).toEqual(before);
  expect(shown).toEqual({ rows: 4, columns: 4, path: `AxoPyReadOnly:${TASK}/trials.csv`, canSave: false });
  expect(problems).toEqual([]);
});

/** Opens the export dialog of `folder` (as `level`); returns it. */
async function exportDialog(page: Page, folder: string, level: string) {
  // Not awaited in the page: the command runs until the export it starts is done.
  await page.evaluate(
    ([p, l]) => void (window as any).jupyterapp.commands.execute('jupyterlab-axopy:export-zip', { path: p, level: l }),
    [folder, level]
  );
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('input[type="radio"]')).toHaveCount(2);
  return dialog;
}

test('export dialog: each radio looks different checked and unchecked (light, dark); the last choice is preselected per storage root, and said', async ({
  page,
  problems,
  storageServer
}) => {
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') await page.theme.setDarkTheme();
    else await page.theme.setLightTheme();
    const dialog = await exportDialog(page, TASK, 'task');
    const radios = dialog.locator('input[type="radio"]');
    // Nothing chosen yet for the root "data": the settings' default (download), said so.
    await expect(radios.nth(0)).toBeChecked();
    await expect(dialog.locator('.jp-AxoPyExport-lastChoice')).toHaveAttribute('data-reason', 'default');
    const checked0 = await radios.nth(0).screenshot();
    const unchecked1 = await radios.nth(1).screenshot();
    await radios.nth(1).check();
    await expect(radios.nth(0)).not.toBeChecked();
    const unchecked0 = await radios.nth(0).screenshot();
    const checked1 = await radios.nth(1).screenshot();
    expect(checked0.equals(unchecked0), `${theme}: the first radio checked and unchecked`).toBe(false);
    expect(checked1.equals(unchecked1), `${theme}: the second radio checked and unchecked`).toBe(false);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  }
  await page.theme.setLightTheme();
  // A cancelled dialog remembers nothing; an export saved on the server does, for its root.
  let dialog = await exportDialog(page, TASK, 'task');
  await expect(dialog.locator('.jp-AxoPyExport-lastChoice')).toHaveAttribute('data-reason', 'default');
  await dialog.getByLabel(/on the server/).check();
  await dialog.getByRole('button', { name: 'Export' }).click();
  const archive = path.join(storageServer.rootDir, 'data', 'p01', 'gestures.zip');
  await expect.poll(() => fs.existsSync(archive), { timeout: 30_000 }).toBe(true);
  // The root's subject: the server, as last chosen for "data", and the dialog says so.
  dialog = await exportDialog(page, 'data/p01', 'subject');
  await expect(dialog.getByLabel(/on the server/)).toBeChecked();
  await expect(dialog.locator('.jp-AxoPyExport-lastChoice')).toHaveText(
    'Preselected: your last choice for the storage root data.'
  );
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Another root, same subject/task names: still the default.
  dialog = await exportDialog(page, 'other/p01/gestures', 'task');
  await expect(dialog.getByLabel(/Download/)).toBeChecked();
  await expect(dialog.locator('.jp-AxoPyExport-lastChoice')).toHaveAttribute('data-reason', 'default');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  fs.rmSync(archive);
  expect(problems).toEqual([]);
});

test.describe('copy', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('a cut cell gives its full value on hover and on Ctrl+C with the cell selected', async ({ page, problems }) => {
    await openPreview(page, TASK);
    await waitForPreview(page, TASK, x => x.rowCount === 4);
    const grid = page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"] .jp-AxoPyPreview-grid`);
    const box = (await grid.boundingBox())!;
    // The cells of trial 1 in columns "big" (0) and "note" (1): 110 px wide, their text cut.
    const cell = (column: number) => ({ x: box.x + 56 + 110 * column + 55, y: box.y + 24 + 22 + 11 });
    const note = `${'a note much longer than the column is wide '.repeat(2)}1`;
    for (const [column, full] of [
      [0, '9007199254740994'],
      [1, note]
    ] as const) {
      await page.mouse.move(cell(column).x, cell(column).y);
      await expect(grid).toHaveAttribute('title', full);
      await page.mouse.click(cell(column).x, cell(column).y);
      await waitForPreview(page, TASK, x => x.selectedTrial === 1);
      await page.evaluate(() => navigator.clipboard.writeText('stale'));
      await page.keyboard.press('ControlOrMeta+c');
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(full);
    }
    // Shift copies the whole row, tab-separated, every value whole.
    await page.keyboard.press('ControlOrMeta+Shift+c');
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe(`9007199254740994\t${note}\t0\t1`);
    expect(problems).toEqual([]);
  });
});

test('a task with only trials.csv says it has no array files', async ({ page, problems }) => {
  await openPreview(page, CSV_ONLY);
  const s = await waitForPreview(page, CSV_ONLY, x => x.rowCount === 2 && (x as any).detailsNote !== '');
  const text = `${CSV_ONLY} has no array files (.hdf5) and no pickles (.pkl): only trials.csv.`;
  expect((s as any).detailsNote).toBe(text);
  await expect(page.locator(`.jp-AxoPyPreview[data-task-path="${CSV_ONLY}"] .jp-AxoPyPreview-detailsNote`)).toHaveText(
    text
  );
  // A task with arrays has no such note.
  await openPreview(page, TASK);
  const withArrays = await waitForPreview(page, TASK, x => x.arrays.emg?.status === 'plotted');
  expect((withArrays as any).detailsNote).toBe('');
  await expect(page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"] .jp-AxoPyPreview-detailsNote`)).toBeHidden();
  expect(problems).toEqual([]);
});

test('a preview taken out of the main area by a layout restore comes back on Preview Task', async ({
  page,
  problems
}) => {
  // What JupyterLab's layout restore does to a tab opened before it finishes: the main dock
  // panel gets the saved layout, which does not have the tab; the widget leaves the shell
  // without being closed.
  await page.evaluate(() => ((window as any).__savedDock = (window as any).jupyterapp.shell._dockPanel.saveLayout()));
  await openPreview(page, TASK);
  await page.evaluate(() => {
    const shell = (window as any).jupyterapp.shell;
    shell._dockPanel.restoreLayout((window as any).__savedDock);
  });
  await expect(page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"]`)).toHaveCount(0);
  await openPreview(page, TASK);
  await expect(page.locator(`.jp-AxoPyPreview[data-task-path="${TASK}"]`)).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('with a sidecar (sample_rate 250, channel_names) the x axis is in seconds and the channels are named', async ({
  page,
  problems
}, testInfo) => {
  await openPreview(page, TIMED);
  const s = await waitForPreview(
    page,
    TIMED,
    x => (x.arrays.emg?.summary as any)?.xLabel === 'time (s)' && (x.arrays.emg.summary as any).xTickLabels.length > 1
  );
  const emg = s.arrays.emg.summary as any;
  expect(emg.sampleRate).toBe(250);
  expect(emg.channels.map((c: { name: string }) => c.name)).toEqual(['FDS', 'EDC', 'ECU']);
  // Each tick's label is its position in seconds: sample / 250; the 500 samples span 0..1.996 s.
  const seconds = (emg.xTickLabels as string[]).map(Number);
  (emg.xTicks as number[]).forEach((position, i) => expect(seconds[i]).toBeCloseTo(position / 250, 9));
  expect(Math.min(...seconds)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...seconds)).toBeLessThanOrEqual(499 / 250);
  // One second is sample 250 (not sample 1, as an axis of sample indices would have it).
  expect(emg.xTicks[seconds.indexOf(1)]).toBeCloseTo(250, 9);
  const section = page.locator(`.jp-AxoPyPreview[data-task-path="${TIMED}"] [data-array="emg"]`);
  const names = await section
    .locator('.uplot')
    .evaluateAll(nodes => nodes.map(node => node.getAttribute('aria-label')));
  expect(names).toEqual(['FDS against time (s)', 'EDC against time (s)', 'ECU against time (s)']);
  await expect(section.locator('.jp-AxoPyPreview-stats')).toContainText('FDS');
  await section.screenshot({ path: testInfo.outputPath('viewer-seconds.png') });
  // Without a sidecar: samples, numbered channels.
  await openPreview(page, TASK);
  const plain = await waitForPreview(
    page,
    TASK,
    x => x.arrays.emg?.status === 'plotted' && (x.arrays.emg.summary as any)?.xTickLabels.length > 1
  );
  expect((plain.arrays.emg.summary as any).xLabel).toBe('sample');
  expect(plain.arrays.emg.summary!.channels.map(c => (c as any).name)).toEqual(['channel 0', 'channel 1']);
  expect(problems).toEqual([]);
});
