import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultZipPath,
  planStorageZip,
  DEFLATE_MAX_BYTES,
  ZIP32_MAX_BYTES,
  ZIP32_MAX_ENTRIES,
  type StorageFileInfo
} from '../../src/core/index.js';

const mtime = new Date(2024, 0, 2, 3, 4, 6);

function file(relativePath: string, size = 10): StorageFileInfo {
  return { relativePath, size, mtime };
}

test('keeps the subject/task hierarchy under the root folder name', () => {
  const plan = planStorageZip('data', [file('p1/calib/trials.csv'), file('p1/main/trials.csv')]);
  assert.deepEqual(
    plan.entries.map(entry => entry.archivePath),
    ['data/p1/calib/trials.csv', 'data/p1/main/trials.csv']
  );
  assert.deepEqual(
    plan.entries.map(entry => entry.relativePath),
    ['p1/calib/trials.csv', 'p1/main/trials.csv']
  );
  assert.equal(plan.entries[0].mtime, mtime);
});

test('stores hdf5 and deflates csv, pkl and other small files', () => {
  const plan = planStorageZip('data', [
    file('s/t/emg.hdf5'),
    file('s/t/trials.csv'),
    file('s/t/model.pkl'),
    file('notes.txt'),
    file('s/t/big.bin', DEFLATE_MAX_BYTES + 1),
    file('s/t/EMG.HDF5')
  ]);
  const methods = Object.fromEntries(plan.entries.map(entry => [entry.relativePath, entry.method]));
  assert.deepEqual(methods, {
    'notes.txt': 'deflate',
    's/t/EMG.HDF5': 'store',
    's/t/big.bin': 'store',
    's/t/emg.hdf5': 'store',
    's/t/model.pkl': 'deflate',
    's/t/trials.csv': 'deflate'
  });
});

test('sorts by path components in code point order, whatever the input order', () => {
  const names = [
    's1/t1/b.csv',
    'a-b/x.csv',
    's1/t1/a.csv',
    'a/z.csv',
    's1/t10/a.csv',
    's1/t1/\u{1F600}.csv',
    's1/t1/\uFF21.csv'
  ];
  const expected = [
    'a/z.csv',
    'a-b/x.csv',
    's1/t1/a.csv',
    's1/t1/b.csv',
    's1/t1/\uFF21.csv',
    's1/t1/\u{1F600}.csv',
    's1/t10/a.csv'
  ];
  for (const order of [names, [...names].reverse()]) {
    assert.deepEqual(
      planStorageZip(
        'data',
        order.map(name => file(name))
      ).entries.map(entry => entry.relativePath),
      expected
    );
  }
});

test('leaves out the archive being written when it lies inside the root', () => {
  const plan = planStorageZip('data', [file('data.zip', 500), file('s/t/trials.csv')], {
    excludeRelativePath: 'data.zip'
  });
  assert.deepEqual(
    plan.entries.map(entry => entry.relativePath),
    ['s/t/trials.csv']
  );
  assert.equal(plan.totalBytes, 10);
});

test('sums sizes and asks for ZIP64 only beyond classic ZIP limits', () => {
  const small = planStorageZip('data', [file('a.hdf5', 1000), file('b.csv', 24)]);
  assert.equal(small.totalBytes, 1024);
  assert.equal(small.zip64, false);

  assert.equal(planStorageZip('data', [file('a.hdf5', ZIP32_MAX_BYTES)]).zip64, true, 'one entry of 4 GiB');
  const half = Math.ceil(ZIP32_MAX_BYTES / 2);
  assert.equal(planStorageZip('data', [file('a.hdf5', half), file('b.hdf5', half)]).zip64, true, 'total of 4 GiB');
  assert.equal(planStorageZip('data', [file('a.hdf5', ZIP32_MAX_BYTES - 2 ** 20)]).zip64, false, 'just below');

  const many = Array.from({ length: ZIP32_MAX_ENTRIES }, (_, i) => file(`s/t/${i}.csv`, 1));
  assert.equal(planStorageZip('data', many).zip64, true, '65535 entries');
  assert.equal(planStorageZip('data', many.slice(1)).zip64, false, '65534 entries');
});

test('refuses a root name that is not one folder name', () => {
  for (const bad of ['', '/', '.', '..', 'a/b']) {
    assert.throws(() => planStorageZip(bad, []), RangeError, JSON.stringify(bad));
  }
  assert.equal(planStorageZip('data/', [file('x.csv')]).entries[0].archivePath, 'data/x.csv');
});

test('puts the default archive beside the root, with or without trailing slashes', () => {
  assert.equal(defaultZipPath('data'), 'data.zip');
  assert.equal(defaultZipPath('data/'), 'data.zip');
  assert.equal(defaultZipPath('/home/me/exp/data'), '/home/me/exp/data.zip');
  assert.equal(defaultZipPath('/home/me/exp/data//'), '/home/me/exp/data.zip');
  assert.equal(defaultZipPath('exp//data'), 'exp/data.zip');
  assert.equal(defaultZipPath('/data'), '/data.zip');
  for (const bad of ['', '/', '.', '..', 'exp/..']) {
    assert.throws(() => defaultZipPath(bad), RangeError, JSON.stringify(bad));
  }
});
