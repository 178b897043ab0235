import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arraysMayLagRows,
  RECORDING_RECENT_MS,
  sameFileVersion,
  servedVersionMismatch
} from '../../src/core/zip-snapshot.js';

const listed = { size: 1234, mtimeMs: Date.UTC(2026, 11, 7, 16, 0, 5, 678) };

test('a served file matches its listing to the second of its HTTP date', () => {
  assert.equal(
    servedVersionMismatch(listed, { size: 1234, lastModifiedMs: Date.UTC(2026, 11, 7, 16, 0, 5) }),
    undefined
  );
  assert.equal(servedVersionMismatch(listed, {}), undefined); // headers absent: nothing to compare
});

test('a link (listed by its own size and time, served as its target) or a rewrite differs', () => {
  // jupyter_server lists a link by lstat: a 11-byte target path, the link's own time.
  const link = { size: 11, mtimeMs: listed.mtimeMs };
  assert.equal(servedVersionMismatch(link, { size: 1234 }), '1234 bytes served, 11 listed');
  assert.match(
    servedVersionMismatch(listed, { size: 1234, lastModifiedMs: Date.UTC(2026, 11, 7, 16, 0, 6) }) ?? '',
    /^modified 2026-12-07T16:00:06\.000Z as served, 2026-12-07T16:00:05\.678Z as listed$/
  );
});

test('versions compare by size and time', () => {
  assert.equal(sameFileVersion(listed, { ...listed }), true);
  assert.equal(sameFileVersion(listed, { ...listed, mtimeMs: listed.mtimeMs + 1 }), false);
  assert.equal(sameFileVersion(listed, { ...listed, size: 0 }), false);
});

test('arrays may lag the rows only while recording and when written before trials.csv', () => {
  const trials = { size: 100, mtimeMs: 1_000_000 };
  assert.equal(arraysMayLagRows({ size: 5, mtimeMs: 999_000 }, trials, 1_001_000), true);
  assert.equal(arraysMayLagRows({ size: 5, mtimeMs: 1_000_000 }, trials, 1_001_000), false);
  assert.equal(arraysMayLagRows({ size: 5, mtimeMs: 999_000 }, trials, 1_000_000 + RECORDING_RECENT_MS + 1), false);
});
