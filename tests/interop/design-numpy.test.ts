import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Block, MersenneTwister, shuffleInPlace, vstack, hstack, dstack } from '../../src/core/index.js';
import type { NDArray } from '../../src/core/index.js';
import { runPythonJson } from '../helpers/python.js';

test('seeded shuffle gives numpy legacy np.random.shuffle order', () => {
  const cases = [
    [0, 10],
    [1, 2],
    [42, 60],
    [123456789, 1000],
    [4294967295, 7]
  ];
  const expected = runPythonJson<number[][]>(
    `import json, sys, numpy as np
out = []
for seed, n in ${JSON.stringify(cases)}:
    np.random.seed(seed); l = list(range(n)); np.random.shuffle(l); out.append(l)
print(json.dumps(out))`
  );
  cases.forEach(([seed, n], k) => {
    const items = [...Array(n).keys()];
    shuffleInPlace(items, new MersenneTwister(seed));
    assert.deepEqual(items, expected[k], `seed ${seed}`);
  });
});

test('Block.shuffle with a seed gives the order of the real AxoPy Block.shuffle after random.seed', () => {
  const seeds = [0, 7, 42, 2 ** 32 - 1, 2 ** 40 + 3];
  const expected = runPythonJson<number[][]>(
    `import json, random
from axopy.design import Block
out = []
for seed in ${JSON.stringify(seeds)}:
    block = Block(0)
    for i in range(30):
        block.add_trial(attrs={'id': i})
    random.seed(seed); block.shuffle()
    out.append([[t.attrs['id'], t.attrs['trial']] for t in block])
print(json.dumps(out))`
  );
  seeds.forEach((seed, k) => {
    const block = new Block(0);
    for (let i = 0; i < 30; i++) block.addTrial({ id: i });
    block.shuffle({ seed });
    assert.deepEqual(
      block.map(t => [t.attrs.id, t.attrs.trial]),
      expected[k],
      `seed ${seed}`
    );
  });
});

test('vstack, hstack and dstack agree with numpy on shapes and order', () => {
  const a: NDArray = { dtype: 'int16', shape: [2, 3], data: Int16Array.from([1, 2, 3, 4, 5, 6]) };
  const b: NDArray = { dtype: 'float32', shape: [2, 3], data: Float32Array.from([7, 8, 9, 10, 11, 12]) };
  const expected = runPythonJson<Record<string, { shape: number[]; dtype: string; flat: number[] }>>(
    `import json, numpy as np
a = np.arange(1, 7, dtype=np.int16).reshape(2, 3); b = np.arange(7, 13, dtype=np.float32).reshape(2, 3)
out = {}
for name, f in (('v', np.vstack), ('h', np.hstack), ('d', np.dstack)):
    r = f([a, b]); out[name] = {'shape': list(r.shape), 'dtype': str(r.dtype), 'flat': r.ravel().tolist()}
print(json.dumps(out))`
  );
  for (const [name, stack] of [
    ['v', vstack],
    ['h', hstack],
    ['d', dstack]
  ] as const) {
    const r = stack([a, b]);
    assert.deepEqual(r.shape, expected[name].shape, name);
    assert.equal(r.dtype, expected[name].dtype, name);
    assert.deepEqual([...(r.data as Float32Array)], expected[name].flat, name);
  }
});
