/**
 * Pickles that cost far more to show than to store (issue 13): memo-shared lists nested 22+
 * levels (4 million paths from 200 bytes) and a 10 MB int. Written by Python's pickle; the
 * counts expected come from Python walking the same objects.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPickle } from '../../src/core/pickle/index.js';
import { PickleDisplayTree, bigIntSummary } from '../../src/core/pickle/display-tree.js';
import { type ILocalPickleItem as IPickleItem, pickleItem } from '../../src/lab/previews/pickle-tree.js';
import { PickleTreeService, type PickleTreeRequest } from '../../src/lab/previews/pickle-tree-service.js';
import { PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';

const { dir, cleanup } = makeTempDir('axopy-pickle-hostile-');
after(cleanup);

/** Every item of the tree, opening everything (what a user clicking every node would see). */
function openAll(item: IPickleItem): IPickleItem[] {
  const all: IPickleItem[] = [];
  const stack = [item];
  while (stack.length > 0) {
    const next = stack.pop()!;
    all.push(next);
    if (next.expandable) stack.push(...next.children);
  }
  return all;
}

interface SharedFacts {
  bytes: number;
  distinct: number;
  nonEmpty: number;
  edges: number;
  paths: number;
}

/** Writes l[levels] of l[k+1] = [l[k], l[k]] with Python's pickle; Python's counts of it. */
function writeSharedPickle(path: string, levels: number): SharedFacts {
  return runPythonJson<SharedFacts>(
    [
      'import json, pickle, sys',
      'n = int(sys.argv[2])',
      'l = [[]]',
      'for k in range(n): l.append([l[k], l[k]])',
      'open(sys.argv[1], "wb").write(pickle.dumps(l[-1], protocol=4))',
      'seen = {}',
      'def walk(x):',
      '    if id(x) in seen: return',
      '    seen[id(x)] = x',
      '    for y in x: walk(y)',
      'walk(l[-1])',
      'edges = sum(len(x) for x in seen.values())',
      'nonempty = sum(1 for x in seen.values() if x)',
      'print(json.dumps({"bytes": len(pickle.dumps(l[-1], protocol=4)), "distinct": len(seen), "nonEmpty": nonempty, "edges": edges, "paths": 2 ** (n + 1) - 1}))'
    ].join('\n'),
    [path, String(levels)],
    undefined,
    PYTHON
  );
}

for (const levels of [22, 40]) {
  test(`${levels} levels of l[k+1] = [l[k], l[k]]: each shared list shown once, the tree stays small`, () => {
    const path = join(dir, `shared-${levels}.pkl`);
    const python = writeSharedPickle(path, levels);
    assert.ok(python.bytes < 400);
    const value = loadPickle(readFileSync(path), path);
    const items = openAll(pickleItem('shared', value));
    // Each distinct non-empty list is expandable exactly once; every later appearance of a
    // list (each edge but the first into it) is a reference marker.
    assert.equal(items.filter(item => item.expandable).length, python.nonEmpty);
    const references = items.filter(item => /same object as &\d+: shown once/.test(item.summary));
    assert.equal(references.length, python.edges - (python.distinct - 1));
    assert.ok(items.length < 4 * python.distinct, `${items.length} items for ${python.paths} paths`);
  });
}

test('a node budget bounds the nodes one tree makes, and says so', () => {
  const value = Array.from({ length: 300 }, (_, i) => Array.from({ length: 300 }, (_, j) => i * 300 + j));
  const tree = new PickleDisplayTree('wide', value, { nodeBudget: 1000 });
  const items = openAll(pickleItem('wide', value, { nodeBudget: 1000 }));
  assert.ok(items.length <= 1000 + 300, `${items.length} items`);
  assert.ok(items.some(item => /node budget of 1000 reached/.test(item.summary)));
  assert.equal(tree.children(tree.root).length, 201); // 200 shown, "100 more"
});

test('a 10 MB int is summarised by digit count and leading digits, as Python prints them', () => {
  const small = join(dir, 'int-100k.pkl');
  const big = join(dir, 'int-10mb.pkl');
  const python = runPythonJson<{ digits: number; leading: string }>(
    [
      'import json, pickle, sys',
      'sys.set_int_max_str_digits(0)',
      'n = 7 ** 120000',
      'open(sys.argv[1], "wb").write(pickle.dumps(n, protocol=4))',
      'open(sys.argv[2], "wb").write(pickle.dumps(-(3 ** (8 * 10 * 1024 * 1024 // 2)), protocol=4))',
      'text = str(n)',
      'print(json.dumps({"digits": len(text), "leading": text[:8]}))'
    ].join('\n'),
    [small, big],
    undefined,
    PYTHON
  );
  const summary = pickleItem('n', loadPickle(readFileSync(small), small)).summary;
  assert.equal(summary, `int of about ${python.digits} digits: ${python.leading}…`);
  const huge = pickleItem('n', loadPickle(readFileSync(big), big)).summary;
  assert.match(huge, /^-int of about \d{8} digits: \d{8}…$/);
  // Below Python's 4300-digit limit, the whole number.
  assert.equal(bigIntSummary(2n ** 100n), '1267650600228229401496703205376');
});

test("the pickle worker's service: the 22-level pickle opened node by node over messages, errors by name", () => {
  const path = join(dir, 'shared-service.pkl');
  const python = writeSharedPickle(path, 22);
  const service = new PickleTreeService();
  // Structured clone, as postMessage does: only plain data crosses.
  const send = (request: PickleTreeRequest) => structuredClone(service.handle(structuredClone(request)));
  const opened = send({ id: 1, type: 'open', bytes: readFileSync(path), path, key: 'shared' });
  assert.ok(opened.ok);
  let expandable = 0;
  const stack = [...opened.nodes];
  for (let id = 2; stack.length > 0; id++) {
    const node = stack.pop()!;
    if (!node.expandable) continue;
    expandable++;
    const reply = send({ id, type: 'children', tree: opened.tree, node: node.node });
    assert.ok(reply.ok && reply.id === id);
    stack.push(...reply.nodes);
  }
  assert.equal(expandable, python.nonEmpty);
  const unsafe = send({
    id: 99,
    type: 'open',
    bytes: Buffer.from('cos\nsystem\n(S"echo hi"\ntR.'),
    path: 'evil.pkl',
    key: 'evil'
  });
  assert.ok(
    !unsafe.ok && unsafe.name === 'UnsafePickleError' && /evil\.pkl/.test(unsafe.message),
    JSON.stringify(unsafe)
  );
  send({ id: 100, type: 'close', tree: opened.tree });
  const closed = send({ id: 101, type: 'children', tree: opened.tree, node: 0 });
  assert.ok(!closed.ok && /no node 0 in tree/.test(closed.message));
});
