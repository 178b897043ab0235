/**
 * Issue 15, "the viewer tells the truth and is found without a manual", against a real Jupyter
 * server over storage written by Python (pandas, h5py, pickle): plots whose channels line up
 * and say what they cannot draw, a table whose selection follows the trial, column expressions
 * checked against pandas' query, errors in words and in error colours, visible export radios,
 * no checkpoint folders written into the data, and previews opened from the sidebar by double
 * click or Enter with distinct tab titles.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  childLabels,
  expand,
  item,
  linePixels,
  openPreview,
  openSidebar,
  panel,
  previewState,
  row,
  storageServerTest,
  waitForPreview
} from '../fixtures';
import type { IPreviewState } from '../fixtures';
import { PYTHON } from '../../tests/helpers/python';

const TASK = 'data/p01/gestures';
const OTHER = 'other/p01/gestures';

/** What the Python writer reports: pandas' answers and the sizes of the truncated file. */
interface IWritten {
  query: Record<string, number[]>;
  truncatedSize: number;
  truncatedFull: number;
}
let written: IWritten | undefined;

/** Storage as AxoPy writes it; prints pandas' answers to the filters the tests type. */
const WRITER = String.raw`
import json, os, pickle, sys
import h5py, numpy as np, pandas as pd
root = sys.argv[1]
queries = json.loads(sys.argv[2])
task = os.path.join(root, 'data', 'p01', 'gestures')
os.makedirs(task)
# The columns the tests click come first: the table's pane shows about three.
rows = [dict(target_force=round((i * 37 % 20) / 20, 2), a_rather_long_column_name_for_a_header=9007199254740993 + i,
             label=['rest', 'fist', 'open'][i % 3], block=0, trial=i) for i in range(20)]
df = pd.DataFrame(rows)
df.to_csv(os.path.join(task, 'trials.csv'), index=False)
with h5py.File(os.path.join(task, 'emg.hdf5'), 'w') as f:
    for i in range(20):
        x = np.zeros((3, 1800))
        x[0, 1000:1700] = np.sin(np.arange(700) / 5) * (i + 1)   # a burst ending at sample 1700
        x[1] = np.arange(1800) * 1e-4
        x[2] = -np.arange(1800)
        f.create_dataset(str(i), data=x)
with h5py.File(os.path.join(task, 'odd.hdf5'), 'w') as f:
    f.create_dataset('0', data=np.array([1.0, np.nan, 3.0, -np.inf, 5.0]))
with h5py.File(os.path.join(task, 'empty.hdf5'), 'w') as f:
    f.create_dataset('0', data=np.zeros((0,)))
with h5py.File(os.path.join(task, 'nosamples.hdf5'), 'w') as f:
    f.create_dataset('0', data=np.zeros((8, 0)))
with h5py.File(os.path.join(task, 'one.hdf5'), 'w') as f:
    f.create_dataset('0', data=np.array([42.0]))
cut = os.path.join(task, 'cut.hdf5')
with h5py.File(cut, 'w') as f:
    f.create_dataset('0', data=np.arange(9000, dtype='float64'))
full = os.path.getsize(cut)
with open(cut, 'r+b') as f:
    f.truncate(20000)
with open(os.path.join(task, 'meta.pkl'), 'wb') as f:
    pickle.dump({'rate': 2000}, f, protocol=4)
# The same subject/task names under another root; and Jupyter's checkpoint folders.
other = os.path.join(root, 'other', 'p01', 'gestures')
os.makedirs(other)
df.head(3).to_csv(os.path.join(other, 'trials.csv'), index=False)
os.makedirs(os.path.join(root, 'data', '.ipynb_checkpoints'))
os.makedirs(os.path.join(root, 'data', 'p01', '.ipynb_checkpoints'))
print(json.dumps(dict(query={q: [int(i) for i in df.query(q).index] for q in queries}, truncatedSize=os.path.getsize(cut), truncatedFull=full)))
`;

const FILTERS = ['target_force > 0.5', "target_force <= 0.25 and label == 'fist'"];

const test = storageServerTest('axopy-e2e-viewer-', rootDir => {
  written = JSON.parse(
    execFileSync(PYTHON, ['-c', WRITER, rootDir, JSON.stringify(FILTERS)], { encoding: 'utf8' })
  ) as IWritten;
});

/** The preview state with what this issue adds (see src/lab/previews/task-preview.ts). */
type State = IPreviewState & {
  headers: string[];
  trialsSummary: string;
  arrays: Record<
    string,
    IPreviewState['arrays'][string] & {
      summary?: IPreviewState['arrays'][string]['summary'] & {
        xScale?: [number, number];
        xLabel: string;
        note: string;
        xTicks: number[];
        yTicks: number[][];
        channels: Array<{
          min: number;
          max: number;
          name: string;
          nonFinite: { nan: number; posInf: number; negInf: number };
        }>;
      };
    }
  >;
};

function waitFor(page: Page, taskPath: string, check: (s: State) => boolean): Promise<State> {
  return waitForPreview(page, taskPath, s => check(s as State)) as Promise<State>;
}

function preview(page: Page, taskPath: string) {
  return page.locator(`.jp-AxoPyPreview[data-task-path="${taskPath}"]`);
}

test('channels line up: equal plotting areas, one x axis of whole samples, named axes', async ({
  page,
  problems
}, testInfo) => {
  await openPreview(page, TASK);
  const s = await waitFor(
    page,
    TASK,
    x => x.arrays.emg?.status === 'plotted' && (x.arrays.emg.summary?.xTicks.length ?? 0) > 0
  );
  const emg = s.arrays.emg.summary!;
  expect(emg.xScale).toEqual([0, 1799]);
  expect(emg.xLabel).toBe('sample');
  expect(emg.channels.map(c => c.name)).toEqual(['channel 0', 'channel 1', 'channel 2']);
  expect(emg.xTicks.length).toBeGreaterThan(1);
  for (const tick of emg.xTicks) expect(Number.isInteger(tick)).toBe(true);
  // Value ticks are at least 24 px apart on an 80 px plot: never more than 3.
  for (const ticks of emg.yTicks) expect(ticks.length).toBeLessThanOrEqual(3);
  const section = preview(page, TASK).locator('[data-array="emg"]');
  await expect(section.locator('.uplot')).toHaveCount(3);
  // The plotting area of every channel: same left, width and height; so sample 1700 (where
  // channel 0's burst ends) is at the same pixel column in every channel.
  const areas = await section.locator('.uplot .u-over').evaluateAll(nodes =>
    nodes.map(node => {
      const box = node.getBoundingClientRect();
      return { left: box.left, width: box.width, height: box.height };
    })
  );
  const columnOf = (area: { left: number; width: number }) => area.left + ((1700 - 0) / (1799 - 0)) * area.width;
  for (const area of areas) {
    expect(Math.abs(area.height - areas[0].height)).toBeLessThan(1);
    expect(Math.abs(area.width - areas[0].width)).toBeLessThan(1);
    expect(Math.abs(columnOf(area) - columnOf(areas[0]))).toBeLessThan(1);
  }
  // uPlot writes axis names on the canvas; each plot also names them for assistive technology.
  const names = await section
    .locator('.uplot')
    .evaluateAll(nodes => nodes.map(node => node.getAttribute('aria-label')));
  expect(names).toEqual(['channel 0 against sample', 'channel 1 against sample', 'channel 2 against sample']);
  // For a review by eye (ui-tests/test-results): the whole preview, every array of trial 0.
  await preview(page, TASK).screenshot({ path: testInfo.outputPath('viewer-trial0.png') });
  expect(problems).toEqual([]);
});

test('NaN and inf are said, finite samples drawn; empty arrays said; one sample is not 0..100', async ({
  page,
  problems
}, testInfo) => {
  await openPreview(page, TASK);
  // uPlot sets its x scale when it first draws, a frame after the state says 'plotted'.
  const s = await waitFor(
    page,
    TASK,
    x =>
      ['odd', 'empty', 'nosamples', 'one'].every(
        name => x.arrays[name]?.status === 'plotted' && x.arrays[name].summary !== undefined
      ) && x.arrays.one.summary!.xScale !== undefined
  );
  const odd = s.arrays.odd.summary!;
  expect(odd.channels[0].nonFinite).toEqual({ nan: 1, posInf: 0, negInf: 1 });
  expect([odd.channels[0].min, odd.channels[0].max]).toEqual([1, 5]);
  expect(odd.note).toMatch(/^contains 1 NaN, 1 -inf/);
  const oddSection = preview(page, TASK).locator('[data-array="odd"]');
  await expect(oddSection.locator('.jp-AxoPyPreview-plotNote')).toHaveText(/contains 1 NaN, 1 -inf/);
  await expect(oddSection.locator('.jp-AxoPyPreview-stats')).not.toContainText('Infinity');
  await expect(oddSection.locator('canvas').first()).toBeVisible();
  // The finite samples are drawn: pixels of the line colour on the canvas (not an empty frame).
  await expect.poll(() => linePixels(oddSection.locator('canvas').first())).toBeGreaterThan(10);
  for (const name of ['empty', 'nosamples']) {
    expect(s.arrays[name].summary!.note).toBe('empty array (0 samples)');
    const section = preview(page, TASK).locator(`[data-array="${name}"]`);
    await expect(section.locator('.jp-AxoPyPreview-plotNote')).toHaveText('empty array (0 samples)');
    await expect(section.locator('.uplot')).toHaveCount(0);
    await expect(section.locator('.jp-AxoPyPreview-stats')).not.toContainText('NaN');
  }
  const one = s.arrays.one.summary!;
  expect(one.channels[0].min).toBe(42);
  const [lo, hi] = one.xScale!;
  expect(lo).toBeLessThan(0);
  expect(hi).toBeGreaterThan(0);
  expect(hi - lo).toBeLessThanOrEqual(2);
  expect(one.xTicks.every(Number.isInteger)).toBe(true);
  for (const name of ['odd', 'one']) {
    const section = preview(page, TASK).locator(`[data-array="${name}"]`);
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: testInfo.outputPath(`viewer-${name}.png`) });
  }
  expect(problems).toEqual([]);
});

/** Clicks the body cell of view row `row` (0-based) in the trials grid. */
async function clickRow(page: Page, taskPath: string, row: number): Promise<void> {
  await preview(page, taskPath)
    .locator('.jp-AxoPyPreview-grid')
    .click({ position: { x: 120, y: 24 + 22 * row + 11 } });
}

test('the selection follows the trial through sort and filter; the sort shows its direction', async ({
  page,
  problems
}) => {
  await openPreview(page, TASK);
  await waitFor(page, TASK, x => x.rowCount === 20 && x.selectedTrial === 0);
  await clickRow(page, TASK, 2);
  await waitFor(page, TASK, x => x.selectedTrial === 2);
  const grid = preview(page, TASK).locator('.jp-AxoPyPreview-grid');
  const column = (await previewState(page, TASK))!.columns.indexOf('target_force');
  const header = { x: 56 + 110 * column + 55, y: 12 };
  await grid.click({ position: header });
  let s = await waitFor(page, TASK, x => x.headers[column]?.endsWith('▲'));
  expect(s.headers[column]).toBe('target_force (float64) ▲');
  expect(s.viewTrials.slice(0, 3)).not.toEqual([0, 1, 2]);
  expect(s.selectedTrial).toBe(2);
  await expect(preview(page, TASK).locator('.jp-AxoPyPreview-trialHeading')).toHaveText('Trial 2');
  await grid.click({ position: header });
  s = await waitFor(page, TASK, x => x.headers[column]?.endsWith('▼'));
  expect(s.selectedTrial).toBe(2);
  // A filter keeping trial 2 (label "open") keeps it selected (and plotted).
  await preview(page, TASK).locator('.jp-AxoPyPreview-filter').fill('open');
  s = await waitFor(page, TASK, x => x.viewTrials.length < 20);
  expect(s.selectedTrial).toBe(2);
  await expect(preview(page, TASK).locator('.jp-AxoPyPreview-trialHeading')).toHaveText('Trial 2');
  expect(problems).toEqual([]);
});

test('column expressions filter as pandas query does; a broken one says why', async ({ page, problems }) => {
  await openPreview(page, TASK);
  await waitFor(page, TASK, x => x.rowCount === 20);
  const filter = preview(page, TASK).locator('.jp-AxoPyPreview-filter');
  await expect(filter).toHaveAttribute('title', /target_force > 0\.5|column expressions/);
  for (const query of FILTERS) {
    await filter.fill(query);
    const s = await waitFor(page, TASK, x => x.viewTrials.join() === written!.query[query].join());
    expect(s.viewTrials).toEqual(written!.query[query]);
  }
  await filter.fill('force > 0.5');
  const s = await waitFor(page, TASK, x => x.trialsSummary.includes('filter not applied'));
  expect(s.trialsSummary).toContain('no column "force"');
  expect(s.viewTrials).toHaveLength(20);
  expect(problems).toEqual([]);
});

test('a cut cell or header gives its full value on hover', async ({ page, problems }) => {
  await openPreview(page, TASK);
  const s = await waitFor(page, TASK, x => x.rowCount === 20);
  const column = s.columns.indexOf('a_rather_long_column_name_for_a_header');
  const grid = preview(page, TASK).locator('.jp-AxoPyPreview-grid');
  const box = (await grid.boundingBox())!;
  // Hover the cell of trial 0 and then the header of that 110 px column.
  const x = box.x + 56 + 110 * column + 55;
  await page.mouse.move(x, box.y + 24 + 11);
  await expect(grid).toHaveAttribute('title', '9007199254740993');
  await page.mouse.move(x, box.y + 12);
  await expect(grid).toHaveAttribute('title', 'a_rather_long_column_name_for_a_header (int64)');
  expect(problems).toEqual([]);
});

test('a truncated .hdf5 is an error in words and error colours, the raw detail below', async ({ page, problems }) => {
  await openPreview(page, TASK);
  await waitFor(page, TASK, x => x.arrays.cut?.status === 'error');
  const message = preview(page, TASK).locator('[data-array="cut"] .jp-AxoPyPreview-message');
  const group = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');
  await expect(message).toHaveText(
    `cut.hdf5 is truncated: ${group(written!.truncatedSize)} of ${group(written!.truncatedFull)} bytes`
  );
  await expect(message).toHaveClass(/jp-AxoPyPreview-error/);
  const [color, errorColor] = await message.evaluate(node => [
    getComputedStyle(node).color,
    (() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--jp-error-color1)';
      document.body.appendChild(probe);
      const value = getComputedStyle(probe).color;
      probe.remove();
      return value;
    })()
  ]);
  expect(color).toBe(errorColor);
  await expect(preview(page, TASK).locator('[data-array="cut"] .jp-AxoPyPreview-errorDetail')).toContainText(
    'truncated file'
  );
  expect(problems).toEqual([]);
});

test('the export dialog shows two distinct radios in light and dark themes', async ({ page, problems }) => {
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') await page.theme.setDarkTheme();
    else await page.theme.setLightTheme();
    void page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('jupyterlab-axopy:export-zip', { path: 'data/p01/gestures' })
    );
    const dialog = page.locator('.jp-Dialog');
    const radios = dialog.locator('input[type="radio"]');
    await expect(radios).toHaveCount(2);
    for (const radio of await radios.all()) {
      expect(await radio.evaluate(node => getComputedStyle(node).appearance)).not.toBe('none');
      const box = (await radio.boundingBox())!;
      expect(box.width).toBeGreaterThan(6);
    }
    // Checked and unchecked look different.
    const [first, second] = [await radios.nth(0).screenshot(), await radios.nth(1).screenshot()];
    expect(first.equals(second)).toBe(false);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  }
  await page.theme.setLightTheme();
  expect(problems).toEqual([]);
});

test('double click or Enter in the sidebar opens the preview; trials.csv opens its table, no checkpoint written', async ({
  page,
  problems,
  storageServer
}) => {
  await openSidebar(page);
  // Jupyter's checkpoint folders are neither subjects nor tasks.
  await expect.poll(() => childLabels(page, 'data')).toEqual(['p01']);
  await expand(page, 'data/p01');
  await expect.poll(() => childLabels(page, 'data/p01')).toEqual(['gestures']);
  await row(page, TASK).dblclick();
  await expect(preview(page, TASK)).toBeVisible();
  // The double click's first click expanded the task.
  await expect(item(page, TASK)).toHaveAttribute('aria-expanded', 'true');
  // Dataset counts: a count, and an unreadable file said so (not "…" as while counting).
  await expect(row(page, `${TASK}/emg.hdf5`)).toContainText('20 datasets');
  await expect(row(page, `${TASK}/cut.hdf5`)).toContainText('unreadable');
  await page.locator('.lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').last().click();
  await expect(preview(page, TASK)).toHaveCount(0);
  await row(page, `${TASK}/emg.hdf5`).click();
  await page.keyboard.press('Enter');
  await expect(preview(page, TASK)).toBeVisible();
  await page.locator('.lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').last().click();
  await row(page, `${TASK}/meta.pkl`).dblclick();
  await expect(preview(page, TASK)).toBeVisible();
  await page.locator('.lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').last().click();
  await row(page, `${TASK}/trials.csv`).dblclick();
  await expect(preview(page, TASK)).toBeVisible();
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.closest('.jp-AxoPyPreview-grid') !== null))
    .toBe(true);
  await expect(page.locator('.jp-CSVViewer')).toHaveCount(0);
  // The CSV viewer stays in the context menu.
  await row(page, `${TASK}/trials.csv`).click({ button: 'right' });
  await expect(page.getByRole('menuitem', { name: 'Open trials.csv in CSV Viewer' })).toBeVisible();
  await page.keyboard.press('Escape');
  expect(fs.existsSync(path.join(storageServer.rootDir, TASK, '.ipynb_checkpoints'))).toBe(false);
  expect(problems).toEqual([]);
});

test('two previews of p01/gestures under different roots get distinct tab titles', async ({ page, problems }) => {
  await openPreview(page, TASK);
  await openPreview(page, OTHER);
  const titles = await page.locator('#jp-main-dock-panel .lm-TabBar-tabLabel').allTextContents();
  expect(titles).toContain('data/p01/gestures');
  expect(titles).toContain('other/p01/gestures');
  expect(problems).toEqual([]);
});

test('"Open as AxoPy storage" from the palette does not act on a hidden file-browser selection', async ({
  page,
  problems
}) => {
  await page.filebrowser.openHomeDirectory();
  const folder = page.locator('.jp-DirListing-item[data-isdir="true"]').filter({
    has: page.locator('.jp-DirListing-itemText', { hasText: /^data$/ })
  });
  await folder.click();
  await openSidebar(page);
  void page.evaluate(() => (window as any).jupyterapp.commands.execute('jupyterlab-axopy:open-storage'));
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Folder to open');
  await dialog.locator('input').fill('other/p01');
  await dialog.getByRole('button', { name: /OK|Ok/ }).click();
  await expect(item(page, 'other/p01')).toBeVisible();
  await expect(panel(page).locator('[role="tree"] > [role="treeitem"][data-path="data"]')).toHaveCount(1);
  expect(problems).toEqual([]);
});
