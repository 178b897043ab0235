/**
 * The export dialog's preselection (issue 15): the last destination chosen for the same storage
 * root, else the settings' default; a choice for one root never preselects another's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DestinationMemory, preselect, rootPathOf } from '../../src/lab/export/destination-choice.js';
import { exportTarget } from '../../src/lab/export/target.js';

test('the storage root of a root, subject and task export', () => {
  assert.equal(rootPathOf(exportTarget('root', 'studies/data')), 'studies/data');
  assert.equal(rootPathOf(exportTarget('subject', 'studies/data/p01')), 'studies/data');
  assert.equal(rootPathOf(exportTarget('task', 'studies/data/p01/gestures')), 'studies/data');
  assert.equal(rootPathOf(exportTarget('task', 'data/p01/gestures')), 'data');
});

test('a choice preselects for its root only, and says why', async () => {
  const memory = new DestinationMemory(null);
  const task = exportTarget('task', 'data/p01/gestures');
  assert.deepEqual(memory.preselect(task, 'download'), {
    destination: 'download',
    reason: 'default',
    rootPath: 'data'
  });
  await memory.remember(task, 'server');
  // The same root through a subject, and the root itself.
  assert.deepEqual(memory.preselect(exportTarget('subject', 'data/p02'), 'download'), {
    destination: 'server',
    reason: 'root',
    rootPath: 'data'
  });
  assert.deepEqual(memory.preselect(exportTarget('root', 'data'), 'download'), {
    destination: 'server',
    reason: 'root',
    rootPath: 'data'
  });
  // Another root with the same subject/task names keeps the default.
  assert.deepEqual(memory.preselect(exportTarget('task', 'other/p01/gestures'), 'download'), {
    destination: 'download',
    reason: 'default',
    rootPath: 'other'
  });
  // A later choice replaces the earlier one for that root.
  await memory.remember(exportTarget('root', 'data'), 'download');
  assert.equal(memory.preselect(task, 'server').destination, 'download');
  assert.equal(memory.preselect(task, 'server').reason, 'root');
});

test('choices are read from and written to the store (the destinationByRoot setting); junk values are ignored', async () => {
  let saved: ReadonlyPartialJSONObject | undefined = { other: 'server', broken: 'ftp' };
  const memory = new DestinationMemory({ read: () => saved, write: async choices => void (saved = choices) });
  assert.equal(memory.preselect(exportTarget('task', 'other/p/t'), 'download').destination, 'server');
  assert.deepEqual(memory.preselect(exportTarget('root', 'broken'), 'download'), {
    destination: 'download',
    reason: 'default',
    rootPath: 'broken'
  });
  await memory.remember(exportTarget('subject', 'data/p01'), 'server');
  assert.deepEqual(saved, { other: 'server', broken: 'ftp', data: 'server' });
  assert.deepEqual(preselect({}, '', 'server'), { destination: 'server', reason: 'default', rootPath: '' });
});
