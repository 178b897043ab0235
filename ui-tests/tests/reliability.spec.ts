/**
 * Reliability and security, in a real browser against a real Jupyter server: the extension
 * behind token authentication, the malformed-input corpus (tests/python/make_malformed_corpus.py)
 * in the sidebar and previews, hostile text in cells and pickles, and live reading while a
 * writer appends trials at 50 Hz.
 */
import { expect } from '@jupyterlab/galata';
import { test as playwrightTest, type Page } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeServerFolders, repoRoot, startLabServer } from '../lab-server';
import {
  ensureExpanded,
  item,
  openPreview,
  openSidebar,
  panel,
  row,
  storageServerTest,
  previewState as state,
  waitForPreview as waitFor
} from '../fixtures';
import { PYTHON } from '../../tests/helpers/python';

const CORPUS_WRITER = path.join(repoRoot, 'tests', 'python', 'make_malformed_corpus.py');
const HOSTILE_WRITER = path.join(repoRoot, 'tests', 'python', 'write_hostile_storage.py');
const SIDEBAR_WRITER = path.join(repoRoot, 'tests', 'python', 'write_sidebar_storage.py');
const LIVE_WRITER = path.join(repoRoot, 'build', 'tests', 'helpers', 'live-writer.js');
const LIVE_SECONDS = Number(process.env.AXOPY_LIVE_SECONDS ?? 10);

interface ICorpusCase {
  name: string;
  call: string;
  error: string | null;
  file: string | null;
  note: string;
}

/** What a preview publishes on window.__axopyPreviews (see src/lab/previews/task-preview.ts). */

/** Where the corpus is generated: beside the served folder, so its marker is outside it. */
function corpusOut(rootDir: string): string {
  return path.join(path.dirname(rootDir), 'corpus-out');
}

const test = storageServerTest('axopy-e2e-reliability-', rootDir => {
  // One storage root holding one subject per case: <root>/corpus/<case>/t1 from <out>/<case>/s1/t1.
  const out = corpusOut(rootDir);
  execFileSync(PYTHON, [CORPUS_WRITER, out]);
  fs.mkdirSync(path.join(rootDir, 'corpus'));
  for (const { name } of readCases(rootDir).cases) {
    fs.renameSync(path.join(out, name, 's1'), path.join(rootDir, 'corpus', name));
  }
  execFileSync(PYTHON, [HOSTILE_WRITER, path.join(rootDir, 'hostile', 'h1', 'notes')]);
  // The live writer fills <root>/live/s1/live during its test.
  fs.mkdirSync(path.join(rootDir, 'live'));
});

function readCases(rootDir: string): { marker: string; cases: ICorpusCase[] } {
  return JSON.parse(fs.readFileSync(path.join(corpusOut(rootDir), 'cases.json'), 'utf8'));
}

/** Every entry under `dir` (links not followed) with size and mtime, to prove nothing changed. */
function snapshot(dir: string): string[] {
  const lines: string[] = [];
  const walk = (folder: string) => {
    for (const name of fs.readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      const stat = fs.lstatSync(full);
      lines.push(`${path.relative(dir, full)} ${stat.size} ${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return lines;
}

function preview(page: Page, taskPath: string) {
  return page.locator(`.jp-AxoPyPreview[data-task-path="${taskPath.replace(/"/g, '\\"')}"]`);
}

async function closeAll(page: Page): Promise<void> {
  await page.evaluate(async () => void (await (window as any).jupyterapp.commands.execute('application:close-all')));
}

/** Shows a folder as a storage root in the sidebar (only "data" is one by default). */
async function openRoot(page: Page, rootPath: string): Promise<void> {
  await page.evaluate(
    async p => void (await (window as any).jupyterapp.commands.execute('jupyterlab-axopy:open-storage', { path: p })),
    rootPath
  );
}

function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

/** Number of trials pandas reads from a trials.csv (the writer's ground truth). */
function pandasRowCount(csvPath: string): number {
  const code = 'import sys, pandas; print(len(pandas.read_csv(sys.argv[1])))';
  return Number(execFileSync(PYTHON, ['-c', code, csvPath], { encoding: 'utf8' }).trim());
}

playwrightTest('token auth: the extension works behind a token; without it the server refuses', async ({ page }) => {
  const token = 'a'.repeat(8) + Math.random().toString(16).slice(2).padEnd(16, '0');
  const folders = makeServerFolders('axopy-e2e-token-');
  execFileSync(PYTHON, [
    SIDEBAR_WRITER,
    'write',
    path.join(folders.rootDir, 'data'),
    JSON.stringify({ p01: { calibration: 3 } })
  ]);
  const server = await startLabServer({ rootDir: folders.rootDir, token, stateDir: folders.stateDir });
  try {
    const problems: string[] = [];
    page.on('pageerror', error => problems.push(`page error: ${error.message}`));
    page.on('response', response => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    const fileRequests: Array<{ url: string; authorization: string | undefined; range: string | undefined }> = [];
    page.context().on('request', request => {
      if (request.url().includes('/files/data/')) {
        const headers = request.headers();
        fileRequests.push({ url: request.url(), authorization: headers['authorization'], range: headers['range'] });
      }
    });
    await page.goto(`${server.url}/lab?token=${token}`);
    await page.waitForFunction(() => (window as any).jupyterapp?.shell !== undefined, undefined, { timeout: 60_000 });
    // The sidebar opens itself at start (openOnStart defaults to true outside galata).
    await expect(panel(page).locator('[role="tree"]')).toBeVisible({ timeout: 30_000 });
    // Logging in with ?token= set a cookie; drop it, so every request from here on (the tree's,
    // the workers' Range reads) is authenticated by the token it carries, or refused.
    await page.context().clearCookies();
    await ensureExpanded(page, 'data');
    await ensureExpanded(page, 'data/p01');
    await ensureExpanded(page, 'data/p01/calibration');
    await expect(row(page, 'data/p01/calibration/trials.csv')).toContainText('3 rows');
    // Counted by h5wasm in a worker over authenticated /files/ requests.
    await expect(row(page, 'data/p01/calibration/emg.hdf5')).toContainText('3 datasets');
    await openPreview(page, 'data/p01/calibration');
    const s = await waitFor(page, 'data/p01/calibration', x => x.rowCount === 3 && x.arrays.emg?.status === 'plotted');
    expect(s.arrays.emg.dataset).toBe('0');
    expect(s.arrays.emg.summary!.shape).toEqual([2, 4]);
    expect(problems).toEqual([]);
    // Where the browser reports the workers' requests, each carries the token.
    for (const request of fileRequests) expect(request.authorization, request.url).toBe(`token ${token}`);

    // Without the token (and without the page's cookie) the server refuses.
    const contents = await fetch(`${server.url}/api/contents/data`, { redirect: 'manual' });
    expect(contents.status).toBe(403);
    const file = await fetch(`${server.url}/files/data/p01/calibration/emg.hdf5`, {
      redirect: 'manual',
      headers: { Range: 'bytes=0-7' }
    });
    // Jupyter answers a browser-style GET of /files/ with a redirect to its login page.
    expect([302, 403]).toContain(file.status);
    if (file.status === 302) expect(file.headers.get('location')).toContain('/login');
    expect(file.headers.get('content-range')).toBe(null);
    const withToken = await fetch(`${server.url}/files/data/p01/calibration/emg.hdf5`, {
      headers: { Range: 'bytes=0-7', Authorization: `token ${token}` }
    });
    expect(withToken.status).toBe(206);
  } finally {
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
});

/** Corpus cases whose expected error concerns a file the preview shows, and why some are left out. */
const NOT_SHOWN_AS_ERRORS: Record<string, string> = {
  'array-file-is-folder': 'a folder named emg.hdf5 is not an array file: the preview does not list it',
  'hdf5-ragged-trials': 'the preview plots one trial at a time, and each trial is a valid array',
  'csv-empty-file': 'an empty trials.csv is what a writer leaves between truncating and writing: zero trials',
  // Stock jupyter_server (2.x, as users run it) serves a file reached through a link out of its
  // root; the browser cannot tell. The kernel refuses such links (tests/interop/malformed);
  // confining the sidebar too needs a server-side listing (a jupyter_server extension).
  'symlink-csv-outside-root': 'jupyter_server itself follows links out of its root'
};

/** What the error of some cases must say besides the file's name. */
const ERROR_SAYS: Record<string, string> = {
  'csv-ragged-row': 'line 3',
  'csv-non-utf8': 'not UTF-8',
  'hdf5-group-not-dataset': '"0" is a group, not a dataset',
  'hdf5-missing-dataset': 'no dataset "2"',
  'hdf5-bitflipped-superblock': 'superblock',
  'hdf5-garbage': 'signature',
  'pickle-os-system': 'UnsafePickleError',
  'pickle-truncated': 'truncated'
};

test('malformed corpus: each bad file shows an error naming it; nothing else breaks, runs or changes', async ({
  page,
  problems,
  storageServer
}) => {
  const { marker, cases } = readCases(storageServer.rootDir);
  const corpusDir = path.join(storageServer.rootDir, 'corpus');
  const before = snapshot(corpusDir);
  const bad = cases.filter(
    c =>
      ['trials', 'array:emg', 'pickle:obj'].includes(c.call) &&
      c.error !== null &&
      c.error !== 'FileNotFoundError' &&
      !(c.name in NOT_SHOWN_AS_ERRORS)
  );
  expect(bad.length).toBeGreaterThanOrEqual(15);
  await openSidebar(page);
  await openRoot(page, 'corpus');
  await ensureExpanded(page, 'corpus');
  for (const c of bad) {
    const taskPath = `corpus/${c.name}/t1`;
    const filePath = `${taskPath}/${c.file}`;
    await ensureExpanded(page, `corpus/${c.name}`);
    await ensureExpanded(page, taskPath);
    await openPreview(page, taskPath);
    const view = preview(page, taskPath);
    if (c.call === 'trials') {
      const s = await waitFor(page, taskPath, x => x.trialsError !== undefined);
      // A folder named trials.csv reads as "no trials.csv in <task>"; every other case names the file.
      expect(s.trialsError, c.name).toContain(c.name === 'csv-is-folder' ? taskPath : filePath);
      expect(s.trialsError, c.name).toContain(ERROR_SAYS[c.name] ?? '');
      await expect(view.locator('.jp-AxoPyPreview-error').first()).toContainText('trials.csv');
    } else if (c.call === 'array:emg') {
      if (c.name === 'hdf5-missing-dataset') {
        // Datasets 0 and 1 exist: select trial 2.
        await waitFor(page, taskPath, x => x.rowCount === 3 && x.arrays.emg?.status === 'plotted');
        await view.locator('.jp-AxoPyPreview-grid').click({ position: { x: 120, y: 24 + 22 * 2 + 11 } });
      }
      // A trial without its dataset is "missing" (said, not an error); the rest are errors.
      const expected = c.name === 'hdf5-missing-dataset' ? 'missing' : 'error';
      const s = await waitFor(page, taskPath, x => x.arrays.emg?.status === expected);
      expect(s.arrays.emg.message, c.name).toContain(filePath);
      expect(s.arrays.emg.message, c.name).toContain(ERROR_SAYS[c.name] ?? '');
      await expect(view.locator('[data-array="emg"]')).toContainText('emg.hdf5');
    } else {
      const s = await waitFor(page, taskPath, x => x.pickles['obj.pkl']?.status === 'error');
      expect(s.pickles['obj.pkl'].message, c.name).toContain(`${c.error}: ${filePath}`);
      expect(s.pickles['obj.pkl'].message, c.name).toContain(ERROR_SAYS[c.name] ?? '');
      await expect(view.locator('[data-pickle="obj.pkl"]')).toContainText(`${c.error}: ${filePath}`);
    }
    await closeAll(page);
  }
  // Good tasks still work after the bad ones: tree counts, a plot and a pickle.
  await ensureExpanded(page, 'corpus/pickle-plain-ok');
  await ensureExpanded(page, 'corpus/pickle-plain-ok/t1');
  await expect(row(page, 'corpus/pickle-plain-ok/t1/trials.csv')).toContainText('3 rows');
  await expect(row(page, 'corpus/pickle-plain-ok/t1/emg.hdf5')).toContainText('3 datasets');
  await openPreview(page, 'corpus/pickle-plain-ok/t1');
  const good = await waitFor(
    page,
    'corpus/pickle-plain-ok/t1',
    x => x.arrays.emg?.status === 'plotted' && x.pickles['obj.pkl']?.status === 'shown'
  );
  expect(good.arrays.emg.summary!.shape).toEqual([2, 4]);
  await openPreview(page, 'corpus/hdf5-gzip-chunked/t1');
  await waitFor(page, 'corpus/hdf5-gzip-chunked/t1', x => x.arrays.emg?.status === 'plotted');

  expect(fs.existsSync(marker), 'a pickle ran code').toBe(false);
  expect(snapshot(corpusDir)).toEqual(before);
  // The browser logs the failed loads of the bad files themselves (416 on an empty .hdf5, 400 on
  // a non-UTF-8 trials.csv) and libhdf5 (in h5wasm) prints its error stack for the files it
  // cannot open; nothing else may fail, and no page error.
  const badFiles = bad.map(c => `/corpus/${c.name}/t1/${c.file}`);
  const hdf5Diagnostic = /^console error: (HDF5-DIAG: |\s+(#\d{3}: |major: |minor: ))/;
  const unexpected = problems.filter(
    p =>
      !(p.startsWith('HTTP ') && badFiles.some(f => p.includes(f))) &&
      !p.startsWith('console error: Failed to load resource: the server responded with a status of 4') &&
      !hdf5Diagnostic.test(p)
  );
  expect(unexpected).toEqual([]);
});

test('hostile text in trials.csv cells and pickles renders as text, never as markup', async ({ page, problems }) => {
  const csvTask = 'corpus/csv-html-cells/t1';
  await openPreview(page, csvTask);
  const csv = await waitFor(page, csvTask, x => x.rowCount === 2);
  expect(csv.viewCells.map(cells => cells[1])).toEqual([
    '<script>window.__pwned=1</script>',
    '<img src=x onerror="window.__pwned=2">'
  ]);

  const notesTask = 'hostile/h1/notes';
  await openPreview(page, notesTask);
  const notes = await waitFor(page, notesTask, x => x.rowCount === 2 && x.pickles['notes.pkl']?.status === 'shown');
  expect(notes.viewCells.map(cells => cells[0])).toEqual([
    '<img src=x onerror="window.__pwned=3">',
    '<script>window.__pwned=4</script>'
  ]);
  const pickleView = preview(page, notesTask).locator('[data-pickle="notes.pkl"]');
  await expect(pickleView).toContainText('<img src=x onerror="window.__pwned=3">');
  await expect(pickleView).toContainText('<script>window.__pwned=4</script>');
  await expect(pickleView).toContainText('<b>bold</b>');
  await expect(pickleView).toContainText('<iframe src=x>');

  const plainTask = 'corpus/pickle-plain-ok/t1';
  await openPreview(page, plainTask);
  await waitFor(page, plainTask, x => x.pickles['obj.pkl']?.status === 'shown');
  await expect(preview(page, plainTask).locator('[data-pickle="obj.pkl"]')).toContainText('"<b>"');

  // No element made from data: none in the previews, none anywhere carrying the payloads.
  for (const taskPath of [csvTask, notesTask, plainTask]) {
    await expect(preview(page, taskPath).locator('img, script, iframe, b')).toHaveCount(0);
  }
  const injected = await page.evaluate(
    () =>
      Array.from(document.querySelectorAll('*')).filter(
        el =>
          Array.from(el.attributes).some(a => a.value.includes('__pwned')) ||
          (el.tagName === 'SCRIPT' && (el.textContent ?? '').includes('__pwned'))
      ).length
  );
  expect(injected).toBe(0);
  expect(await pwned(page)).toBe(undefined);
  expect(problems).toEqual([]);
});

test(`live: a writer appends at 50 Hz for ${LIVE_SECONDS} s; tree and table keep up, no errors`, async ({
  page,
  problems,
  storageServer
}) => {
  test.setTimeout(60_000 + LIVE_SECONDS * 2000);
  const liveRoot = path.join(storageServer.rootDir, 'live');
  const taskPath = 'live/s1/live';
  await openSidebar(page);
  const writer = spawn(process.execPath, [LIVE_WRITER, liveRoot, '50', String(LIVE_SECONDS)], {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let writerOutput = '';
  writer.stdout.on('data', chunk => (writerOutput += chunk));
  writer.stderr.on('data', chunk => (writerOutput += chunk));
  const writerDone = new Promise<number | null>(resolve => writer.once('exit', code => resolve(code)));
  try {
    await openRoot(page, 'live');
    await expect(item(page, 'live/s1')).toBeVisible({ timeout: 20_000 });
    await ensureExpanded(page, 'live');
    await ensureExpanded(page, 'live/s1');
    await ensureExpanded(page, taskPath);
    await expect(row(page, `${taskPath}/trials.csv`)).toContainText('rows');
    await openPreview(page, taskPath);
    // While the writer runs: sample what the preview shows; no error may appear.
    const seen: string[] = [];
    let running = true;
    void writerDone.then(() => (running = false));
    const rowCountsSeen = new Set<number>();
    while (running) {
      const s = await state(page, taskPath);
      if (s?.trialsError !== undefined) seen.push(`trials: ${s.trialsError}`);
      for (const [name, array] of Object.entries(s?.arrays ?? {})) {
        if (array.status === 'error') seen.push(`${name}: ${array.message}`);
      }
      if ((await preview(page, taskPath).locator('.jp-AxoPyPreview-error:visible').count()) > 0)
        seen.push('an error is visible');
      if (s?.rowCount) rowCountsSeen.add(s.rowCount);
      await page.waitForTimeout(250);
    }
    expect(await writerDone, writerOutput).toBe(0);
    expect(seen).toEqual([]);
    // The table grew while the writer ran (shown at several sizes), not only at the end.
    expect(rowCountsSeen.size, `row counts shown: ${[...rowCountsSeen].join(', ')}`).toBeGreaterThanOrEqual(3);
    const rows = pandasRowCount(path.join(liveRoot, 's1', 'live', 'trials.csv'));
    expect(rows, 'every trial the writer finished is in trials.csv').toBe(
      Number(/finished (\d+)/.exec(writerOutput)?.[1])
    );
    await expect(row(page, `${taskPath}/trials.csv`)).toContainText(`${rows} rows`, { timeout: 30_000 });
    await waitFor(page, taskPath, x => x.rowCount === rows && x.trialsError === undefined, 30_000);
    // A /files/ read that races the writer's rewrite of a file ends short; the browser logs it
    // (the extension cannot silence that) and the next refresh reads the file again.
    expect(
      problems.filter(p => p !== 'console error: Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH')
    ).toEqual([]);
  } finally {
    if (writer.exitCode === null) writer.kill();
  }
});
