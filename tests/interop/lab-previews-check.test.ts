import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkStorage } from '../../src/kernel/index.js';
import { Hdf5File } from '../../src/kernel/hdf5.js';
import { checkStorageRoot } from '../../src/lab/previews/check.js';
import type { IArrayProvider } from '../../src/lab/hdf5/provider.js';
import { diskFilesSource } from '../helpers/disk-source.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';
import { nodeHdf5Provider } from '../helpers/hdf5-reader.js';

const WRITER = path.join(__dirname, '..', '..', '..', 'tests', 'python', 'write_preview_storage.py');

/** Dataset metadata through the kernel's HDF5 reader (the browser uses h5wasm in a worker). */
const diskArrays: IArrayProvider = {
  async describe(file) {
    const h5 = await Hdf5File.open(file.path, 'r');
    try {
      return h5.datasetNames().map(name => ({ name, ...h5.describe(name) }));
    } finally {
      h5.close();
    }
  },
  async readDataset() {
    throw new Error('a check reads metadata only');
  },
  bytesFetched: () => undefined
};

test('"Check dataset" of the sidebar and checkStorage of the kernel report the same issues', async () => {
  const { dir, cleanup } = makeTempDir('axopy-previews-check-');
  try {
    const root = path.join(dir, 'data');
    execFileSync(PYTHON, [WRITER, 'fixtures', root]);
    // A task folder whose trials.csv is missing: both must report it the same way.
    fs.mkdirSync(path.join(root, 'p01', 'no-trials'));
    const kernel = await checkStorage(root);
    const sidebar = await checkStorageRoot(diskFilesSource, diskArrays, root);
    assert.deepEqual(
      { subjects: sidebar.subjects, tasks: sidebar.tasks, trials: sidebar.trials },
      { subjects: kernel.subjects, tasks: kernel.tasks, trials: kernel.trials }
    );
    assert.deepEqual(sidebar.issues, kernel.issues);
    // The corpus has something wrong in each kind of file, so the comparison means something.
    const paths = kernel.issues.map(issue => path.relative(root, issue.path)).sort();
    assert.deepEqual(paths, [
      'p01/corrupt/bad.hdf5',
      'p01/no-trials/trials.csv',
      'p01/ragged/trials.csv',
      'p01/session/force.hdf5',
      'p01/session/unsafe.pkl'
    ]);
  } finally {
    cleanup();
  }
});

test('refused datasets (lzf, a size bomb) are errors naming each in both checks; the file is still checked', async () => {
  const { dir, cleanup } = makeTempDir('axopy-previews-check-refused-');
  try {
    const root = path.join(dir, 'data');
    // Four trials, datasets "0" (plain), "1" (lzf), "2" (declares 8 TiB); "3" is missing.
    const refusedByH5py = runPythonJson<string[]>(
      `
import sys, os, json, numpy as np, pandas as pd, h5py
task = os.path.join(sys.argv[1], 'p01', 'task')
os.makedirs(task)
pd.DataFrame({'block': 0, 'trial': range(4)}).to_csv(os.path.join(task, 'trials.csv'), index=False)
with h5py.File(os.path.join(task, 'emg.hdf5'), 'w') as f:
    f.create_dataset('0', data=np.zeros((2, 10)))
    f.create_dataset('1', data=np.ones((2, 100)), compression='lzf')
    f.create_dataset('2', shape=(2**20, 2**20), dtype='f8')
with h5py.File(os.path.join(task, 'emg.hdf5'), 'r') as f:
    print(json.dumps(sorted(n for n in f if f[n].compression == 'lzf' or f[n].size * f[n].dtype.itemsize > 2**30)))
`,
      [root],
      undefined,
      CURRENT_PYTHON
    );
    const kernel = await checkStorage(root);
    // The browser's reader (h5wasm over Range reads), run in Node over the same files.
    const sidebar = await checkStorageRoot(diskFilesSource, await nodeHdf5Provider('/'), root);
    assert.deepEqual(sidebar.issues, kernel.issues);
    const refused = kernel.issues
      .filter(issue => issue.severity === 'error' && /readers refuse it$/.test(issue.message))
      .map(issue => /^dataset "(\w+)"/.exec(issue.message)![1])
      .sort();
    assert.deepEqual(refused, refusedByH5py);
    // The other datasets are still checked: trial 3 has none.
    assert.ok(
      kernel.issues.some(issue => /^trials without this array .*: rows 3$/.test(issue.message)),
      JSON.stringify(kernel.issues)
    );
  } finally {
    cleanup();
  }
});
