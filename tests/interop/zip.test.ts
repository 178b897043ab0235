import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorNaming } from '../helpers/errors.js';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileNotFoundError, storageToZip } from '../../src/kernel/index.js';
import { PYTHON } from '../helpers/python';

const PYTHON_DIR = path.resolve(__dirname, '../../../tests/python');

interface ZipCheck {
  testzip: string | null;
  names: string[];
  methods: Record<string, number>;
  utf8: Record<string, boolean>;
  zip64_end_record: boolean;
  differing: string[];
  worst_time_diff: number;
  top_folders: string[];
}

const EXPECTED_NAMES = [
  'data/p1/calibration/emg.hdf5',
  'data/p1/calibration/meta.pkl',
  'data/p1/calibration/trials.csv',
  'data/p1/main/emg.hdf5',
  'data/p1/main/meta.pkl',
  'data/p1/main/trials.csv',
  'data/sujet-\u00e9/main/emg.hdf5',
  'data/sujet-\u00e9/main/meta.pkl',
  'data/sujet-\u00e9/main/trials.csv'
];

let workDir: string;
let root: string;

before(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-zip-'));
  root = path.join(workDir, 'data');
  execFileSync(PYTHON, [path.join(PYTHON_DIR, 'zip_make_storage.py'), root]);
});

after(() => fs.rmSync(workDir, { recursive: true, force: true }));

function checkWithPython(archive: string): ZipCheck {
  const output = execFileSync(PYTHON, [path.join(PYTHON_DIR, 'zip_check.py'), archive, root, 'data'], {
    encoding: 'utf8'
  });
  return JSON.parse(output) as ZipCheck;
}

function leftovers(folder: string): string[] {
  return fs.readdirSync(folder).filter(name => name.includes('.zip'));
}

test('exports the hierarchy that Python zipfile and unzip read back byte for byte', async () => {
  assert.ok(fs.statSync(path.join(root, 'p1/main/emg.hdf5')).size > 4 * 2 ** 20, 'a streamed stored file');
  assert.ok(
    fs.statSync(path.join(root, 'sujet-\u00e9/main/trials.csv')).size > 4 * 2 ** 20,
    'a streamed deflated file'
  );
  const archive = path.join(workDir, 'out', 'export.zip');
  fs.mkdirSync(path.dirname(archive));
  const progress: number[] = [];
  const returned = await storageToZip(root, archive, { onProgress: p => progress.push(p.filesDone) });
  assert.equal(returned, archive);

  const check = checkWithPython(archive);
  assert.equal(check.testzip, null);
  assert.deepEqual(check.names, EXPECTED_NAMES);
  assert.deepEqual(check.differing, []);
  assert.ok(check.worst_time_diff < 2, `date_time off by ${check.worst_time_diff} s`);
  assert.equal(check.methods['data/p1/main/emg.hdf5'], 0, 'hdf5 stored');
  assert.equal(check.methods['data/p1/main/trials.csv'], 8, 'csv deflated');
  assert.equal(check.methods['data/p1/main/meta.pkl'], 8, 'pkl deflated');
  assert.equal(check.methods['data/sujet-\u00e9/main/trials.csv'], 8, 'large csv deflated');
  assert.ok(Object.values(check.utf8).every(Boolean), 'UTF-8 name flag on every entry');
  assert.equal(check.zip64_end_record, false, 'a small archive stays classic ZIP');
  assert.equal(progress.at(-1), EXPECTED_NAMES.length);

  const unzip = execFileSync('unzip', ['-t', archive], { encoding: 'utf8' });
  assert.match(unzip, /No errors detected/);
  assert.deepEqual(leftovers(path.dirname(archive)), ['export.zip'], 'no partial file left');
});

test('writes the default archive beside the root even with a trailing slash, and returns its path', async () => {
  const returned = await storageToZip(root + '/');
  assert.equal(returned, path.join(workDir, 'data.zip'));
  assert.deepEqual(checkWithPython(returned).names, EXPECTED_NAMES);
  assert.deepEqual(leftovers(root), [], 'nothing written inside the root');
  fs.rmSync(returned);
});

test('never puts the archive being written into itself', async () => {
  const inside = path.join(root, 'data.zip');
  fs.writeFileSync(inside, 'an older export');
  try {
    const returned = await storageToZip(root, inside);
    assert.equal(returned, inside);
    const check = checkWithPython(inside);
    assert.deepEqual(check.names, EXPECTED_NAMES);
    assert.equal(check.testzip, null);
  } finally {
    fs.rmSync(inside, { force: true });
  }
});

test('aborting mid-way rejects with AbortError and leaves no archive', async () => {
  const archive = path.join(workDir, 'aborted.zip');
  const controller = new AbortController();
  let filesDoneAtAbort = -1;
  await assert.rejects(
    storageToZip(root, archive, {
      signal: controller.signal,
      onProgress: p => {
        // The first chunk of the ~5 MB file: aborts while an entry is being streamed.
        if (p.currentFile === 'p1/main/emg.hdf5' && !controller.signal.aborted) {
          filesDoneAtAbort = p.filesDone;
          controller.abort();
        }
      }
    }),
    (error: Error) => error.name === 'AbortError'
  );
  assert.equal(filesDoneAtAbort, 3, 'aborted after the first task, inside the next file');
  assert.deepEqual(leftovers(workDir), [], 'neither the archive nor its partial file is left');
});

test('a missing root raises FileNotFoundError and writes nothing', async () => {
  const missing = path.join(workDir, 'no-such-root');
  await assert.rejects(storageToZip(missing), errorNaming(FileNotFoundError, missing));
  assert.equal(fs.existsSync(missing + '.zip'), false);
});

test('forced ZIP64 records are read by Python zipfile and unzip', async () => {
  const archive = path.join(workDir, 'zip64.zip');
  await storageToZip(root, archive, { forceZip64: true });
  const check = checkWithPython(archive);
  assert.equal(check.zip64_end_record, true);
  assert.equal(check.testzip, null);
  assert.deepEqual(check.names, EXPECTED_NAMES);
  assert.deepEqual(check.differing, []);
  assert.match(execFileSync('unzip', ['-t', archive], { encoding: 'utf8' }), /No errors detected/);
  fs.rmSync(archive);
});

test('skips symlinks that leave the root and says so; follows those inside it', async () => {
  const outsideFile = path.join(workDir, 'secret.txt');
  fs.writeFileSync(outsideFile, 'not experiment data');
  const outsideLink = path.join(root, 'p1', 'leak.txt');
  const insideLink = path.join(root, 'p1', 'alias.csv');
  fs.symlinkSync(outsideFile, outsideLink);
  fs.symlinkSync(path.join(root, 'p1', 'main', 'trials.csv'), insideLink);
  const archive = path.join(workDir, 'links.zip');
  const warnings: string[] = [];
  try {
    await storageToZip(root, archive, { onWarning: message => warnings.push(message) });
    const check = checkWithPython(archive);
    assert.deepEqual(check.names, ['data/p1/alias.csv', ...EXPECTED_NAMES]);
    assert.deepEqual(check.differing, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /leak\.txt.*outside the root/);
  } finally {
    fs.rmSync(outsideLink);
    fs.rmSync(insideLink);
    fs.rmSync(archive, { force: true });
  }
});
