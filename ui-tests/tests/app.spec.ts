/**
 * JupyterLab from PyPI (the project venv) loads the installed jupyterlab-axopy wheel and behaves
 * like stock JupyterLab with it.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { axopyExtensionInstalled, makeServerFolders, repoRoot, startLabServer } from '../lab-server';

test.use({ baseURL: process.env.AXOPY_E2E_URL });

/** Collects console errors, page errors, failed requests and HTTP errors on a page. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error') {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('pageerror', error => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', request =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`)
  );
  page.on('response', response => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  return problems;
}

function pageConfig(page: Page): Promise<Record<string, any>> {
  return page.evaluate(() => JSON.parse(document.getElementById('jupyter-config-data')!.textContent ?? '{}'));
}

const NOTEBOOK = {
  cells: [
    {
      cell_type: 'markdown',
      id: 'intro',
      metadata: {},
      source: ['# Trials overview']
    }
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5
};

test.describe('app load', () => {
  test.use({ autoGoto: false });

  test('loads with no console error and no failed request', async ({ page }) => {
    const problems = watchProblems(page);
    await page.goto();
    await expect(page.locator('.jp-Launcher')).toBeVisible();
    // Give late requests (settings, kernelspecs, polls) time to settle before judging.
    await page.waitForTimeout(2000);
    expect(problems).toEqual([]);
  });
});

test('is JupyterLab 4.6.3 from PyPI with galata and the installed extension', async ({ page }) => {
  const config = await pageConfig(page);
  expect(config.exposeAppInBrowser).toBe(true);
  expect(config.appVersion).toBe('4.6.3');
  const federated = config.federated_extensions.map((extension: { name: string }) => extension.name);
  expect(federated).toContain('@jupyterlab/galata-extension');
});

test('the wheel carries the prebuilt labextension; jupyter labextension list shows it enabled OK', () => {
  const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
  const wheel = path.join(repoRoot, 'dist', `jupyterlab_axopy-${version}-py3-none-any.whl`);
  const names = execFileSync('unzip', ['-Z1', wheel], { encoding: 'utf8' }).split('\n');
  const shared = `jupyterlab_axopy-${version}.data/data/share/jupyter/labextensions/jupyterlab-axopy`;
  expect(names).toEqual(
    expect.arrayContaining([
      `${shared}/package.json`,
      `${shared}/install.json`,
      `${shared}/schemas/jupyterlab-axopy/sidebar.json`
    ])
  );
  expect(names.some(name => name.startsWith(`${shared}/static/remoteEntry.`))).toBe(true);
  // Jupyter prints the listing on stderr.
  const listing = spawnSync(path.join(repoRoot, '.venv', 'bin', 'jupyter'), ['labextension', 'list'], {
    encoding: 'utf8'
  });
  const plain = (listing.stdout + listing.stderr).replace(/\u001b\[[0-9;]*m/g, '');
  expect(plain).toMatch(
    new RegExp(`jupyterlab-axopy v${version.replace(/\./g, '\\.')} enabled OK \\(python, jupyterlab_axopy\\)`)
  );
});

test('loads the jupyterlab-axopy extension with each of its plugins', async ({ page }) => {
  // scripts/test.sh installs the wheel into .venv before the e2e tests: a missing one is a failure.
  expect(axopyExtensionInstalled(), 'the jupyterlab-axopy wheel is installed in .venv').toBe(true);
  const config = await pageConfig(page);
  const federated = config.federated_extensions.map((extension: { name: string }) => extension.name);
  expect(federated).toContain('jupyterlab-axopy');
  const pluginIds = await page.evaluate(() => window.jupyterapp.listPlugins());
  expect(pluginIds.filter(id => id.startsWith('jupyterlab-axopy:')).sort()).toEqual([
    'jupyterlab-axopy:export',
    'jupyterlab-axopy:hdf5',
    'jupyterlab-axopy:model',
    'jupyterlab-axopy:notebook',
    'jupyterlab-axopy:previews',
    'jupyterlab-axopy:sidebar'
  ]);
});

test('file browser lists an uploaded file', async ({ page, tmpPath }) => {
  await page.contents.uploadContent('a,b\n1,2\n', 'text', `${tmpPath}/listed.txt`);
  await page.filebrowser.refresh();
  expect(await page.filebrowser.isFileListedInBrowser('listed.txt')).toBe(true);
});

test('opens a notebook', async ({ page, tmpPath }) => {
  await page.contents.uploadContent(JSON.stringify(NOTEBOOK), 'text', `${tmpPath}/overview.ipynb`);
  await page.filebrowser.refresh();
  await page.filebrowser.open('overview.ipynb');
  await dismissKernelDialog(page);
  const panel = page.locator('.jp-NotebookPanel');
  await expect(panel).toBeVisible();
  await expect(panel.locator('h1')).toHaveText(/Trials overview/);
});

test('opens a CSV file in the CSV viewer', async ({ page, tmpPath }) => {
  await page.contents.uploadContent('trial,label\n0,rest\n1,fist\n', 'text', `${tmpPath}/trials.csv`);
  await page.filebrowser.refresh();
  await page.filebrowser.open('trials.csv');
  await expect(page.locator('.jp-CSVViewer')).toBeVisible();
  expect(await page.activity.isTabActive('trials.csv')).toBe(true);
});

test('switches to the dark theme and opens the settings editor', async ({ page }) => {
  await page.theme.setDarkTheme();
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
  await page.evaluate(() => window.jupyterapp.commands.execute('settingeditor:open'));
  await expect(page.locator('.jp-SettingsPanel, .jp-PluginList').first()).toBeVisible();
});

test('with a token, rejects unauthenticated API calls and accepts the token', async () => {
  const folders = makeServerFolders('axopy-e2e-token-');
  const server = await startLabServer({
    rootDir: folders.rootDir,
    token: 'e2e-secret-token',
    stateDir: folders.stateDir
  });
  try {
    const anonymous = await fetch(`${server.url}/api/contents`);
    expect(anonymous.status).toBe(403);
    const wrongToken = await fetch(`${server.url}/api/contents`, {
      headers: { Authorization: 'token not-the-token' }
    });
    expect(wrongToken.status).toBe(403);
    const withToken = await fetch(`${server.url}/api/contents`, {
      headers: { Authorization: `token ${server.token}` }
    });
    expect(withToken.status).toBe(200);
    expect((await withToken.json()).type).toBe('directory');
    const identity = await fetch(`${server.url}/api/me`, {
      headers: { Authorization: `token ${server.token}` }
    });
    expect(identity.status).toBe(200);
  } finally {
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
});

/** With no kernel installed, JupyterLab asks which kernel to use: answer "No Kernel". */
async function dismissKernelDialog(page: IJupyterLabPageFixture): Promise<void> {
  const dialog = page.locator('.jp-Dialog');
  if (await dialog.isVisible({ timeout: 2000 }).catch(() => false)) {
    await page.locator('.jp-Dialog .jp-mod-accept, .jp-Dialog .jp-mod-reject').first().click();
  }
}
