import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeJournal } from '../../src/core/hdf5-journal.js';
import { journalPathFor, recoverJournal } from '../../src/kernel/hdf5-journal.js';
import { Hdf5File } from '../../src/kernel/hdf5.js';
import { PYTHON } from '../helpers/python';

const CHILD = path.join(__dirname, 'hdf5-crash-child.js');
const CHECK = path.resolve(__dirname, '../../../tests/python/hdf5_check_crash.py');
const TRIALS = 30;

function h5pyCheck(file: string, trials: number): string {
  return execFileSync(PYTHON, [CHECK, file, String(trials), '2000'], { encoding: 'utf8', stdio: 'pipe' });
}

/** Runs the child to TRIALS trials, then kills it inside the next flush (see hdf5-crash-child). */
function writeAndTear(file: string, letThrough: number, env: NodeJS.ProcessEnv = {}): ReturnType<typeof spawnSync> {
  const child = spawnSync(process.execPath, [CHILD, file, '2000', String(TRIALS), String(letThrough)], {
    encoding: 'utf8',
    env: { ...process.env, ...env }
  });
  assert.equal(child.signal, 'SIGKILL', String(child.stderr));
  assert.ok(!String(child.stdout).includes('not killed'), 'the last flush must have gone through the journal');
  assert.equal(
    String(child.stdout)
      .split('\n')
      .filter(line => line.startsWith('done ')).length,
    TRIALS
  );
  return child;
}

for (const letThrough of [0, 2]) {
  test(`the helper process completes a flush whose writer was killed after journaling it (${letThrough} of its writes done)`, async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-journal-test-'));
    const file = path.join(tmp, 'emg.hdf5');
    writeAndTear(file, letThrough);
    for (let waited = 0; fs.existsSync(journalPathFor(file)) && waited < 10_000; waited += 20) {
      await sleep(20);
    }
    assert.ok(!fs.existsSync(journalPathFor(file)), 'the journal helper did not finish');
    // The killed flush is whole: its trial is there too, which only the replay can give.
    assert.match(h5pyCheck(file, TRIALS + 1), new RegExp(`^ok ${TRIALS + 1} of \\d+`));
    assert.deepEqual(fs.readdirSync(tmp), ['emg.hdf5'], 'nothing but the file is left, and nothing was made elsewhere');
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}

test('writer and helper killed together mid-flush: the journal stays beside the file and the next open replays it', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-journal-test-'));
  const file = path.join(tmp, 'emg.hdf5');
  // Dies (with its helper and its process group) once the journal of the 31st flush is written
  // and one of the batch's writes reached the file: the file is torn.
  writeAndTear(file, 1000, { DIE_IN_LAST_FLUSH: 'batch-part-applied' });
  await sleep(200);
  assert.ok(fs.existsSync(journalPathFor(file)), 'no helper replayed the journal');
  const mode = fs.statSync(journalPathFor(file)).mode & 0o777;
  assert.equal(mode, 0o600, 'the journal is private to its user');
  const file2 = await Hdf5File.open(file, 'a');
  file2.close();
  assert.ok(!fs.existsSync(journalPathFor(file)));
  assert.match(h5pyCheck(file, TRIALS + 1), new RegExp(`^ok ${TRIALS + 1} of \\d+`));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a stale journal is never replayed onto a file recorded anew under the same name', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-journal-test-'));
  const file = path.join(tmp, 'emg.hdf5');
  writeAndTear(file, 1000, { DIE_IN_LAST_FLUSH: 'batch-part-applied' });
  const staleJournal = fs.readFileSync(journalPathFor(file));
  // The user deletes the torn recording and records again; the journal is left behind (or put
  // back: the same bytes as the crash left).
  fs.rmSync(file);
  fs.rmSync(journalPathFor(file));
  const child = spawnSync(process.execPath, [CHILD, file, '2000', '3', '0'], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL');
  await sleep(200);
  fs.rmSync(journalPathFor(file), { force: true });
  fs.writeFileSync(journalPathFor(file), staleJournal, { mode: 0o600 });
  const before = fs.readFileSync(file);
  assert.equal(recoverJournal(file), 'discarded');
  assert.ok(fs.readFileSync(file).equals(before), 'the file recorded anew is untouched');
  assert.ok(!fs.existsSync(journalPathFor(file)));
  assert.match(h5pyCheck(file, 3), /^ok 3 of/);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a journal made for the file but changed since (or torn) is dropped, a link is removed, never followed', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-journal-test-'));
  const file = path.join(tmp, 'emg.hdf5');
  const h5 = await Hdf5File.open(file, 'a');
  h5.create('0', { dtype: 'int32', shape: [3], data: Int32Array.of(1, 2, 3) });
  h5.close();
  const stat = fs.statSync(file, { bigint: true });
  const identity = { name: 'emg.hdf5', device: stat.dev, inode: stat.ino, committedSize: stat.size };
  const before = fs.readFileSync(file);
  const journal = encodeJournal(identity, [
    { position: 0, bytes: new Uint8Array(8) },
    { position: 8, bytes: new Uint8Array(8) }
  ]);
  fs.writeFileSync(journalPathFor(file), journal.subarray(0, journal.length - 1), { mode: 0o600 });
  assert.equal(recoverJournal(file), 'discarded', 'torn');
  const outside = path.join(tmp, 'victim.txt');
  fs.writeFileSync(outside, 'precious\n');
  fs.symlinkSync(outside, journalPathFor(file));
  assert.equal(recoverJournal(file), 'discarded', 'a link');
  assert.equal(fs.readFileSync(outside, 'utf8'), 'precious\n');
  assert.ok(fs.readFileSync(file).equals(before));
  fs.rmSync(tmp, { recursive: true, force: true });
});
