import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskNotFoundError, FormatError } from '../../src/core/index.js';
import { conciseErrorLine, installConciseErrors } from '../../src/kernel/display.js';

test('shortens project errors to one line naming the error and the file', () => {
  const error = new FormatError('data/s1/t1/trials.csv', 'line 3 has 4 fields,\nheader has 3');
  assert.equal(conciseErrorLine(error), 'FormatError: data/s1/t1/trials.csv: line 3 has 4 fields, header has 3');
  assert.equal(conciseErrorLine(new TypeError('bug')), undefined);
  assert.equal(conciseErrorLine('text'), undefined);
});

test('prints project errors without a stack and other errors unchanged', () => {
  const printed: unknown[][] = [];
  const target = { error: (...args: unknown[]) => printed.push(args) };
  const restore = installConciseErrors(target);
  const bug = new RangeError('bug');
  target.error(new TaskNotFoundError('s1', 'grip'));
  target.error('UnhandledPromiseRejection:', new TaskNotFoundError('s1', 'grip'));
  target.error(bug);
  restore();
  target.error('after');
  const expected = 'TaskNotFoundError: Subject s1 has not started "grip" yet. Use `createTask` to create it first.';
  assert.deepEqual(printed, [[expected], ['UnhandledPromiseRejection:', expected], [bug], ['after']]);
});
