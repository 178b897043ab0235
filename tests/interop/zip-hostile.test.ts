/**
 * ZIP export of hostile and live storage (issue 13): a file swapped for a symlink between the
 * listing and the read, a folder swapped for a symlink, names an extractor could take for
 * paths, and archives taken while a task is being recorded.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { storageToZip } from '../../src/kernel/zip.js';
import { PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';

const { dir, cleanup } = makeTempDir('axopy-zip-hostile-');
after(cleanup);
const SCRIPTS = join(__dirname, '..', '..', '..', 'tests', 'python');

/** Names and contents of an archive, as Python's zipfile reads it. */
function zipContents(archive: string): Record<string, string> {
  return runPythonJson<Record<string, string>>(
    'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode("latin-1") for n in z.namelist()}))',
    [archive]
  );
}

test('a file swapped for a symlink after the listing is not archived (no-follow open, identity check)', async () => {
  const root = join(dir, 'swap', 'root');
  const outside = join(dir, 'swap', 'outside');
  mkdirSync(join(root, 's1', 't1'), { recursive: true });
  mkdirSync(join(outside, 'folder'), { recursive: true });
  writeFileSync(join(outside, 'shadow'), 'SECRET-FILE');
  writeFileSync(join(outside, 'folder', 'c.txt'), 'SECRET-FOLDER');
  writeFileSync(join(root, 's1', 't1', 'a.txt'), 'a');
  writeFileSync(join(root, 's1', 't1', 'b.txt'), 'b');
  mkdirSync(join(root, 's1', 'z'));
  writeFileSync(join(root, 's1', 'z', 'c.txt'), 'c');
  const warnings: string[] = [];
  let swapped = false;
  const archive = await storageToZip(root, join(dir, 'swap', 'out.zip'), {
    onWarning: message => warnings.push(message),
    onProgress: progress => {
      // After the first file is written, the others are swapped: b.txt for a symlink to a
      // file outside, the folder z for a symlink to a folder outside.
      if (!swapped && progress.filesDone === 1) {
        swapped = true;
        rmSync(join(root, 's1', 't1', 'b.txt'));
        symlinkSync(join(outside, 'shadow'), join(root, 's1', 't1', 'b.txt'));
        renameSync(join(root, 's1', 'z'), join(dir, 'swap', 'z-moved'));
        symlinkSync(join(outside, 'folder'), join(root, 's1', 'z'));
      }
    }
  });
  assert.ok(swapped);
  const contents = zipContents(archive);
  assert.deepEqual(Object.keys(contents), ['root/s1/t1/a.txt']);
  assert.ok(!Object.values(contents).some(text => text.includes('SECRET')));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings.join('\n'), /b\.txt: replaced by a symlink since it was listed/);
  assert.match(warnings.join('\n'), /c\.txt: replaced by another file since it was listed/);
});

test('names with "..", backslashes or drive colons are escaped: no extractor writes outside its target', async () => {
  const root = join(dir, 'names', 'root');
  const hostile = join(root, '..\\..\\evil');
  mkdirSync(join(hostile, 'task'), { recursive: true });
  writeFileSync(join(hostile, 'task', 'trials.csv'), 'block,trial\n0,0\n');
  writeFileSync(join(root, 'C:windows.txt'), 'x');
  writeFileSync(join(root, 'plain.txt'), 'y');
  const warnings: string[] = [];
  const archive = await storageToZip(root, join(dir, 'names', 'out.zip'), {
    onWarning: message => warnings.push(message)
  });
  const names = Object.keys(contents(archive));
  function contents(path: string): Record<string, string> {
    return zipContents(path);
  }
  assert.deepEqual(names.sort(), ['root/..%5C..%5Cevil/task/trials.csv', 'root/C%3Awindows.txt', 'root/plain.txt']);
  for (const name of names) {
    // As a Windows extractor splits them: no parent step, no drive, no backslash.
    assert.ok(!name.split(/[\\/]/).includes('..'), name);
    assert.ok(!/[\\:]/.test(name), name);
  }
  assert.equal(warnings.length, 2);
  // Python's zipfile extracts every entry inside the target folder.
  const target = join(dir, 'names', 'extracted');
  runPythonJson('import json, sys, zipfile\nzipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])\nprint(1)', [
    archive,
    target
  ]);
  assert.ok(existsSync(join(target, 'root', '..%5C..%5Cevil', 'task', 'trials.csv')));
});

/** Exports `root` repeatedly while `writer` records into it; Python's view of each archive. */
async function archivesDuringRecording(name: string, command: string, args: string[]) {
  const root = join(dir, name, 'root');
  mkdirSync(root, { recursive: true });
  const writer = spawn(command, [...args, root, '50', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>(resolve => writer.on('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const archives: string[] = [];
  const warnings: string[] = [];
  while (running) {
    if (existsSync(join(root, 's1', 'live', 'trials.csv'))) {
      const archive = join(dir, name, `snapshot-${archives.length}.zip`);
      await storageToZip(root, archive, { onWarning: message => warnings.push(message) });
      archives.push(archive);
    }
    await sleep(30);
  }
  await exited;
  const report = runPythonJson<
    Record<
      string,
      { error?: string; rows: number; missing: Record<string, number[]>; unreadable: Record<string, string> }
    >
  >(readFileSync(join(SCRIPTS, 'zip_task_consistency.py'), 'utf8'), ['root/s1/live', ...archives], undefined, PYTHON);
  const inconsistent = Object.entries(report).filter(
    ([, r]) =>
      r.error !== undefined ||
      Object.keys(r.unreadable).length > 0 ||
      Object.values(r.missing).some(rows => rows.length > 0)
  );
  return { archives, warnings, inconsistent };
}

for (const [label, command, args] of [
  ["this package's writer", process.execPath, [join(__dirname, '..', 'helpers', 'live-writer.js')]],
  ['Python AxoPy', PYTHON, [join(SCRIPTS, 'record_task_live.py')]]
] as const) {
  test(`archives taken while ${label} records: every archived row has its dataset, h5py reads them`, async t => {
    const { archives, warnings, inconsistent } = await archivesDuringRecording(label.replace(/\W+/g, '-'), command, [
      ...args
    ]);
    assert.ok(archives.length >= 10, `${archives.length} archives`);
    // An archive may be inconsistent only where the export said so.
    const warned = warnings.filter(message => /being (written|recorded)/.test(message)).length;
    t.diagnostic(`${archives.length} archives, ${inconsistent.length} inconsistent, ${warned} warned as being written`);
    assert.ok(
      inconsistent.length <= warned,
      `${inconsistent.length} of ${archives.length} archives inconsistent, ${warned} warnings: ${JSON.stringify(inconsistent.slice(0, 2))}`
    );
  });
}
