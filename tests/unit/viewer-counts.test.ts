/**
 * The sidebar's dataset counts tell three states without a count apart (issue 15): being
 * counted ("…"), too large to count, unreadable; a count when there is one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TranslationBundle } from '@jupyterlab/translation';
import { TaskFileCounts } from '../../src/lab/sidebar/file-counts.js';
import type { IFolderEntry, IStorageProvider } from '../../src/lab/provider/types.js';
import { describeCount, describeNode } from '../../src/lab/messages.js';

const trans = {
  __: (text: string, ...args: unknown[]) =>
    args.reduce<string>((out, arg, i) => out.replace(`%${i + 1}`, String(arg)), text),
  _n: (one: string, many: string, n: number, ...args: unknown[]) =>
    [n, ...args].reduce<string>((out, arg, i) => out.replace(`%${i + 1}`, String(arg)), n === 1 ? one : many)
} as unknown as TranslationBundle;

const file = (name: string, size: number): IFolderEntry => ({
  name,
  path: `t/${name}`,
  isFolder: false,
  size,
  lastModified: '2026-01-01T00:00:00Z'
});

test('dataset counts: a count, too large, unreadable, and counting are four different texts', async () => {
  let releaseSlow: (n: number) => void = () => undefined;
  const provider = {
    listFolder: async () => [],
    readText: async () => '',
    countDatasets: ({ path }: { path: string }) => {
      if (path === 't/good.hdf5') return Promise.resolve({ count: 3, bytesFetched: 0 });
      if (path === 't/slow.hdf5')
        return new Promise(resolve => (releaseSlow = count => resolve({ count, bytesFetched: 0 })));
      if (path === 't/linked.hdf5')
        return Promise.resolve({
          refused: {
            dataset: '0',
            reason: 'is an external link to "/0" in x.hdf5: links out of the file are not followed'
          },
          bytesFetched: 0
        });
      return Promise.reject(new Error('truncated file: eof = 20000, sblock->base_addr = 0, stored_eof = 74240'));
    }
  } as unknown as IStorageProvider;
  const counts = new TaskFileCounts(provider, () => undefined);
  counts.datasetCountMaxBytes = 1000;
  const entries = [
    file('trials.csv', 10),
    file('good.hdf5', 500),
    file('big.hdf5', 5000),
    file('bad.hdf5', 500),
    file('slow.hdf5', 500),
    file('linked.hdf5', 500)
  ];
  const counting = counts.countDatasets(entries);
  // Before the slow file answers, the others are settled.
  await new Promise(resolve => setImmediate(resolve));
  const shown = (): Record<string, string> => {
    const datasetCounts = counts.datasetCounts();
    const problems = counts.datasetCountProblems();
    const reasons = counts.datasetCountReasons();
    const nodes = ['good', 'big', 'bad', 'slow', 'linked'].map(name => ({
      id: name,
      kind: 'array' as const,
      root: 't',
      path: `t/${name}.hdf5`,
      label: `${name}.hdf5`,
      expandable: false,
      expanded: false,
      children: [],
      datasetCount: datasetCounts.get(`t/${name}.hdf5`),
      datasetCountProblem: problems.get(`t/${name}.hdf5`),
      datasetCountReason: reasons.get(`t/${name}.hdf5`)
    }));
    return Object.fromEntries(
      nodes.map(node => [
        node.label,
        `${describeCount(trans, node)}${node.datasetCountReason ? ` | ${describeNode(trans, node)}` : ''}`
      ])
    );
  };
  assert.deepEqual(shown(), {
    'good.hdf5': '3 datasets',
    'big.hdf5': 'too large to count',
    'bad.hdf5': 'unreadable',
    'slow.hdf5': '…',
    // A refused file: its own state, and the reader's reason in the hover text.
    'linked.hdf5':
      'refused | t/linked.hdf5 (refused: dataset "0" is an external link to "/0" in x.hdf5: links out of the file are not followed)'
  });
  releaseSlow(1);
  await counting;
  assert.equal(shown()['slow.hdf5'], '1 dataset');
});

test('the hover text says why a dataset count is missing', () => {
  const base = {
    id: 'x',
    kind: 'array' as const,
    root: 't',
    path: 't/x.hdf5',
    label: 'x.hdf5',
    expandable: false,
    expanded: false,
    children: []
  };
  assert.match(
    describeNode(trans, { ...base, datasetCountProblem: 'too-large' }),
    /larger than the dataset-count limit/
  );
  assert.match(describeNode(trans, { ...base, datasetCountProblem: 'unreadable' }), /not readable as HDF5/);
  assert.match(describeNode(trans, base), /counting datasets/);
});
