/**
 * Screenshot review (issue 15): every task of the demo, of the Python fixtures and a 1 GB task,
 * previewed in the light and the dark theme, each preview saved as a PNG for a review by eye
 * (ui-tests/test-results/review-*), and checked: every array section draws lines (pixels of
 * the line colour on each channel's canvas) in plotting areas of a readable size, or says in
 * words why it does not; a task without array files says so. Slow (the 1 GB file is written
 * first): runs only with AXOPY_E2E_REVIEW=1.
 */
import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../lab-server';
import { linePixels, openPreview, storageServerTest, waitForPreview } from '../fixtures';
import { CURRENT_PYTHON } from '../../tests/helpers/python';

const REVIEW = process.env.AXOPY_E2E_REVIEW === '1';

const test = storageServerTest('axopy-e2e-review-', rootDir => {
  if (!REVIEW) return;
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'make-demo-data.sh'), path.join(rootDir, 'demo')], {
    stdio: 'ignore'
  });
  const writer = path.join(repoRoot, 'tests', 'python', 'write_preview_storage.py');
  execFileSync(CURRENT_PYTHON, [writer, 'fixtures', path.join(rootDir, 'corpus')]);
  execFileSync(CURRENT_PYTHON, [writer, 'big', path.join(rootDir, 'big'), '130', '8', '125000']);
});

/** Every task folder (root/subject/task) under the served folder. */
function tasks(rootDir: string): string[] {
  const found: string[] = [];
  for (const root of fs.readdirSync(rootDir).sort())
    for (const subject of fs.readdirSync(path.join(rootDir, root)).sort())
      for (const task of fs.readdirSync(path.join(rootDir, root, subject)).sort())
        if (fs.existsSync(path.join(rootDir, root, subject, task, 'trials.csv')))
          found.push(`${root}/${subject}/${task}`);
  return found;
}

async function review(page: Page, taskPath: string, name: string): Promise<string[]> {
  const seen: string[] = [];
  await openPreview(page, taskPath);
  // Settled: the table read, and every array drawn or told why not.
  const s = await waitForPreview(
    page,
    taskPath,
    x =>
      (x.rowCount > 0 || x.trialsError !== undefined) &&
      Object.values(x.arrays).every(
        a => a.status !== 'loading' && a.status !== 'idle' && (a.status !== 'plotted' || a.summary !== undefined)
      ),
    60_000
  );
  const preview = page.locator(`.jp-AxoPyPreview[data-task-path="${taskPath}"]`);
  if (Object.keys(s.arrays).length === 0) {
    await expect(preview.locator('.jp-AxoPyPreview-detailsNote')).toBeVisible();
    seen.push(`${taskPath}: no arrays, said`);
  }
  for (const [array, state] of Object.entries(s.arrays)) {
    const section = preview.locator(`[data-array="${array}"]`);
    await section.scrollIntoViewIfNeeded();
    const note = state.status === 'plotted' ? ((state.summary as { note?: string }).note ?? '') : (state.message ?? '');
    if (state.status === 'plotted' && state.summary!.channelCount > 0 && state.summary!.samples > 0) {
      const canvases = section.locator('.uplot canvas');
      const count = await canvases.count();
      expect(count, `${taskPath} ${array}: one canvas per channel`).toBe(state.summary!.channels.length);
      for (let c = 0; c < count; c++) {
        await expect
          .poll(() => linePixels(canvases.nth(c)), { message: `${taskPath} ${array} channel ${c} draws` })
          .toBeGreaterThan(10);
      }
      const areas = await section
        .locator('.uplot .u-over')
        .evaluateAll(nodes => nodes.map(n => n.getBoundingClientRect().toJSON()));
      for (const area of areas) {
        expect(area.height, `${taskPath} ${array}: plot height`).toBeGreaterThanOrEqual(60);
        expect(area.width, `${taskPath} ${array}: plot width`).toBeGreaterThanOrEqual(150);
      }
      seen.push(
        `${taskPath} ${array}: ${count} channels drawn, areas ${Math.round(areas[0].width)}x${Math.round(areas[0].height)}${note ? `, note "${note}"` : ''}`
      );
    } else {
      expect(note, `${taskPath} ${array}: not drawn (${state.status}), so said`).not.toBe('');
      seen.push(`${taskPath} ${array}: ${state.status}, said "${note.split('\n')[0]}"`);
    }
  }
  await preview.screenshot({ path: test.info().outputPath(`review-${name}.png`) });
  await page.locator('.lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').last().click();
  return seen;
}

test('every preview of the demo, the Python fixtures and a 1 GB task draws or says why not, light and dark', async ({
  page,
  problems,
  storageServer
}) => {
  test.skip(!REVIEW, 'set AXOPY_E2E_REVIEW=1 (writes a 1 GB file)');
  test.setTimeout(15 * 60_000);
  const seen: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') await page.theme.setDarkTheme();
    else await page.theme.setLightTheme();
    for (const taskPath of tasks(storageServer.rootDir)) {
      seen.push(
        ...(await review(page, taskPath, `${theme}-${taskPath.replace(/\//g, '-')}`)).map(line => `${theme}: ${line}`)
      );
    }
  }
  fs.writeFileSync(test.info().outputPath('review.txt'), `${seen.join('\n')}\n`);
  // Errors the corpus provokes on purpose (a corrupt file, a ragged trials.csv) are said in the
  // previews; the console stays free of anything else.
  expect(problems.filter(p => !/bad\.hdf5|ragged/.test(p))).toEqual([]);
});
