import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Block,
  Trial,
  ValueFormatError,
  parseTaskLock,
  formatTaskLock,
  setAttr,
  trialAttrEntries
} from '../../src/core/index.js';

test('a Map of attributes keeps its insertion order, integer-like names included; a plain object does not', () => {
  const map = new Map<string, number | string>([
    ['gesture', 'fist'],
    ['1', 10],
    ['0', 5]
  ]);
  assert.deepEqual(
    trialAttrEntries(map, 't').map(([name]) => name),
    ['gesture', '1', '0']
  );
  // The caveat the README documents: JavaScript puts integer-like keys first.
  assert.deepEqual(
    trialAttrEntries({ gesture: 'fist', 1: 10, 0: 5 }, 't').map(([name]) => name),
    ['0', '1', 'gesture']
  );
});

test('block.addTrial and shuffle set block/trial on a Map as on an object; new Trial keeps the Map itself', () => {
  const block = new Block(2);
  const first = block.addTrial(new Map([['x', 1]]));
  const second = block.addTrial({ x: 2 });
  assert.deepEqual(
    [...first.attrs],
    [
      ['x', 1],
      ['block', 2],
      ['trial', 0]
    ]
  );
  assert.deepEqual(second.attrs, { x: 2, block: 2, trial: 1 });
  block.shuffle({ seed: 1 });
  const trials = block.map(trial => (trial.attrs instanceof Map ? trial.attrs.get('trial') : trial.attrs.trial));
  assert.deepEqual([...trials].sort(), [0, 1]);
  const map = new Map<string, number>();
  const trial = new Trial(map);
  setAttr(trial.attrs, 'late', 3);
  assert.equal(map.get('late'), 3);
});

test('values with no trials.csv cell are refused with ValueFormatError naming the column', () => {
  for (const bad of [[1], { a: 1 }, new Date(0), () => 1, Symbol('s')]) {
    assert.throws(
      () => trialAttrEntries({ ok: 1, bad: bad as never }, 'trial 3'),
      (error: Error) => error instanceof ValueFormatError && /trial 3: attribute "bad"/.test(error.message)
    );
  }
  assert.deepEqual(trialAttrEntries({ a: 1, b: 2n, c: 's', d: true, e: null, f: undefined }, 't').length, 6);
});

test('a task lock names its holder; a torn or foreign lock file parses as no holder', () => {
  const holder = { pid: 4242, host: 'lab-pc', since: 1_700_000_000_000 };
  assert.deepEqual(parseTaskLock(formatTaskLock(holder)), holder);
  for (const text of [
    '',
    '{"pid":42',
    '{"pid":-1,"host":"x","since":1}',
    '{"pid":1.5,"host":"x","since":1}',
    'null',
    '[]'
  ]) {
    assert.equal(parseTaskLock(text), undefined, JSON.stringify(text));
  }
});
