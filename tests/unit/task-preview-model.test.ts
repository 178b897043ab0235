/**
 * The preview's model without the DOM: it reads trials.csv, selects the first trial, reads that
 * trial's dataset of each array file, follows the selection, and re-reads only what changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskPreviewModel } from '../../src/lab/previews/task-preview-model.js';
import type { IArrayData, IArrayProvider, IFileVersion } from '../../src/lab/hdf5/provider.js';
import type { IFolderEntry } from '../../src/lab/provider/types.js';
import { loadPickle } from '../../src/core/pickle/index.js';
import { pickleItem } from '../../src/lab/previews/pickle-tree.js';

/** The pickle loaded as the pickle worker loads it, here in the test's thread. */
const loadPickleInPage = async (bytes: Uint8Array, path: string, name: string) =>
  pickleItem(name, loadPickle(bytes, path));

/** An in-memory task folder whose files can change between refreshes. */
function memoryTask(files: Map<string, { text?: string; stamp: string; datasets?: Record<string, number[]> }>) {
  const reads: string[] = [];
  const source = {
    async listFolder(path: string): Promise<IFolderEntry[]> {
      return [...files.entries()].map(([name, file]) => ({
        name,
        path: `${path}/${name}`,
        isFolder: false,
        lastModified: file.stamp,
        size: 1
      }));
    },
    async readText(path: string): Promise<string> {
      reads.push(path);
      return files.get(path.split('/').pop()!)!.text!;
    },
    async readBytes(): Promise<Uint8Array> {
      throw new Error('no pickles here');
    }
  };
  const arrays: IArrayProvider = {
    async describe() {
      return [];
    },
    async readDataset(file: IFileVersion, dataset: string): Promise<IArrayData | undefined> {
      reads.push(`${file.path}#${dataset}`);
      const values = files.get(file.path.split('/').pop()!)!.datasets![dataset];
      return values === undefined
        ? undefined
        : { dtype: 'float64', shape: [values.length], data: Float64Array.from(values) };
    },
    bytesFetched: () => undefined
  };
  return { source, arrays, reads };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve));
}

test('reads the table, selects trial 0 and reads its datasets; follows the selection', async () => {
  const files = new Map([
    ['trials.csv', { text: 'block,trial\n0,0\n0,1\n', stamp: 'a' }],
    ['emg.hdf5', { stamp: 'a', datasets: { '0': [1, 2], '1': [3] } }]
  ]);
  const { source, arrays, reads } = memoryTask(files);
  const model = new TaskPreviewModel({ taskPath: 'root/s/t', source, arrays, loadPickleItem: loadPickleInPage });
  const selections: (number | undefined)[] = [];
  model.selectionChanged.connect((_, trial) => selections.push(trial));
  await model.refresh();
  await settle();
  assert.equal(model.trials.parsed?.rowCount, 2);
  assert.deepEqual(selections, [0]);
  assert.equal(model.arrays.get('emg')?.status, 'plotted');
  assert.deepEqual([...(model.arrays.get('emg')!.array!.data as Float64Array)], [1, 2]);
  model.select(1);
  await settle();
  assert.equal(model.arrays.get('emg')?.dataset, '1');
  model.select(5);
  await settle();
  assert.equal(model.arrays.get('emg')?.status, 'missing');
  // Nothing changed: a refresh reads nothing again.
  const before = reads.length;
  await model.refresh();
  await settle();
  assert.equal(reads.length, before);
  // trials.csv grew: read again.
  files.set('trials.csv', { text: 'block,trial\n0,0\n0,1\n0,2\n', stamp: 'b' });
  await model.refresh();
  assert.equal(model.trials.parsed?.rowCount, 3);
  model.dispose();
  assert.ok(model.isDisposed);
});

test('a task without trials.csv says so and selects nothing', async () => {
  const { source, arrays } = memoryTask(new Map([['emg.hdf5', { stamp: 'a', datasets: { '0': [1] } }]]));
  const model = new TaskPreviewModel({ taskPath: 'root/s/t', source, arrays, loadPickleItem: loadPickleInPage });
  await model.refresh();
  await settle();
  assert.equal(model.trials.error, 'missing');
  assert.equal(model.selectedTrial, undefined);
  assert.equal(model.arrays.get('emg')?.status, 'idle');
  model.dispose();
});

test('an <array>.json sidecar is read (again only when it changes); a task without array files says what it lacks', async () => {
  const files = new Map<string, { text?: string; stamp: string; datasets?: Record<string, number[]> }>([
    ['trials.csv', { text: 'block,trial\n0,0\n', stamp: 'a' }]
  ]);
  const { source, arrays, reads } = memoryTask(files);
  const model = new TaskPreviewModel({ taskPath: 'root/s/t', source, arrays, loadPickleItem: loadPickleInPage });
  assert.equal(model.missingFiles, undefined);
  await model.refresh();
  await settle();
  assert.equal(model.missingFiles, 'arrays-and-pickles');
  files.set('emg.hdf5', { stamp: 'a', datasets: { '0': [1, 2] } });
  files.set('emg.json', { text: JSON.stringify({ sample_rate: 2000, channel_names: ['FDS'] }), stamp: 'a' });
  await model.refresh();
  await settle();
  assert.equal(model.missingFiles, '');
  assert.deepEqual(model.metadataOf('emg'), {
    metadata: {
      sampleRate: 2000,
      sampleRateFrom: 'root/s/t/emg.json',
      channelNames: ['FDS'],
      channelNamesFrom: 'root/s/t/emg.json'
    },
    problem: ''
  });
  const sidecarReads = () => reads.filter(path => path.endsWith('emg.json')).length;
  await model.refresh();
  await settle();
  assert.equal(sidecarReads(), 1);
  files.set('emg.json', { text: '{"sample_rate": -1}', stamp: 'b' });
  await model.refresh();
  await settle();
  assert.equal(sidecarReads(), 2);
  assert.deepEqual(model.metadataOf('emg')!.metadata, {});
  assert.match(model.metadataOf('emg')!.problem, /^emg\.json not used: .*sample_rate must be a positive number/);
  files.delete('emg.json');
  await model.refresh();
  await settle();
  assert.deepEqual(model.metadataOf('emg'), { metadata: {}, problem: '' });
  model.dispose();
});

test("the arrayMetadata setting of the task's root labels an array without a sidecar; its sidecar wins; a change is shown at once", async () => {
  const files = new Map<string, { text?: string; stamp: string; datasets?: Record<string, number[]> }>([
    ['trials.csv', { text: 'block,trial\n0,0\n', stamp: 'a' }],
    ['emg.hdf5', { stamp: 'a', datasets: { '0': [1, 2] } }]
  ]);
  const { source, arrays } = memoryTask(files);
  const model = new TaskPreviewModel({
    taskPath: 'data/p01/t',
    source,
    arrays,
    loadPickleItem: loadPickleInPage,
    metadataSettings: [
      { root: 'data', sampleRate: 1000 },
      { root: 'other', array: 'emg', sampleRate: 50 }
    ]
  });
  const changed: (string | undefined)[] = [];
  model.arraysChanged.connect((_, name) => changed.push(name));
  await model.refresh();
  await settle();
  assert.deepEqual(model.metadataOf('emg'), {
    metadata: { sampleRate: 1000, sampleRateFrom: 'settings' },
    problem: ''
  });
  // The same object while nothing changes: the plot does not redraw, the analysis view stays.
  const first = model.metadataOf('emg');
  await model.refresh();
  await settle();
  assert.equal(model.metadataOf('emg'), first);
  // A new setting for this root and array: shown at once, without a refresh.
  changed.length = 0;
  model.setMetadataSettings([
    { root: 'data/', sampleRate: 1000 },
    { root: 'data', array: 'emg', sampleRate: 2000, channelNames: ['a', 'b'] }
  ]);
  assert.deepEqual(changed, ['emg']);
  assert.deepEqual(model.metadataOf('emg')!.metadata, {
    sampleRate: 2000,
    sampleRateFrom: 'settings',
    channelNames: ['a', 'b'],
    channelNamesFrom: 'settings'
  });
  // A sidecar giving the rate wins for the rate; the names stay the settings'.
  files.set('emg.json', { text: '{"sample_rate": 250}', stamp: 'a' });
  await model.refresh();
  await settle();
  assert.deepEqual(model.metadataOf('emg')!.metadata, {
    sampleRate: 250,
    sampleRateFrom: 'data/p01/t/emg.json',
    channelNames: ['a', 'b'],
    channelNamesFrom: 'settings'
  });
  // A malformed sidecar is not used (and said so): the settings apply.
  files.set('emg.json', { text: '{"sample_rate": "fast"}', stamp: 'b' });
  await model.refresh();
  await settle();
  assert.equal(model.metadataOf('emg')!.metadata.sampleRate, 2000);
  assert.match(model.metadataOf('emg')!.problem, /^emg\.json not used: .*sample_rate must be a positive number/);
  model.dispose();
});
