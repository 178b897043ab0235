import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCompleteRows } from '../../src/lab/model/rows.js';

test('counts rows after the header', () => {
  assert.equal(countCompleteRows('a,block,trial\n1,0,0\n2,0,1\n3,0,2\n'), 3);
});

test('an empty file or a header alone has no rows', () => {
  assert.equal(countCompleteRows(''), 0);
  assert.equal(countCompleteRows('a,block,trial'), 0);
  assert.equal(countCompleteRows('a,block,trial\n'), 0);
});

test('does not count a last row still being written', () => {
  assert.equal(countCompleteRows('a,block,trial\n1,0,0\n2,0'), 1);
});

test('newlines and doubled quotes inside quoted fields are not row ends', () => {
  const csv = 'note,block,trial\n"two\nlines",0,0\n"say ""hi""\n",0,1\n"a,b",0,2\n';
  assert.equal(countCompleteRows(csv), 3);
  // Cut inside a quoted field: the open record is not complete.
  assert.equal(countCompleteRows(csv.slice(0, csv.indexOf('lines'))), 0);
});
