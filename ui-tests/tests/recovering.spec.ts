/**
 * A writer killed with its journal helper in the middle of an HDF5 flush leaves a journal beside
 * the array file. The sidebar says "recovering" for that file (instead of reading torn bytes);
 * once the kernel opens the task (requireTask replays the journal), it counts its datasets and
 * h5py reads them.
 */
import { expect } from '@jupyterlab/galata';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../lab-server';
import { ensureExpanded, openSidebar, row, storageServerTest } from '../fixtures';
import { PYTHON } from '../../tests/helpers/python';

const CRASH_WRITER = path.join(repoRoot, 'build', 'tests', 'helpers', 'crash-writer.js');

/** Runs the crash writer into `root` until it kills its own process group at `step`. */
function crashAt(root: string, step: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CRASH_WRITER, root], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, AXOPY_DIE_AT: step }
    });
    const timer = setTimeout(() => reject(new Error(`the writer did not die at ${step}`)), 60_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the writer ended with ${signal}, not at ${step}`));
    });
  });
}

const test = storageServerTest('axopy-e2e-recovering-', rootDir => fs.mkdirSync(path.join(rootDir, 'data')));

test('an array file left mid-flush shows "recovering" until the kernel replays its journal', async ({
  page,
  problems,
  storageServer
}) => {
  expect(fs.existsSync(CRASH_WRITER), 'build/tests is built (npm run build:tests)').toBe(true);
  const data = path.join(storageServer.rootDir, 'data');
  await crashAt(data, 'batch-part-applied@9');
  const task = path.join(data, 's1', 'crash');
  expect(fs.readdirSync(task)).toContain('emg.hdf5-journal');

  await openSidebar(page);
  await ensureExpanded(page, 'data');
  await ensureExpanded(page, 'data/s1');
  await ensureExpanded(page, 'data/s1/crash');
  await expect(row(page, 'data/s1/crash/emg.hdf5')).toContainText('recovering');

  // The kernel opens the task: the journal is replayed and removed.
  execFileSync(process.execPath, [
    '-e',
    `const { Storage } = require(${JSON.stringify(path.join(repoRoot, 'lib', 'node', 'kernel', 'index.js'))});
     const storage = new Storage(process.argv[1]); storage.subjectId = 's1'; storage.requireTask('crash');`,
    data
  ]);
  expect(fs.readdirSync(task)).not.toContain('emg.hdf5-journal');
  const datasets = Number(
    execFileSync(
      PYTHON,
      [
        '-c',
        'import sys, h5py; f = h5py.File(sys.argv[1], "r"); [f[k][()] for k in f]; print(len(f))',
        path.join(task, 'emg.hdf5')
      ],
      {
        encoding: 'utf8'
      }
    ).trim()
  );
  expect(datasets).toBeGreaterThan(0);
  await expect(row(page, 'data/s1/crash/emg.hdf5')).toContainText(`${datasets} dataset`, { timeout: 15_000 });
  expect(problems).toEqual([]);
});
