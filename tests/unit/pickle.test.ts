import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorNaming } from '../helpers/errors.js';
import {
  dumpPickle,
  FormatError,
  loadPickle,
  PyComplex,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  PyTuple,
  pyFloat,
  pyTuple,
  ValueFormatError,
  type PickleValue
} from '../../src/core/index.js';

/** Pickle bytes from latin-1 text pieces ("\x80\x04", "cos\nsystem\n") and byte arrays. */
function pickleBytes(...parts: Array<string | number[]>): Uint8Array {
  return Uint8Array.from(
    parts.flatMap(part => (typeof part === 'string' ? [...part].map(ch => ch.charCodeAt(0)) : part))
  );
}

const load = (...parts: Array<string | number[]>) => loadPickle(pickleBytes(...parts), 'test.pkl');

test('round-trips plain data through dumpPickle and loadPickle', () => {
  const values: PickleValue[] = [
    null,
    true,
    false,
    0,
    1,
    -1,
    255,
    256,
    65535,
    65536,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    2 ** 53,
    -(2 ** 53),
    2n ** 53n + 1n,
    -(2n ** 64n),
    2n ** 2100n,
    0.5,
    -0,
    NaN,
    Infinity,
    1e300,
    '',
    'x'.repeat(300),
    'é€😀',
    'a\ud800',
    new Uint8Array(0),
    Uint8Array.of(1, 2, 3),
    new Uint8Array(300).fill(7),
    [],
    [1, [2, [3]]],
    Array.from({ length: 2001 }, (_, i) => i),
    pyTuple(),
    pyTuple(1),
    pyTuple(1, 2),
    pyTuple(1, 2, 3),
    pyTuple(1, 2, 3, 4),
    {},
    { a: 1, b: { c: 'd' } },
    new Map<PickleValue, PickleValue>([
      [1, 'one'],
      [pyTuple(1, 'x'), null],
      [2n ** 70n, true]
    ]),
    new Set(['a', 1]),
    new Set(Array.from({ length: 1500 }, (_, i) => i)),
    new PyFrozenSet([1, 2]),
    new PyComplex(0.5, -1),
    new PyGlobal('collections', 'OrderedDict'),
    { dtype: 'uint16', shape: [2, 2], data: Uint16Array.of(1, 2, 3, 65535) },
    { dtype: 'uint64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
    { dtype: 'float32', shape: [2, 0, 3], data: new Float32Array(0) }
  ];
  for (const value of values) assert.deepStrictEqual(loadPickle(dumpPickle(value), 'x.pkl'), value);
});

test('writes integral numbers as int and everything else as float', () => {
  const floats = (value: unknown) => [...dumpPickle(value)].includes(0x47); // BINFLOAT
  assert.equal(floats(2), false);
  assert.equal(floats(pyFloat(2)), true);
  assert.equal(floats(-0), true);
  assert.equal(floats(2 ** 60), true, 'beyond 2**53 a number can only have come from a float');
  assert.equal(floats(2n ** 60n), false);
  assert.equal(loadPickle(dumpPickle(pyFloat(2)), 'x.pkl'), 2);
});

test('round-trips placeholders of unknown classes', () => {
  const instance = new PyObject('mymodule.Calibration', [1]);
  instance.state = { gain: 2 };
  instance.listItems.push('item');
  instance.dictItems.set('k', 'v');
  assert.deepStrictEqual(loadPickle(dumpPickle(instance), 'x.pkl'), instance);
});

test('keeps shared and cyclic references when writing', () => {
  const shared = { a: 1 };
  const cyclic: PickleValue[] = [];
  cyclic.push(cyclic);
  const dict: Record<string, PickleValue> = {};
  dict.self = dict;
  const [first, second, list, loopedDict] = loadPickle(
    dumpPickle([shared, shared, cyclic, dict]),
    'x.pkl'
  ) as PickleValue[];
  assert.equal(first, second);
  assert.equal((list as PickleValue[])[0], list);
  assert.equal((loopedDict as Record<string, PickleValue>).self, loopedDict);
});

test('writes a tuple that contains itself through a list like Python does', () => {
  const list: PickleValue[] = [];
  const tuple = pyTuple(list);
  list.push(tuple);
  const loaded = loadPickle(dumpPickle(tuple), 'x.pkl') as PyTuple;
  assert.ok(loaded instanceof PyTuple);
  assert.equal((loaded[0] as PickleValue[])[0], loaded);
});

test('refuses values Python has no form for', () => {
  for (const bad of [
    () => 1,
    Symbol('s'),
    new Date(0),
    [new Map([[[1], 2]])],
    new Set([[1]]),
    new Uint8ClampedArray(1)
  ]) {
    assert.throws(() => dumpPickle(bad, 'out.pkl'), ValueFormatError);
  }
  assert.throws(() => dumpPickle({ dtype: 'float64', shape: [3], data: new Float64Array(2) }), /holds 3 elements/);
});

test('reads protocol 0 text opcodes', () => {
  assert.equal(load('I42\n.'), 42);
  assert.equal(load('I01\n.'), true);
  assert.equal(load('I00\n.'), false);
  assert.equal(load('L-99999999999999999999L\n.'), -99999999999999999999n);
  assert.equal(load('F1.5\n.'), 1.5);
  assert.equal(load('F-inf\n.'), -Infinity);
  assert.ok(Number.isNaN(load('Fnan\n.')));
  assert.equal(load("S'a\\n\\x41\\''\n."), "a\nA'");
  assert.equal(load('Va\\u20acb\\U0001f600\n.'), 'a€b😀');
  assert.deepStrictEqual(load('(I1\nI2\nl.'), [1, 2]);
  assert.deepStrictEqual(load('(I1\nI2\nt.'), pyTuple(1, 2));
  assert.deepStrictEqual(load('(Va\nI1\nd.'), { a: 1 });
  const sharedTwice = load('(lp0\nI1\na(g0\ng0\nt.') as PyTuple;
  assert.deepStrictEqual(sharedTwice, pyTuple([1], [1]));
  assert.equal(sharedTwice[0], sharedTwice[1], 'PUT/GET keep identity');
});

test('reads protocol 1 and 2 binary opcodes', () => {
  assert.equal(load('J', [0xfe, 0xff, 0xff, 0xff], '.'), -2);
  assert.equal(load('K', [200], '.'), 200);
  assert.equal(load('M', [0x34, 0x12], '.'), 0x1234);
  assert.equal(load('G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], '.'), 1.5);
  assert.equal(load('\x80\x02\x8a\x01\xff.'), -1);
  assert.equal(load('\x80\x02\x8a\x00.'), 0);
  assert.equal(load('\x80\x02\x8a\x09', [0, 0, 0, 0, 0, 0, 0, 0, 1], '.'), 2n ** 64n);
  assert.equal(load('\x80\x02\x8b', [2, 0, 0, 0], [0, 0x80], '.'), -32768);
  assert.equal(load('U\x02ab.'), 'ab');
  assert.equal(load('T', [1, 0, 0, 0], 'z.'), 'z');
  assert.equal(load('X', [2, 0, 0, 0], [0xc3, 0xa9], '.'), 'é');
  assert.deepStrictEqual(
    load('\x80\x02K\x01K\x02K\x03\x87K\x04\x85\x88\x89\x86N)\x87.'),
    pyTuple(pyTuple(true, false), null, pyTuple())
  );
  assert.deepStrictEqual(load('\x80\x02K\x01K\x02K\x03\x87.'), pyTuple(1, 2, 3));
  assert.deepStrictEqual(load('\x80\x02K\x04\x85.'), pyTuple(4));
  assert.deepStrictEqual(load('\x80\x02]q\x00(K\x01K\x02eh\x00K\x03a0.'), [1, 2, 3], 'APPENDS, BINGET, APPEND, POP');
  assert.deepStrictEqual(load('\x80\x02}(U\x01aK\x01U\x01bK\x02uU\x01cK\x03s.'), { a: 1, b: 2, c: 3 });
  assert.deepStrictEqual(load('\x80\x02K\x01(K\x02K\x031.'), 1, 'POP_MARK drops back to the MARK');
  assert.deepStrictEqual(load('\x80\x02K\x01K\x022\x86.'), pyTuple(2, 2), 'DUP');
});

test('reads protocol 3 to 5 opcodes, with or without frames', () => {
  assert.deepStrictEqual(load('\x80\x03C\x02ab.'), Uint8Array.of(97, 98));
  assert.deepStrictEqual(load('\x80\x03B', [1, 0, 0, 0], 'z.'), Uint8Array.of(122));
  assert.deepStrictEqual(load('\x80\x04\x8e', [1, 0, 0, 0, 0, 0, 0, 0], 'z.'), Uint8Array.of(122));
  assert.equal(load('\x80\x04\x95', [3, 0, 0, 0, 0, 0, 0, 0], '\x8c\x01a.'), 'a');
  assert.equal(load('\x80\x04\x8d', [1, 0, 0, 0, 0, 0, 0, 0], 'b.'), 'b');
  assert.deepStrictEqual(load('\x80\x04\x8f\x94(K\x01K\x02\x90.'), new Set([1, 2]));
  assert.deepStrictEqual(load('\x80\x04(K\x01\x91.'), new PyFrozenSet([1]));
  assert.deepStrictEqual(load('\x80\x05\x96', [1, 0, 0, 0, 0, 0, 0, 0], 'z\x98.'), Uint8Array.of(122));
  assert.throws(() => load('\x80\x05\x97.'), errorNaming(FormatError, 'test.pkl'), 'out-of-band buffers');
});

test('reads instances of unknown classes as inert placeholders', () => {
  // mymod.Thing() with state {'x': 1}, via NEWOBJ (protocol 2+) and NEWOBJ_EX (protocol 4).
  const expected = new PyObject('mymod.Thing');
  expected.state = { x: 1 };
  assert.deepStrictEqual(load('\x80\x02cmymod\nThing\n)\x81}U\x01xK\x01sb.'), expected);
  assert.deepStrictEqual(load('\x80\x04\x8c\x05mymod\x8c\x05Thing\x93)}\x92}\x8c\x01xK\x01sb.'), expected);
  const asGlobal = load('\x80\x02cmymod\nhelper\n.');
  assert.deepStrictEqual(asGlobal, new PyGlobal('mymod', 'helper'));
});

test('reports truncated and malformed pickles as FormatError naming the file', () => {
  const valid = dumpPickle({ a: [1, 2.5, 'x', Uint8Array.of(1)], b: pyTuple(2n ** 70n) });
  for (let end = 0; end < valid.length; end++) {
    assert.throws(
      () => loadPickle(valid.subarray(0, end), 'cut.pkl'),
      (error: unknown) => error instanceof FormatError && /^cut\.pkl: /.test(error.message),
      `cut at ${end}`
    );
  }
  for (const bad of [
    '\xff.',
    '\x80\x06N.',
    'a.',
    't.',
    'h\x05.',
    'I1x\n.',
    '(]K\x01s.',
    '(]]\x91.',
    '\x80\x02K\x01\x85K\x01\x81.'
  ]) {
    assert.throws(() => load(bad), errorNaming(FormatError, 'test.pkl'), JSON.stringify(bad));
  }
});

test('never fails with anything but a typed error on corrupted bytes', () => {
  const valid = dumpPickle([
    { a: 1, b: [pyTuple(1, 'x'), new Set([2])] },
    { dtype: 'int16', shape: [2], data: Int16Array.of(1, 2) },
    'é',
    2n ** 80n
  ]);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 3000; round++) {
    const corrupted = valid.slice();
    corrupted[Math.floor(random() * corrupted.length)] = Math.floor(random() * 256);
    try {
      loadPickle(corrupted, 'fuzz.pkl');
    } catch (error) {
      assert.ok(error instanceof FormatError, `round ${round}: ${String(error)}`);
    }
  }
});
