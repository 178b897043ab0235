import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileNotFoundError } from '../../src/core/errors.js';
import { StorageModel } from '../../src/lab/sidebar/storage-model.js';
import type { IStorageNode } from '../../src/lab/sidebar/tree.js';
import type { IFolderEntry, IStorageProvider } from '../../src/lab/provider/types.js';
import { runPython } from '../helpers/python.js';
import { nodeHdf5Provider } from '../helpers/hdf5-reader.js';
import type { IDatasetCount, IFileVersion } from '../../src/lab/hdf5/provider.js';

// h5wasm is ESM-only: a dynamic import (kept as is in the CommonJS output) loads it.
const importH5wasm = () => import('h5wasm/node');
type H5wasm = Awaited<ReturnType<typeof importH5wasm>>;
let h5wasmLoading: Promise<H5wasm> | undefined;
async function loadH5wasm(): Promise<H5wasm> {
  h5wasmLoading ??= importH5wasm().then(async module => {
    await module.ready;
    return module;
  });
  return h5wasmLoading;
}

/** Writes an HDF5 file with one dataset per trial, named by row index as AxoPy does. */
async function writeArrayFile(filePath: string, trials: number): Promise<void> {
  const h5wasm = await loadH5wasm();
  const file = new h5wasm.File(filePath, 'w');
  for (let i = 0; i < trials; i++) {
    file.create_dataset({ name: String(i), data: new Float64Array([i, i + 1]) });
  }
  file.close();
}

/** Resolves once the model's tree satisfies `ready` (checked on every change). */
function treeWhere(model: StorageModel, ready: () => boolean): Promise<void> {
  return new Promise(resolve => {
    const check = (): void => {
      if (ready()) {
        model.changed.disconnect(check);
        resolve();
      }
    };
    model.changed.connect(check);
    check();
  });
}

/** A provider over a real folder, as the Contents API would serve it. */
class FolderProvider implements IStorageProvider {
  constructor(readonly base: string) {}
  listed: string[] = [];
  read: string[] = [];
  /** Paths asked for that did not exist: each is an HTTP 404 (a console error) in a browser. */
  missingAsked: string[] = [];
  failing = new Set<string>();

  async listFolder(folderPath: string): Promise<IFolderEntry[]> {
    this.listed.push(folderPath);
    if (this.failing.has(folderPath)) {
      throw new Error(`Permission denied: ${folderPath}`);
    }
    const full = path.join(this.base, folderPath);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
      this.missingAsked.push(folderPath);
      throw new FileNotFoundError(folderPath, 'folder');
    }
    return fs.readdirSync(full, { withFileTypes: true }).map(entry => {
      const stat = fs.statSync(path.join(full, entry.name));
      return {
        name: entry.name,
        path: folderPath === '' ? entry.name : `${folderPath}/${entry.name}`,
        isFolder: entry.isDirectory(),
        lastModified: stat.mtime.toISOString(),
        size: stat.size
      };
    });
  }

  counted: string[] = [];

  /** Counts root datasets with the browser's HDF5 reader (its worker's code) over the local file, by ranges. */
  async countDatasets(file: IFileVersion): Promise<IDatasetCount> {
    this.counted.push(file.path);
    this._hdf5 ??= nodeHdf5Provider(this.base);
    return (await this._hdf5).countDatasets(file);
  }

  private _hdf5: ReturnType<typeof nodeHdf5Provider> | undefined;

  async readText(filePath: string): Promise<string> {
    this.read.push(filePath);
    return fs.readFileSync(path.join(this.base, filePath), 'utf8');
  }
}

function writeStorage(base: string, subjects: number, tasks: number): void {
  for (let s = 0; s < subjects; s++) {
    for (let t = 0; t < tasks; t++) {
      const task = path.join(base, 'data', `s${String(s).padStart(3, '0')}`, `task${t}`);
      fs.mkdirSync(task, { recursive: true });
      fs.writeFileSync(path.join(task, 'trials.csv'), 'x,block,trial\n1,0,0\n2,0,1\n');
    }
  }
}

function find(nodes: readonly IStorageNode[], nodePath: string): IStorageNode {
  for (const node of nodes) {
    if (node.path === nodePath && node.kind !== 'note') {
      return node;
    }
    const inner = node.children.length ? findOrUndefined(node.children, nodePath) : undefined;
    if (inner) {
      return inner;
    }
  }
  throw new Error(`no node ${nodePath}`);
}
function findOrUndefined(nodes: readonly IStorageNode[], nodePath: string): IStorageNode | undefined {
  try {
    return find(nodes, nodePath);
  } catch {
    return undefined;
  }
}

function withModel(
  setup: (base: string) => void,
  run: (model: StorageModel, provider: FolderProvider, base: string) => Promise<void>,
  roots = ['data']
): () => Promise<void> {
  return async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-lab-'));
    setup(base);
    const provider = new FolderProvider(base);
    const model = new StorageModel({ provider, roots, refreshInterval: 3_600_000, autoPoll: false });
    try {
      await run(model, provider, base);
    } finally {
      model.dispose();
      fs.rmSync(base, { recursive: true, force: true });
    }
  };
}

test(
  'loads a 100 x 20 storage listing the root, its parent and a two-call probe only',
  withModel(
    base => writeStorage(base, 100, 20),
    async (model, provider) => {
      await model.refresh();
      assert.deepEqual(provider.listed, ['', 'data', 'data/s000', 'data/s000/task0']);
      assert.equal(provider.read.length, 0);
      assert.equal(model.tree[0].children.length, 100);
      assert.equal(model.tree[0].problem, undefined);
      // A second refresh with nothing changed lists the root only: the probe is cached.
      await model.refresh();
      assert.deepEqual(provider.listed.slice(4), ['data']);
    }
  )
);

test(
  'lists a subject only when expanded, and reads trials.csv only when it changed',
  withModel(
    base => writeStorage(base, 3, 2),
    async (model, provider, base) => {
      await model.refresh();
      provider.listed = [];
      await model.expand(find(model.tree, 'data/s001'));
      assert.deepEqual(provider.listed, ['data/s001']);
      await model.expand(find(model.tree, 'data/s001/task1'));
      assert.deepEqual(provider.read, ['data/s001/task1/trials.csv']);
      assert.equal(find(model.tree, 'data/s001/task1/trials.csv').rowCount, 2);

      await model.refresh();
      assert.deepEqual(provider.read, ['data/s001/task1/trials.csv'], 'unchanged file read again');

      fs.appendFileSync(path.join(base, 'data/s001/task1/trials.csv'), '3,0,2\n');
      await model.refresh();
      assert.equal(find(model.tree, 'data/s001/task1/trials.csv').rowCount, 3);

      model.collapse(find(model.tree, 'data/s001'));
      provider.listed = [];
      await model.refresh();
      assert.deepEqual(provider.listed, ['data']);
    }
  )
);

test(
  'shows new subjects on refresh and emits changed only when the tree changed',
  withModel(
    base => writeStorage(base, 1, 1),
    async (model, _provider, base) => {
      await model.refresh();
      let changes = 0;
      model.changed.connect(() => changes++);
      await model.refresh();
      assert.equal(changes, 0);
      fs.mkdirSync(path.join(base, 'data/s999/t'), { recursive: true });
      await model.refresh();
      assert.equal(changes, 1);
      assert.deepEqual(
        model.tree[0].children.map(node => node.label),
        ['s000', 's999']
      );
    }
  )
);

test(
  'explains a missing root and a folder that is not storage',
  withModel(
    base => {
      fs.mkdirSync(path.join(base, 'project/src/lab'), { recursive: true });
      fs.writeFileSync(path.join(base, 'project/src/lab/index.ts'), '');
    },
    async model => {
      model.openRoot('project/');
      await model.refresh();
      assert.deepEqual(model.roots, ['data', 'project']);
      assert.deepEqual(model.tree[0].children[0].problem, { code: 'missing', path: 'data' });
      assert.deepEqual(model.problemOf('project'), {
        code: 'not-storage',
        path: 'project/src/lab',
        missing: 'trials-csv'
      });
      assert.ok(model.isOpenedRoot('project'));
      model.closeRoot('project');
      assert.deepEqual(model.roots, ['data']);
    }
  )
);

test(
  'reports a failing folder once while it keeps failing, and again after it recovered',
  withModel(
    base => writeStorage(base, 1, 1),
    async (model, provider) => {
      const failures: string[] = [];
      model.refreshFailed.connect((_, failure) => failures.push(failure.error.message));
      provider.failing.add('data');
      await model.refresh();
      await model.refresh();
      assert.deepEqual(failures, ['Permission denied: data']);
      assert.equal(model.tree[0].children[0].problem?.code, 'load-failed');
      provider.failing.clear();
      await model.refresh();
      assert.equal(model.tree[0].children[0].kind, 'subject');
      provider.failing.add('data');
      await model.refresh();
      assert.equal(failures.length, 2);
    }
  )
);

test(
  'settings roots replace configured roots and keep opened ones',
  withModel(
    base => writeStorage(base, 1, 1),
    async model => {
      model.openRoot('data/s000');
      model.setConfiguredRoots(['other', 'data']);
      assert.deepEqual(model.roots, ['other', 'data', 'data/s000']);
      assert.equal(model.isOpenedRoot('data'), false);
      await model.refresh();
      assert.equal(model.tree[1].children[0].label, 's000');
    }
  )
);

test(
  'never asks for a folder that is gone: missing roots, deleted subjects and tasks',
  withModel(
    base => writeStorage(base, 2, 2),
    async (model, provider, base) => {
      model.openRoot('nowhere/deep');
      await model.refresh();
      await model.expand(find(model.tree, 'data/s001'));
      await model.expand(find(model.tree, 'data/s001/task1'));
      await model.expand(find(model.tree, 'data/s000'));
      fs.rmSync(path.join(base, 'data/s001'), { recursive: true });
      fs.rmSync(path.join(base, 'data/s000/task0'), { recursive: true });
      await model.refresh();
      await model.refresh();
      assert.deepEqual(provider.missingAsked, []);
      assert.deepEqual(
        model.tree[0].children.map(node => node.label),
        ['s000']
      );
      assert.deepEqual(
        model.tree[0].children[0].children.map(node => node.label),
        ['task1']
      );
      assert.deepEqual(model.tree[1].children[0].problem, { code: 'missing', path: 'nowhere/deep' });
      fs.mkdirSync(path.join(base, 'nowhere/deep/p1/t1'), { recursive: true });
      await model.refresh();
      assert.deepEqual(
        model.tree[1].children.map(node => node.label),
        ['p1']
      );
    }
  )
);

test(
  'schedules dataset counts of array files in the background, again only when a file changed (the counter itself: e2e)',
  { timeout: 20_000 },
  withModel(
    base => writeStorage(base, 1, 1),
    async (model, provider, base) => {
      const emg = path.join(base, 'data/s000/task0/emg.hdf5');
      await writeArrayFile(emg, 3);
      // Above the limit (a setting: counts read metadata by range) a file is not read at all.
      const limit = fs.statSync(emg).size * 2;
      fs.writeFileSync(path.join(base, 'data/s000/task0/big.hdf5'), Buffer.alloc(limit + 1));
      model.datasetCountMaxBytes = limit;
      await model.refresh();
      await model.expand(find(model.tree, 'data/s000'));
      await model.expand(find(model.tree, 'data/s000/task0'));
      const emgNode = () => find(model.tree, 'data/s000/task0/emg.hdf5');
      await treeWhere(model, () => emgNode().datasetCount === 3);
      // Too big to read: never counted, shown as unknown.
      assert.equal(find(model.tree, 'data/s000/task0/big.hdf5').datasetCount, undefined);
      assert.deepEqual(provider.counted, ['data/s000/task0/emg.hdf5']);

      await model.refresh();
      await writeArrayFile(emg, 5);
      fs.utimesSync(emg, new Date(), new Date(Date.now() + 5000));
      await model.refresh();
      await treeWhere(model, () => emgNode().datasetCount === 5);
      assert.deepEqual(provider.counted, ['data/s000/task0/emg.hdf5', 'data/s000/task0/emg.hdf5']);
    }
  )
);

test(
  'stands by while nobody looks at the tree, and catches up when shown again',
  withModel(
    base => writeStorage(base, 1, 1),
    async (model, provider, base) => {
      await model.refresh();
      model.active = false;
      fs.mkdirSync(path.join(base, 'data/s001/t'), { recursive: true });
      provider.listed = [];
      await model.refresh();
      assert.equal(provider.listed.length, 0, 'listed while on standby');
      const shown = treeWhere(model, () => model.tree[0].children.length === 2);
      model.active = true;
      await shown;
      assert.ok(provider.listed.includes('data'));
    }
  )
);

/** Writes AxoPy storage with the real axopy package (Python), one subject with one task. */
function writeAxopyStorage(root: string, subject: string, task: string): void {
  runPython(
    `import sys, numpy as np
from axopy.storage import Storage
from axopy.design import Design
storage = Storage(sys.argv[1]); storage.subject_id = sys.argv[2]
writer = storage.create_task(sys.argv[3])
block = Design().add_block()
for i in range(2):
    trial = block.add_trial(attrs={'force': 0.5 * i})
    trial.add_array('emg', stack_axis=1)
    trial.arrays['emg'].stack(np.zeros((2, 4)))
    writer.write(trial)`,
    [root, subject, task]
  );
}

test('discovers storage roots by their layout, whatever their names, and only those', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-discover-'));
  try {
    writeAxopyStorage(path.join(base, 'my-study'), 'p01', 'gestures');
    writeAxopyStorage(path.join(base, 'pilot 2'), 'p9', 'rest');
    // Not storage: loose notes, a subject-like folder without a trials.csv, a hidden storage.
    fs.mkdirSync(path.join(base, 'notes', 'week1', 'monday'), { recursive: true });
    fs.writeFileSync(path.join(base, 'notes', 'week1', 'monday', 'todo.txt'), 'x');
    writeAxopyStorage(path.join(base, '.ipynb_checkpoints'), 'p01', 'gestures');
    const provider = new FolderProvider(base);
    const model = new StorageModel({ provider, discoverRoots: true, autoPoll: false, refreshInterval: 3_600_000 });
    await model.refresh();
    assert.deepEqual(model.roots, ['my-study', 'pilot 2']);
    const study = find(model.tree, 'my-study');
    assert.equal(study.kind, 'root');
    assert.deepEqual(
      study.children.map(child => child.label),
      ['p01']
    );
    assert.equal(study.problem, undefined);
    // Configured roots come first; a discovered one is not shown twice.
    model.setConfiguredRoots(['pilot 2']);
    assert.deepEqual(model.roots, ['pilot 2', 'my-study']);
    model.dispose();
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a server root that is storage itself is the one root, labelled by its folder name', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-discover-top-'));
  try {
    writeAxopyStorage(base, 'p01', 'gestures');
    const model = new StorageModel({
      provider: new FolderProvider(base),
      discoverRoots: true,
      autoPoll: false,
      refreshInterval: 3_600_000,
      serverRootName: 'my-study'
    });
    await model.refresh();
    assert.deepEqual(model.roots, ['']);
    assert.equal(model.tree[0].label, 'my-study');
    assert.deepEqual(
      model.tree[0].children.map(child => child.label),
      ['p01']
    );
    model.dispose();
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
