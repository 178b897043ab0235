/**
 * Prints how long the AxoPy sidebar model takes to load a 100-subject x 20-task storage through
 * a real Jupyter server's Contents API, and how many HTTP requests it makes: the first load,
 * a refresh with nothing changed, expanding one subject, expanding one task.
 *
 * Run: npx tsc -p tsconfig.test.json && node build/benchmarks/sidebar-tree.js
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ContentsManager, ServerConnection } from '@jupyterlab/services';
import { StorageModel } from '../src/lab/sidebar/storage-model.js';
import type { IStorageNode } from '../src/lab/sidebar/tree.js';
import { ContentsStorageProvider } from '../src/lab/provider/contents.js';
import { PYTHON } from '../tests/helpers/python';

const SUBJECTS = 100;
const TASKS = 20;
const TOKEN = 'axopy-benchmark';

function writeStorage(base: string): void {
  for (let s = 0; s < SUBJECTS; s++) {
    for (let t = 0; t < TASKS; t++) {
      const task = path.join(base, 'data', `subject${String(s).padStart(3, '0')}`, `task${t}`);
      fs.mkdirSync(task, { recursive: true });
      fs.writeFileSync(path.join(task, 'trials.csv'), 'x,block,trial\n0.5,0,0\n1.5,0,1\n');
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
    server.on('error', reject);
  });
}

async function waitForServer(baseUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      const response = await fetch(`${baseUrl}api?token=${TOKEN}`);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`Jupyter server at ${baseUrl} did not start`);
}

async function timed<T>(run: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-sidebar-bench-'));
  writeStorage(base);
  const port = await freePort();
  const server = spawn(
    PYTHON,
    [
      '-m',
      'jupyter_server',
      `--port=${port}`,
      '--ip=127.0.0.1',
      '--no-browser',
      `--ServerApp.token=${TOKEN}`,
      `--ServerApp.root_dir=${base}`,
      '--allow-root'
    ],
    { stdio: 'ignore' }
  );
  try {
    const baseUrl = `http://127.0.0.1:${port}/`;
    await waitForServer(baseUrl);
    let requests = 0;
    const countingFetch: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const serverSettings = ServerConnection.makeSettings({
      baseUrl,
      wsUrl: `ws://127.0.0.1:${port}/`,
      token: TOKEN,
      fetch: countingFetch as ServerConnection.ISettings['fetch']
    });
    const contents = new ContentsManager({ serverSettings });
    const model = new StorageModel({
      provider: new ContentsStorageProvider({ contents }),
      roots: ['data'],
      refreshInterval: 3_600_000,
      autoPoll: false
    });
    const report = (what: string, ms: number, before: number): void => {
      console.log(
        `${what.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${String(requests - before).padStart(3)} Contents requests`
      );
    };
    console.log(`storage: ${SUBJECTS} subjects x ${TASKS} tasks, Jupyter server ${baseUrl}`);
    let before = requests;
    report('first load (root + structure probe)', await timed(() => model.refresh()), before);
    before = requests;
    report('refresh, nothing changed', await timed(() => model.refresh()), before);
    const subject = model.tree[0].children[SUBJECTS - 1];
    before = requests;
    report(`expand ${subject.label}`, await timed(() => model.expand(subject)), before);
    const findNode = (nodes: readonly IStorageNode[], id: string): IStorageNode =>
      nodes.find(node => node.id === id) ??
      findNode(
        nodes.flatMap(node => node.children),
        id
      );
    const task = findNode(model.tree, subject.id).children[TASKS - 1];
    before = requests;
    report(`expand ${subject.label}/${task.label} (reads trials.csv)`, await timed(() => model.expand(task)), before);
    before = requests;
    report('refresh with one subject and task open', await timed(() => model.refresh()), before);
    console.log(`subjects shown: ${model.tree[0].children.length}; total Contents requests: ${requests}`);
    model.dispose();
  } finally {
    server.kill('SIGTERM');
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
