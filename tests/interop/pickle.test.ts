import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  dumpPickle,
  loadPickle,
  PyComplex,
  PyFrozenSet,
  PyObject,
  pyFloat,
  pyTuple,
  UnsafePickleError,
  type PickleValue
} from '../../src/core/index.js';
import { PYTHON } from '../helpers/python';

const CORPUS_SCRIPT = path.resolve(__dirname, '../../../tests/python/pickle_corpus.py');

function python(...args: string[]): string {
  return execFileSync(PYTHON, [CORPUS_SCRIPT, ...args], { encoding: 'utf8' });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pickle-interop-'));
}

function calibration(): PyObject {
  const instance = new PyObject('__main__.Calibration');
  instance.state = { gain: 2.5, channels: [1, 2] };
  return instance;
}

/** The JS form of each value in pickle_corpus.py CASES (checked both ways). */
const CASES: Record<string, PickleValue> = {
  none: null,
  true: true,
  false: false,
  zero: 0,
  minus_one: -1,
  two_pow_31: 2 ** 31,
  int64_max: 2n ** 63n - 1n,
  two_pow_64: 2n ** 64n,
  neg_two_pow_70: -(2n ** 70n),
  int_edges: [
    255,
    256,
    65535,
    65536,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 53,
    2n ** 53n + 1n,
    -(2 ** 53),
    -(2n ** 53n) - 1n
  ],
  huge_int: 3n ** 1400n,
  tenth: 0.1,
  neg_zero: -0,
  inf: Infinity,
  neg_inf: -Infinity,
  nan: NaN,
  empty_str: '',
  unicode: 'é€😀',
  escapes: 'a\\b\nc\x00\r\x1a"\' \u20ac',
  lone_surrogate: 'x\ud800y',
  long_str: 'é'.repeat(200),
  bytes: Uint8Array.of(0, 255, 97, 98, 10),
  long_bytes: Uint8Array.from({ length: 512 }, (_, i) => i % 256),
  nested: [1, pyTuple(2, 'a'), { k: [null, pyTuple(true)] }, [], pyTuple()],
  long_tuple: pyTuple(1, 2, 3, 4, 5),
  long_list: Array.from({ length: 2500 }, (_, i) => i),
  int_keys: new Map<PickleValue, PickleValue>([
    [1, 'a'],
    [2, 'b']
  ]),
  mixed_keys: new Map<PickleValue, PickleValue>([
    ['a', 1],
    [pyTuple(1, 2), 't'],
    [null, 0]
  ]),
  proto_key: JSON.parse('{"__proto__": 1, "a": 2}'),
  set: new Set([1, 2, 3]),
  frozenset: new PyFrozenSet(['a']),
  complex: new PyComplex(1, 2),
  float64_2d: { dtype: 'float64', shape: [2, 3], data: Float64Array.of(0, 0.25, 0.5, 0.75, 1, 1.25) },
  int16_1d: { dtype: 'int16', shape: [3], data: Int16Array.of(-3, 0, 32767) },
  bool_1d: { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) },
  bool_2d: { dtype: 'bool', shape: [2, 2], data: Uint8Array.of(1, 0, 0, 1) },
  int64_1d: { dtype: 'int64', shape: [2], data: BigInt64Array.of(-(2n ** 62n), 5n) },
  uint8_2d: { dtype: 'uint8', shape: [2, 2], data: Uint8Array.of(0, 255, 7, 8) },
  float32_1d: { dtype: 'float32', shape: [2], data: Float32Array.of(0.5, -1.25) },
  empty_array: { dtype: 'float64', shape: [0], data: new Float64Array(0) },
  fortran_2d: { dtype: 'int32', shape: [2, 3], data: Int32Array.of(0, 1, 2, 3, 4, 5) },
  calibration_dict: {
    gains: { dtype: 'float64', shape: [2], data: Float64Array.of(1, 2) },
    names: ['a', 'b'],
    offset: 3
  },
  instance: calibration()
};

/** pickle_corpus.py READ_ONLY: what loadPickle returns for them. */
const READ_ONLY: Record<string, PickleValue> = {
  ordered_dict: { b: 1, a: 2 },
  integral_float: 2,
  bytearray: Uint8Array.of(120, 121),
  big_endian: { dtype: 'int32', shape: [2], data: Int32Array.of(1, -2) },
  numpy_scalars: [1.5, 2n ** 60n, -3, true]
};

/** pickle_corpus.py WRITE_ONLY: the JS values written for them. */
const WRITE_ONLY: Record<string, unknown> = {
  py_float: pyFloat(2),
  small_bigint: 5n,
  typed_array: Float32Array.of(1.5, 2.5),
  undefined_value: { a: undefined },
  map_str_keys: new Map([['x', 1]])
};

const corpus = tempDir();
python('write', corpus);
const PROTOCOLS = [0, 1, 2, 3, 4, 5];
const readCorpus = (name: string, protocol: number) => {
  const file = path.join(corpus, `${name}.p${protocol}.pkl`);
  return loadPickle(fs.readFileSync(file), file);
};

test('reads what Python pickles, protocols 0 to 5', () => {
  for (const [name, expected] of Object.entries({ ...CASES, ...READ_ONLY })) {
    for (const protocol of PROTOCOLS) {
      assert.deepStrictEqual(readCorpus(name, protocol), expected, `${name} protocol ${protocol}`);
    }
  }
});

test('reads tuples as frozen PyTuples and str-keyed dicts as plain objects', () => {
  const nested = readCorpus('nested', 4) as PickleValue[];
  assert.ok(Object.isFrozen(nested[1]));
  assert.equal(Object.getPrototypeOf(nested[2]), Object.prototype);
  const protoKey = readCorpus('proto_key', 4) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(protoKey), Object.prototype, '__proto__ stays a key');
  assert.deepEqual(Object.keys(protoKey), ['__proto__', 'a']);
});

test('keeps shared and cyclic references', () => {
  for (const protocol of PROTOCOLS) {
    const shared = readCorpus('shared', protocol) as PickleValue[][];
    assert.deepStrictEqual(shared, [[1], [1]]);
    assert.equal(shared[0], shared[1], `protocol ${protocol}`);
    const cyclic = readCorpus('cyclic', protocol) as PickleValue[];
    assert.equal(cyclic.length, 1);
    assert.equal(cyclic[0], cyclic, `protocol ${protocol}`);
  }
});

test('keeps numpy arrays of other dtypes as inert placeholders', () => {
  const strings = readCorpus('string_array', 4);
  assert.ok(strings instanceof PyObject);
  assert.equal(strings.__class__, 'numpy.ndarray');
});

test('writes pickles Python loads equal to the expected values', () => {
  const out = tempDir();
  const shared = [1];
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const values = { ...CASES, ...WRITE_ONLY, shared: [shared, shared], cyclic };
  for (const [name, value] of Object.entries(values)) {
    fs.writeFileSync(path.join(out, `${name}.pkl`), dumpPickle(value, name));
  }
  const verdicts = JSON.parse(python('check', out)) as Record<string, string>;
  assert.deepStrictEqual(Object.keys(verdicts).sort(), Object.keys(values).sort());
  for (const [name, verdict] of Object.entries(verdicts)) assert.equal(verdict, 'ok', name);
});

test('refuses a pickle whose __reduce__ is os.system, and runs nothing', () => {
  const dir = tempDir();
  const marker = path.join(dir, 'pwned');
  python('evil', dir, `touch ${marker}`);
  const evil = path.join(dir, 'evil.pkl');
  assert.throws(
    () => loadPickle(fs.readFileSync(evil), evil),
    (error: unknown) =>
      error instanceof UnsafePickleError && error.path === evil && /posix\.system|os\.system/.test(error.message)
  );
  assert.equal(fs.existsSync(marker), false);
});
