import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ts from 'typescript';
import { wrapTopLevelForAwait } from '../../src/kernel/launcher/for-await.js';

test('a top-level for-await loop is wrapped in an awaited async arrow on the same line', () => {
  const cell = 'let n = 0;\nfor await (const a of reader.iterArray("emg")) {\n  n++;\n}\nconsole.log(n);';
  assert.equal(
    wrapTopLevelForAwait(cell, ts),
    'let n = 0;\nconst forAwaitLoop0 = (async () => { for await (const a of reader.iterArray("emg")) {\n  n++;\n}\n})(); await forAwaitLoop0;\nconsole.log(n);'
  );
});

test('each top-level loop gets its own name; nested loops and plain cells are left alone', () => {
  const two = 'for await (const a of x) f(a);\nfor await (const b of y) g(b);';
  assert.equal(
    wrapTopLevelForAwait(two, ts),
    'const forAwaitLoop0 = (async () => { for await (const a of x) f(a);\n})(); await forAwaitLoop0;\nconst forAwaitLoop1 = (async () => { for await (const b of y) g(b);\n})(); await forAwaitLoop1;'
  );
  const nested = 'async function h() {\n  for await (const a of x) f(a);\n}';
  assert.equal(wrapTopLevelForAwait(nested, ts), nested);
  assert.equal(wrapTopLevelForAwait('const v = await f();', ts), 'const v = await f();');
});

test('the rewritten cell runs the loop to the end before the next statement', async () => {
  async function* numbers(): AsyncGenerator<number> {
    yield 1;
    yield 2;
  }
  const js = ts.transpile(
    wrapTopLevelForAwait('let n = 0;\nfor await (const a of numbers()) n += a;\nresult.push(n);', ts),
    { target: ts.ScriptTarget.ES2022 }
  );
  const result: number[] = [];
  await new Function('numbers', 'result', `return (async () => { ${js} })();`)(numbers, result);
  assert.deepEqual(result, [3]);
});
