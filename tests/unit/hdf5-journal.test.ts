import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeJournal,
  encodeJournal,
  fileOfJournalName,
  filesBeingRecovered,
  journalFileName,
  journalMatchesFile
} from '../../src/core/hdf5-journal.js';

const target = { name: 'emg.hdf5', device: 2049n, inode: 2n ** 40n + 7n, committedSize: 4096n };
const writes = [
  { position: 0, bytes: Uint8Array.from([1, 2, 3]) },
  { position: 96, bytes: new Uint8Array(0) },
  { position: 680, bytes: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) }
];

test('a journal decodes to its target and writes, and not at all when torn at any length', () => {
  const journal = encodeJournal(target, writes);
  const decoded = decodeJournal(journal);
  assert.ok(decoded);
  assert.deepEqual(decoded.target, target);
  assert.deepEqual(
    decoded.writes.map(w => [w.position, [...w.bytes]]),
    writes.map(w => [w.position, [...w.bytes]])
  );
  for (let length = 0; length < journal.length; length++) {
    assert.equal(decodeJournal(journal.subarray(0, length)), undefined, `torn at ${length}`);
  }
});

test('a journal with any byte changed, or zeroed as a crash may leave a page, does not decode', () => {
  const journal = encodeJournal(target, writes);
  for (let at = 0; at < journal.length; at += 7) {
    const damaged = journal.slice();
    damaged[at] ^= 0x40;
    assert.equal(decodeJournal(damaged), undefined, `byte ${at} flipped`);
  }
  const zeroed = journal.slice();
  zeroed.fill(0, 100, 200);
  assert.equal(decodeJournal(zeroed), undefined);
});

test('a journal claiming writes beyond the size it recorded is refused', () => {
  const journal = encodeJournal({ ...target, committedSize: 100n }, [{ position: 99, bytes: Uint8Array.of(1, 2) }]);
  assert.equal(decodeJournal(journal), undefined);
});

test('a journal matches only the file it was made for: same name, device, inode and size', () => {
  assert.ok(journalMatchesFile(target, { ...target }));
  assert.ok(!journalMatchesFile(target, { ...target, inode: target.inode + 1n }), 'a file recorded anew');
  assert.ok(!journalMatchesFile(target, { ...target, committedSize: 8192n }), 'a reused inode, another size');
  assert.ok(!journalMatchesFile(target, { ...target, device: 7n }));
  assert.ok(!journalMatchesFile(target, { ...target, name: 'force.hdf5' }));
});

test('the journal name rule: beside the file, and a listing tells which files are being recovered', () => {
  assert.equal(journalFileName('emg.hdf5'), 'emg.hdf5-journal');
  assert.equal(fileOfJournalName('emg.hdf5-journal'), 'emg.hdf5');
  assert.equal(fileOfJournalName('-journal'), undefined);
  assert.equal(fileOfJournalName('emg.hdf5'), undefined);
  const listing = [
    'trials.csv',
    'emg.hdf5',
    'emg.hdf5-journal',
    'force.hdf5',
    'gone.hdf5-journal',
    '1.hdf5',
    '1.hdf5-journal'
  ];
  // A journal whose file is gone protects nothing; the file is not "recovering".
  assert.deepEqual(filesBeingRecovered(listing), ['1.hdf5', 'emg.hdf5']);
  assert.deepEqual(filesBeingRecovered(['emg.hdf5', 'force.hdf5']), []);
});

test('a journal written over an older, longer one decodes as itself; torn, as nothing; invalidated, as nothing', () => {
  const older = encodeJournal(target, [{ position: 0, bytes: new Uint8Array(900).fill(7) }]);
  const newer = encodeJournal(target, [
    { position: 16, bytes: Uint8Array.of(5, 6) },
    { position: 40, bytes: Uint8Array.of(9) }
  ]);
  const file = older.slice();
  file.set(newer, 0);
  assert.deepEqual(
    decodeJournal(file)?.writes.map(w => [w.position, [...w.bytes]]),
    [
      [16, [5, 6]],
      [40, [9]]
    ]
  );
  const torn = older.slice();
  torn.set(newer.subarray(0, newer.length - 5), 0); // killed before the newer trailer was written
  assert.equal(decodeJournal(torn), undefined);
  file[0] = 0;
  assert.equal(decodeJournal(file), undefined);
});
