/**
 * A file saved in JupyterLab refreshes only the storage roots that hold it; a disposed model
 * leaves no timer behind (the poll is stopped through Lumino's public API).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootsContaining, StorageModel } from '../../src/lab/sidebar/storage-model.js';
import type { IFolderEntry, IStorageProvider } from '../../src/lab/provider/types.js';

test('only the roots holding a changed path are refreshed', () => {
  const roots = ['data', 'data2', 'lab/exp', ''];
  assert.deepEqual(rootsContaining(roots.slice(0, 3), ['notes/analysis.ipynb']), []);
  assert.deepEqual(rootsContaining(roots.slice(0, 3), ['data/s1/t1/trials.csv']), ['data']);
  assert.deepEqual(rootsContaining(roots.slice(0, 3), ['data2/x.csv', 'lab/exp/s/t/emg.hdf5']), ['data2', 'lab/exp']);
  assert.deepEqual(rootsContaining(roots.slice(0, 3), ['data']), ['data']);
  // The server root holds every path.
  assert.deepEqual(rootsContaining(roots, ['notes/a.ipynb']), ['']);
});

/** A provider over an in-memory tree that records what is listed. */
function recordingProvider(): IStorageProvider & { listed: string[] } {
  const folders: Record<string, IFolderEntry[]> = {
    '': [
      { name: 'a', path: 'a', isFolder: true },
      { name: 'b', path: 'b', isFolder: true }
    ],
    a: [{ name: 's1', path: 'a/s1', isFolder: true }],
    b: [{ name: 's1', path: 'b/s1', isFolder: true }],
    'a/s1': [],
    'b/s1': []
  };
  const listed: string[] = [];
  return {
    listed,
    async listFolder(path: string) {
      listed.push(path);
      return folders[path] ?? [];
    },
    async readText() {
      return '';
    }
  };
}

test('a change in one root lists that root again, not the others; no change outside a root lists nothing', async () => {
  const provider = recordingProvider();
  const model = new StorageModel({ provider, roots: ['a', 'b'], autoPoll: false });
  try {
    await model.refresh();
    provider.listed.length = 0;
    await model.refreshRootsContaining(['a/s1/t1/trials.csv']);
    assert.deepEqual(provider.listed, ['a']);
    provider.listed.length = 0;
    await model.refreshRootsContaining(['elsewhere/notebook.ipynb']);
    assert.deepEqual(provider.listed, []);
  } finally {
    model.dispose();
  }
});

test('a disposed model leaves no timer armed', async () => {
  const timers = (): number => process.getActiveResourcesInfo().filter(kind => kind === 'Timeout').length;
  const before = timers();
  const model = new StorageModel({ provider: recordingProvider(), roots: ['a'], refreshInterval: 60_000 });
  await model.refresh();
  assert.ok(timers() > before, 'the poll armed its timer');
  model.dispose();
  await new Promise(resolve => setImmediate(resolve));
  assert.equal(timers(), before);
});
