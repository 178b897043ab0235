import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IFolderEntry } from '../../src/lab/provider/types.js';
import {
  buildTree,
  probeVerdict,
  rootListingProblem,
  taskFiles,
  visibleNodes,
  type FolderState,
  type ITreeSources
} from '../../src/lab/sidebar/tree.js';

function folder(path: string): IFolderEntry {
  return { name: path.split('/').pop()!, path, isFolder: true };
}
function file(path: string): IFolderEntry {
  return { name: path.split('/').pop()!, path, isFolder: false };
}
function loaded(...entries: IFolderEntry[]): FolderState {
  return { status: 'loaded', entries };
}

function sources(
  folders: Record<string, FolderState>,
  expanded: string[],
  extra: Partial<ITreeSources> = {}
): ITreeSources {
  return {
    roots: ['data'],
    folders: new Map(Object.entries(folders)),
    rowCounts: new Map(),
    verdicts: new Map(),
    isExpanded: (root, path) => root === path || expanded.includes(path),
    ...extra
  };
}

test('lists subjects sorted by code point, unexpanded ones without children', () => {
  const tree = buildTree(
    sources({ data: loaded(folder('data/\u{1F600}'), folder('data/\uFF21'), folder('data/b'), file('data/x.txt')) }, [])
  );
  assert.equal(tree.length, 1);
  assert.deepEqual(
    tree[0].children.map(node => node.label),
    ['b', '\uFF21', '\u{1F600}']
  );
  assert.ok(tree[0].children.every(node => node.kind === 'subject' && !node.expanded));
  assert.ok(tree[0].children.every(node => node.children.length === 0));
});

test('a task shows trials.csv with its row count, then arrays and pickles', () => {
  const task = 'data/s1/t1';
  const tree = buildTree(
    sources(
      {
        data: loaded(folder('data/s1')),
        'data/s1': loaded(folder(task)),
        [task]: loaded(
          file(`${task}/emg.hdf5`),
          file(`${task}/notes.txt`),
          file(`${task}/cfg.pkl`),
          file(`${task}/trials.csv`),
          file(`${task}/acc.hdf5`),
          file(`${task}/.hdf5`)
        )
      },
      ['data/s1', task],
      { rowCounts: new Map([[`${task}/trials.csv`, 7]]) }
    )
  );
  const files = tree[0].children[0].children[0].children;
  assert.deepEqual(
    files.map(node => [node.kind, node.label]),
    [
      ['trials', 'trials.csv'],
      ['array', 'acc.hdf5'],
      ['array', 'emg.hdf5'],
      ['pickle', 'cfg.pkl']
    ]
  );
  assert.equal(files[0].rowCount, 7);
});

test('explains empty subjects, tasks without trials.csv, missing and failing folders', () => {
  const tree = buildTree(
    sources(
      {
        data: loaded(folder('data/s1'), folder('data/s2'), folder('data/s3'), folder('data/s4')),
        'data/s1': loaded(),
        'data/s2': loaded(folder('data/s2/t')),
        'data/s2/t': loaded(file('data/s2/t/emg.hdf5')),
        'data/s3': { status: 'missing' },
        'data/s4': { status: 'failed', message: 'Forbidden' }
      },
      ['data/s1', 'data/s2', 'data/s2/t', 'data/s3', 'data/s4']
    )
  );
  const [s1, s2, s3, s4] = tree[0].children;
  assert.deepEqual(
    s1.children.map(node => node.problem),
    [{ code: 'no-tasks', path: 'data/s1' }]
  );
  assert.deepEqual(s2.children[0].children[0].problem, { code: 'no-trials-csv', path: 'data/s2/t' });
  assert.equal(s2.children[0].children[1].kind, 'array');
  assert.deepEqual(s3.children[0].problem, { code: 'missing', path: 'data/s3' });
  assert.deepEqual(s4.children[0].problem, { code: 'load-failed', path: 'data/s4', message: 'Forbidden' });
});

test('a root that is not storage says why', () => {
  assert.deepEqual(rootListingProblem('x', [file('x/readme.md')]), { code: 'no-subjects', path: 'x' });
  assert.deepEqual(rootListingProblem('x', [folder('x/a'), file('x/trials.csv')]), {
    code: 'task-folder-as-root',
    path: 'x'
  });
  assert.equal(rootListingProblem('x', [folder('x/a')]), undefined);
  const tree = buildTree(sources({ data: loaded(file('data/notes.txt')) }, []));
  assert.equal(tree[0].problem?.code, 'no-subjects');
  assert.equal(tree[0].children[0].problem?.code, 'no-subjects');
});

test('the probe tells a project folder from storage, and an empty subject proves nothing', () => {
  assert.deepEqual(probeVerdict('p/src', [folder('p/src/lab')], [file('p/src/lab/index.ts')]), {
    code: 'not-storage',
    path: 'p/src/lab',
    missing: 'trials-csv'
  });
  assert.deepEqual(probeVerdict('p/docs', [file('p/docs/a.md')], undefined), {
    code: 'not-storage',
    path: 'p/docs',
    missing: 'task-folders'
  });
  assert.equal(probeVerdict('d/s', [], undefined), undefined);
  assert.equal(probeVerdict('d/s', [folder('d/s/t')], [file('d/s/t/trials.csv')]), undefined);
  assert.equal(probeVerdict('d/s', [folder('d/s/t')], [file('d/s/t/emg.hdf5')]), undefined);
});

test('keeps hostile names verbatim as labels', () => {
  const hostile = '<img src=x onerror=alert(1)> & "q"';
  const tree = buildTree(sources({ data: loaded(folder(`data/${hostile}`)) }, []));
  assert.equal(tree[0].children[0].label, hostile);
  assert.equal(taskFiles([file(`t/${hostile}.hdf5`)]).arrays[0].name, `${hostile}.hdf5`);
});

test('visible nodes follow display order and skip collapsed children', () => {
  const tree = buildTree(
    sources({ data: loaded(folder('data/a'), folder('data/b')), 'data/a': loaded(folder('data/a/t')) }, ['data/a'])
  );
  assert.deepEqual(
    visibleNodes(tree).map(node => node.path),
    ['data', 'data/a', 'data/a/t', 'data/b']
  );
  assert.equal(new Set(visibleNodes(tree).map(node => node.id)).size, 4);
});

test('an array file with its journal beside it is "recovering", without a dataset count', () => {
  const task = 'data/s1/t1';
  const tree = buildTree(
    sources(
      {
        data: loaded(folder('data/s1')),
        'data/s1': loaded(folder(task)),
        [task]: loaded(
          file(`${task}/trials.csv`),
          file(`${task}/emg.hdf5`),
          file(`${task}/emg.hdf5-journal`),
          file(`${task}/acc.hdf5`),
          file(`${task}/gone.hdf5-journal`)
        )
      },
      ['data/s1', task],
      {
        datasetCounts: new Map([
          [`${task}/emg.hdf5`, 4],
          [`${task}/acc.hdf5`, 4]
        ])
      }
    )
  );
  const arrays = tree[0].children[0].children[0].children.filter(node => node.kind === 'array');
  // The journal files themselves are not array files; one whose array is gone marks nothing.
  assert.deepEqual(
    arrays.map(node => [node.label, node.recovering ?? false, node.datasetCount]),
    [
      ['acc.hdf5', false, 4],
      ['emg.hdf5', true, undefined]
    ]
  );
});
