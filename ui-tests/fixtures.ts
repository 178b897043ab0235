/**
 * Shared pieces of the end-to-end tests: a worker-scoped Jupyter server over a storage folder
 * that a spec fills, a `problems` fixture collecting console errors and failed requests, and
 * locators for the AxoPy storage tree.
 */
import { expect, test as galataTest, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import * as fs from 'node:fs';
import { axopyExtensionInstalled, makeServerFolders, startLabServer, type ILabServerOptions } from './lab-server';

export const PANEL_ID = 'jupyterlab-axopy-storage';

export interface IStorageServer {
  url: string;
  /** The served folder. */
  rootDir: string;
  /** The temporary folder holding rootDir and the server's state; removed after the tests. */
  base: string;
}

/**
 * A galata test whose server serves a fresh folder that `fill(rootDir)` writes first, with the
 * built jupyterlab-axopy extension, and a `problems` list of every console error, page error
 * and HTTP error of the page.
 */
export function storageServerTest(
  prefix: string,
  fill: (rootDir: string) => void,
  serverOptions: Pick<ILabServerOptions, 'withoutServerExtension'> = {}
) {
  return galataTest.extend<{ problems: string[] }, { storageServer: IStorageServer }>({
    storageServer: [
      // Playwright reads a fixture's dependencies from its first parameter's pattern: none here.
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        if (!axopyExtensionInstalled()) {
          throw new Error('jupyterlab-axopy is not installed in .venv: run bash scripts/install-wheel.sh first');
        }
        const folders = makeServerFolders(prefix);
        fill(folders.rootDir);
        const server = await startLabServer({
          rootDir: folders.rootDir,
          token: '',
          stateDir: folders.stateDir,
          ...serverOptions
        });
        await use({ url: server.url, rootDir: folders.rootDir, base: folders.base });
        await server.stop();
        fs.rmSync(folders.base, { recursive: true, force: true });
      },
      { scope: 'worker' }
    ],
    baseURL: async ({ storageServer }, use) => use(storageServer.url),
    problems: async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', message => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      page.on('pageerror', error =>
        problems.push(`page error: ${error.message}${process.env.AXOPY_E2E_STACKS ? ` ${error.stack}` : ''}`)
      );
      page.on('response', response => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      await use(problems);
    }
  });
}

export function panel(page: Page): Locator {
  return page.locator(`#${PANEL_ID}`);
}

/** The tree item of a path (the first one: a path may appear under two roots). */
export function item(page: Page, itemPath: string): Locator {
  return panel(page)
    .locator(`.jp-AxoPyStorage-item[data-path="${itemPath.replace(/"/g, '\\"')}"]`)
    .first();
}

export function row(page: Page, itemPath: string): Locator {
  return item(page, itemPath).locator('> .jp-AxoPyStorage-row');
}

/** Labels of the children of a tree item, in display order. */
export async function childLabels(page: Page, itemPath: string): Promise<string[]> {
  return item(page, itemPath)
    .locator('> [role="group"] > [role="treeitem"] > .jp-AxoPyStorage-row > .jp-AxoPyStorage-label')
    .allTextContents();
}

export async function openSidebar(page: IJupyterLabPageFixture): Promise<void> {
  await page.sidebar.openTab(PANEL_ID);
  await expect(panel(page).locator('[role="tree"]')).toBeVisible();
}

export async function expand(page: Page, itemPath: string): Promise<void> {
  await row(page, itemPath).click();
  await expect(item(page, itemPath)).toHaveAttribute('aria-expanded', 'true');
}

/** Expands a tree item unless it is expanded already (roots may start expanded). */
export async function ensureExpanded(page: Page, itemPath: string): Promise<void> {
  await expect(item(page, itemPath)).toBeVisible();
  if ((await item(page, itemPath).getAttribute('aria-expanded')) !== 'true') await expand(page, itemPath);
}

/** What the preview publishes on window.__axopyPreviews (see src/lab/previews/task-preview.ts). */
export interface IPreviewState {
  columns: string[];
  dtypes: Record<string, string>;
  rowCount: number;
  viewTrials: number[];
  viewCells: string[][];
  selectedTrial: number | undefined;
  trialsError: string | undefined;
  arrays: Record<
    string,
    {
      status: string;
      dataset?: string;
      message?: string;
      bytesFetched?: number;
      summary?: {
        dtype: string;
        shape: number[];
        slice: number[];
        channelCount: number;
        samples: number;
        channels: Array<{ min: number; max: number; mean: number; points: number }>;
      };
    }
  >;
  pickles: Record<string, { status: string; message?: string }>;
}

export async function openPreview(page: Page, taskPath: string): Promise<void> {
  // Return nothing: the command's result (a widget) would be serialised back, at great cost.
  await page.evaluate(
    async p => void (await (window as any).jupyterapp.commands.execute('jupyterlab-axopy:preview-task', { path: p })),
    taskPath
  );
  await expect(page.locator(`.jp-AxoPyPreview[data-task-path="${taskPath.replace(/"/g, '\\"')}"]`)).toBeVisible();
}

export function previewState(page: Page, taskPath: string): Promise<IPreviewState | undefined> {
  return page.evaluate(
    p => JSON.parse(JSON.stringify((window as any).__axopyPreviews?.[p] ?? null)) ?? undefined,
    taskPath
  );
}

/** Waits until the preview's state satisfies `check`, and returns it. */
export async function waitForPreview(
  page: Page,
  taskPath: string,
  check: (s: IPreviewState) => boolean,
  timeout = 20_000
): Promise<IPreviewState> {
  let last: IPreviewState | undefined;
  await expect
    .poll(
      async () => {
        last = await previewState(page, taskPath);
        return last !== undefined && check(last);
      },
      { timeout }
    )
    .toBe(true);
  return last!;
}

/** Pixels of a plot's canvas in the line colour (the theme's brand colour). */
export function linePixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((node: HTMLCanvasElement) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--jp-brand-color1)';
    document.body.appendChild(probe);
    const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
    probe.remove();
    const data = node.getContext('2d')!.getImageData(0, 0, node.width, node.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (
        Math.abs(data[i] - r) < 40 &&
        Math.abs(data[i + 1] - g) < 40 &&
        Math.abs(data[i + 2] - b) < 40 &&
        data[i + 3] > 100
      )
        count++;
    }
    return count;
  });
}
