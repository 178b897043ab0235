/**
 * `bash scripts/start.sh --data DIR`, as a user runs it: JupyterLab serves exactly DIR (nothing
 * above it) with a token, and the sidebar shows DIR's subjects whatever DIR is called.
 */
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePort, repoRoot } from '../lab-server';
import { runPython } from '../../tests/helpers/python';

test('start.sh --data my-study serves that folder only and the sidebar shows its subjects', async ({ page }) => {
  test.setTimeout(240_000);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-e2e-start-'));
  const study = path.join(base, 'my-study');
  fs.writeFileSync(path.join(base, 'secret-beside.txt'), 'not served');
  runPython(
    `import sys, numpy as np
from axopy.design import Design
from axopy.storage import Storage
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
writer = storage.create_task('gestures')
block = Design().add_block()
for i in range(3):
    trial = block.add_trial(attrs={'gesture': 'rest'})
    trial.add_array('emg', data=np.zeros((2, 8)))
    writer.write(trial)`,
    [study]
  );
  const port = await findFreePort();
  const started = Date.now();
  const server = spawn(
    'bash',
    [path.join(repoRoot, 'scripts', 'start.sh'), '--data', study, '--no-browser', '--port', String(port)],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  let output = '';
  server.stdout!.on('data', chunk => (output += chunk));
  server.stderr!.on('data', chunk => (output += chunk));
  try {
    await expect
      .poll(() => /token=([0-9a-f]+)/.exec(output)?.[1], {
        timeout: 200_000,
        message: 'start.sh prints the URL with a token'
      })
      .toBeTruthy();
    const token = /token=([0-9a-f]+)/.exec(output)![1];
    console.log(`[start] URL printed after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const url = `http://127.0.0.1:${port}`;
    const auth = { headers: { Authorization: `token ${token}` } };
    await expect
      .poll(async () => (await fetch(`${url}/api/status`, auth).catch(() => undefined))?.status, { timeout: 60_000 })
      .toBe(200);
    const top = (await (await fetch(`${url}/api/contents`, auth)).json()) as { content: Array<{ name: string }> };
    expect(top.content.map(entry => entry.name).sort()).toEqual(['p01']);
    // Nothing above DIR: its parent and the file beside it are out of reach.
    // (".." is encoded: a literal one would be resolved away by the URL parser before sending.)
    expect((await fetch(`${url}/api/contents/..%2Fsecret-beside.txt`, auth)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${url}/files/..%2Fsecret-beside.txt`, auth)).status).toBeGreaterThanOrEqual(400);

    await page.goto(`${url}/lab?token=${token}`);
    // The sidebar shows itself at start; the server root is the storage root, named by its folder.
    const tree = page.locator('#jupyterlab-axopy-storage [role="tree"]');
    await expect(tree).toBeVisible({ timeout: 60_000 });
    await expect(tree.locator('> [role="treeitem"] > .jp-AxoPyStorage-row > .jp-AxoPyStorage-label')).toHaveText([
      'my-study'
    ]);
    await expect(tree.locator('[data-path="p01"]').first()).toBeVisible();
  } finally {
    if (server.exitCode === null) process.kill(-server.pid!, 'SIGTERM');
    await new Promise(resolve => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
    fs.rmSync(base, { recursive: true, force: true });
  }
});
