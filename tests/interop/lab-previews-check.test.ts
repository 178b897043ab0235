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
import { makeTempDir } from '../helpers/python.js';
import { PYTHON } from '../helpers/python';

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
