import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJournal, encodeJournal, journalFolderFor } from '../../src/kernel/hdf5-journal.js';
import { PYTHON } from '../helpers/python';

const CHILD = path.join(__dirname, 'hdf5_crash_child.js');
const CHECK = path.resolve(__dirname, '../../../tests/python/hdf5_check_crash.py');

test('a journal decodes only when complete', () => {
  const writes = [
    { position: 0, bytes: Uint8Array.from([1, 2, 3]) },
    { position: 2 ** 40, bytes: new Uint8Array(0) },
    { position: 680, bytes: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) }
  ];
  const journal = encodeJournal('/data/s1/t1/emg.hdf5', writes);
  const decoded = decodeJournal(journal);
  assert.ok(decoded);
  assert.equal(decoded.target, '/data/s1/t1/emg.hdf5');
  assert.deepEqual(decoded.writes.map(w => [w.position, [...w.bytes]]), writes.map(w => [w.position, [...w.bytes]]));
  for (let length = 0; length < journal.length; length++) {
    assert.equal(decodeJournal(journal.subarray(0, length)), undefined, `torn at ${length}`);
  }
});

for (const letThrough of [0, 2]) {
  test(`the helper process completes a flush whose writer was killed after journaling it (${letThrough} of its writes done)`, async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-journal-test-'));
    const file = path.join(tmp, 'emg.hdf5');
    const trials = 30;
    const child = spawnSync(process.execPath, [CHILD, file, '2000', String(trials), String(letThrough)], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.ok(!child.stdout.includes('not killed'), 'the last flush must have gone through the journal');
    assert.equal(child.stdout.split('\n').filter(line => line.startsWith('done ')).length, trials);
    for (let waited = 0; fs.existsSync(journalFolderFor(child.pid)) && waited < 10_000; waited += 20) {
      await sleep(20);
    }
    assert.ok(!fs.existsSync(journalFolderFor(child.pid)), 'the journal helper did not finish');
    // The killed flush is whole: its trial is there too, which only the replay can give.
    const report = execFileSync(PYTHON, [CHECK, file, String(trials + 1), '2000'], { encoding: 'utf8' });
    assert.match(report, new RegExp(`^ok ${trials + 1} of \\d+`));
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}
