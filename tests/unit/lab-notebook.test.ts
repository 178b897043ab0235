import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  notebookPlacement,
  taskNotebook,
  variableName,
  AXOPY_KERNEL_NAME
} from '../../src/lab/notebook/task-notebook.js';

test('places the notebook beside the storage root and names the root relative to it', () => {
  assert.deepEqual(notebookPlacement('data'), { folder: '', storageRoot: 'data' });
  assert.deepEqual(notebookPlacement('lab/2026/data/'), { folder: 'lab/2026', storageRoot: 'data' });
  assert.deepEqual(notebookPlacement(''), { folder: '', storageRoot: '.' });
});

test('writes ids as string literals so quotes and backslashes cannot break the code', () => {
  const nb = taskNotebook({ storageRoot: 'data', subjectId: 'p"1', taskId: 'a\\b', arrayNames: ['emg', '2-force'] });
  const code = (nb.cells as { cell_type: string; source: string }[])
    .filter(c => c.cell_type === 'code')
    .map(c => c.source);
  assert.match(code[0], /storage\.subjectId = "p\\"1";/);
  assert.match(code[0], /requireTask\("a\\\\b"\)/);
  assert.equal(code.length, 4, 'load, one plot per array, stack the first');
  assert.match(code[2], /const array_2_forceTrial0 = await reader\.trialArray\("2-force", 0\);/);
  assert.equal((nb.metadata as { kernelspec: { name: string } }).kernelspec.name, AXOPY_KERNEL_NAME);
  assert.equal(variableName('emg'), 'emgTrial0');
});
