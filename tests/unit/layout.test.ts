import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetNameForRow, sortIds, validateId, taskPath, InvalidIdError } from '../../src/core/index.js';

test('names datasets by 0-based row index', () => {
  assert.equal(datasetNameForRow(0), '0');
  assert.equal(datasetNameForRow(12), '12');
  assert.throws(() => datasetNameForRow(-1), RangeError);
});

test('sorts ids by code point like Python sorted()', () => {
  // U+1F600 (surrogate pair in UTF-16) sorts after U+FF21 by code point, before it by UTF-16 unit.
  assert.deepEqual(sortIds(['\u{1F600}', '\uFF21', 'b', 'a']), ['a', 'b', '\uFF21', '\u{1F600}']);
});

test('refuses ids that would leave the root', () => {
  for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(256)]) {
    assert.throws(() => validateId(bad, 'subject'), InvalidIdError, JSON.stringify(bad));
  }
  assert.equal(validateId('p01 é', 'task'), 'p01 é');
});

test('joins task paths without doubled separators', () => {
  assert.equal(taskPath('data/', 's1', 't1'), 'data/s1/t1');
});
