import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DatasetError,
  FileNotFoundError,
  FormatError,
  type DType,
  type NDArray,
  isDType,
  ndarrayBytes,
  ndarrayFromBytes
} from '../../src/core/index.js';
import { Hdf5File, readHdf5, writeHdf5 } from '../../src/kernel/hdf5.js';
import { PYTHON } from '../helpers/python';

const SCRIPTS = path.resolve(__dirname, '../../../tests/python');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Described {
  dtype: string;
  shape: number[];
  hex: string;
  chunks?: number[] | null;
  compression?: string | null;
  contiguous?: boolean;
  attrs?: number;
}

function python(script: string, ...args: string[]): string {
  return execFileSync(PYTHON, [path.join(SCRIPTS, script), ...args], { encoding: 'utf8' });
}

function hex(array: NDArray): string {
  return Buffer.from(ndarrayBytes(array)).toString('hex');
}

/** h5py's fixtures: every dtype x shape, written by h5py, with the manifest of what it wrote. */
const fixtures = (() => {
  const file = path.join(tmp, 'h5py.hdf5');
  const manifestPath = path.join(tmp, 'h5py.json');
  python('hdf5_write_fixtures.py', file, manifestPath);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, Described>;
  return { file, manifest };
})();

function manifestArray(entry: Described): NDArray {
  assert.ok(isDType(entry.dtype), entry.dtype);
  return ndarrayFromBytes(entry.dtype as DType, entry.shape, Buffer.from(entry.hex, 'hex'));
}

test('reads every dtype and shape h5py writes, bit for bit (NaN, -0.0, inf, int64 extremes, bool, (0,), (8,0))', async () => {
  const names = Object.keys(fixtures.manifest);
  assert.ok(names.length >= 66, 'the fixture covers 11 dtypes x 6 shapes');
  for (const name of names) {
    const expected = fixtures.manifest[name];
    const array = await readHdf5(fixtures.file, name);
    assert.equal(array.dtype, expected.dtype, name);
    assert.deepEqual(array.shape, expected.shape, name);
    assert.equal(hex(array), expected.hex, name);
  }
  const bools = await readHdf5(fixtures.file, 'bool_2d');
  assert.ok(bools.data instanceof Uint8Array);
  const int64 = await readHdf5(fixtures.file, 'int64_special');
  assert.deepEqual([...(int64.data as BigInt64Array)].slice(0, 2), [-(2n ** 63n), 2n ** 63n - 1n]);
});

test('h5py reads everything Hdf5File.create writes: same dtype, shape, bits; contiguous, uncompressed, no attributes', async () => {
  const file = path.join(tmp, 'written.hdf5');
  const h5 = await Hdf5File.open(file, 'w');
  for (const [name, entry] of Object.entries(fixtures.manifest)) {
    h5.create(name, manifestArray(entry));
  }
  h5.close();
  const seen = JSON.parse(python('hdf5_describe.py', file)) as Record<string, Described>;
  assert.deepEqual(Object.keys(seen).sort(), Object.keys(fixtures.manifest).sort());
  for (const [name, entry] of Object.entries(fixtures.manifest)) {
    const got = seen[name];
    assert.equal(got.dtype, entry.dtype, name);
    assert.deepEqual(got.shape, entry.shape, name);
    assert.equal(got.hex, entry.hex, name);
    assert.equal(got.chunks, null, name);
    assert.equal(got.compression, null, name);
    assert.equal(got.contiguous, true, name);
    assert.equal(got.attrs, 0, name);
  }
  // AxoPy (h5py) keeps appending to a file this package wrote, and this package reads it back.
  python('hdf5_append.py', file, 'from_h5py', '4');
  assert.deepEqual([...((await readHdf5(file, 'from_h5py')).data as BigInt64Array)], [0n, 1n, 2n, 3n]);
  assert.equal(hex(await readHdf5(file, 'bool_3d')), fixtures.manifest.bool_3d.hex);
});

test('writeHdf5 creates a missing file, appends to an existing one, and refuses a taken name', async () => {
  const file = path.join(tmp, 'write.hdf5');
  const first = manifestArray(fixtures.manifest.float32_special);
  const second = manifestArray(fixtures.manifest.bool_1d);
  await writeHdf5(file, first);
  await writeHdf5(file, second, '1');
  await assert.rejects(
    writeHdf5(file, first, '1'),
    (error: unknown) => error instanceof DatasetError && error.message.includes(file) && error.message.includes('"1"')
  );
  assert.equal(hex(await readHdf5(file)), fixtures.manifest.float32_special.hex);
  const seen = JSON.parse(python('hdf5_describe.py', file)) as Record<string, Described>;
  assert.deepEqual(Object.keys(seen).sort(), ['1', 'data']);
  assert.equal(seen['1'].dtype, 'bool');
  assert.equal(seen['1'].hex, fixtures.manifest.bool_1d.hex);
});

test('Hdf5File lists, describes and reads root datasets only; mode "a" creates, "r" refuses writes', async () => {
  const file = path.join(tmp, 'file.hdf5');
  const h5 = await Hdf5File.open(file, 'a');
  assert.deepEqual(h5.datasetNames(), []);
  for (const name of ['0', '1', '2', '10']) {
    h5.create(name, { dtype: 'int16', shape: [2, 3], data: new Int16Array(6).fill(Number(name)) });
    h5.flush();
  }
  assert.deepEqual(h5.datasetNames(), ['0', '1', '10', '2']);
  assert.ok(h5.has('10') && !h5.has('3') && !h5.has('a/b'));
  assert.deepEqual(h5.describe('10'), { dtype: 'int16', shape: [2, 3] });
  assert.deepEqual([...(h5.read('10').data as Int16Array)], [10, 10, 10, 10, 10, 10]);
  assert.throws(() => h5.create('x', { dtype: 'int16', shape: [2], data: new Int16Array(3) }), TypeError);
  h5.create('flags', { dtype: 'bool', shape: [3], data: Uint8Array.from([0, 1, 1]) });
  assert.deepEqual(h5.describe('flags'), { dtype: 'bool', shape: [3] }, 'bool reads back as bool in the same session');
  assert.deepEqual([...(h5.read('flags').data as Uint8Array)], [0, 1, 1]);
  h5.create('after', { dtype: 'uint32', shape: [1], data: Uint32Array.from([7]) });
  h5.close();
  const reader = await Hdf5File.open(file, 'r');
  assert.throws(() => reader.create('3', { dtype: 'int8', shape: [1], data: new Int8Array(1) }), DatasetError);
  reader.close();
  assert.throws(() => reader.read('0'), FormatError);
});

test('groups, missing names and non-numeric datasets fail with errors naming file and dataset', async () => {
  const file = path.join(tmp, 'unsupported.hdf5');
  python('hdf5_write_unsupported.py', file);
  const h5 = await Hdf5File.open(file, 'r');
  try {
    assert.deepEqual(h5.datasetNames(), ['ok', 'pairs', 'text']);
    assert.ok(!h5.has('group'));
    const names = (error: unknown, kind: abstract new (...args: never[]) => Error, dataset: string) =>
      error instanceof kind &&
      (error as Error).message.includes(file) &&
      (error as Error).message.includes(`"${dataset}"`);
    assert.throws(
      () => h5.read('group'),
      e => names(e, DatasetError, 'group') && /group/.test((e as Error).message)
    );
    assert.throws(
      () => h5.read('missing'),
      e => names(e, DatasetError, 'missing')
    );
    assert.throws(
      () => h5.read('text'),
      e => names(e, FormatError, 'text') && /string/.test((e as Error).message)
    );
    assert.throws(
      () => h5.describe('pairs'),
      e => names(e, FormatError, 'pairs') && /compound/.test((e as Error).message)
    );
    assert.deepEqual([...(h5.read('ok').data as Float64Array)], [0, 1, 2]);
  } finally {
    h5.close();
  }
});

test('missing, empty, garbage, truncated and bit-flipped files throw cleanly and the module keeps working', async () => {
  const missing = path.join(tmp, 'missing.hdf5');
  await assert.rejects(readHdf5(missing), (e: unknown) => e instanceof FileNotFoundError && e.path === missing);
  const good = fs.readFileSync(fixtures.file);
  const cases: Record<string, Buffer> = {
    'empty.hdf5': Buffer.alloc(0),
    'garbage.hdf5': Buffer.from('not an HDF5 file at all '.repeat(100)),
    'truncated-head.hdf5': good.subarray(0, 100),
    'truncated-half.hdf5': good.subarray(0, good.length >> 1)
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    await assert.rejects(
      readHdf5(file, 'float64_1d'),
      (e: unknown) => e instanceof FormatError && e.path === file,
      name
    );
    if (bytes.length > 0) {
      await assert.rejects(Hdf5File.open(file, 'a'), (e: unknown) => e instanceof FormatError && e.path === file, name);
    }
  }
  // Mode "a" takes an empty file (left by a crash before the first flush) as a new one.
  const empty = await Hdf5File.open(path.join(tmp, 'empty.hdf5'), 'a');
  assert.deepEqual(empty.datasetNames(), []);
  empty.close();
  // Flip one byte in each stretch of the file (metadata and data alike): every read must return
  // an array or throw one of our errors, never crash or throw anything else.
  let failures = 0;
  for (let at = 0; at < good.length; at += 97) {
    const file = path.join(tmp, `flip-${at}.hdf5`);
    const bytes = Buffer.from(good);
    bytes[at] ^= 0xff;
    fs.writeFileSync(file, bytes);
    try {
      const h5 = await Hdf5File.open(file, 'r');
      try {
        for (const name of ['float64_1d', 'bool_2d', 'int64_special']) {
          h5.read(name);
        }
      } finally {
        h5.close();
      }
    } catch (error) {
      assert.ok(error instanceof FormatError || error instanceof DatasetError, `flip at ${at}: ${String(error)}`);
      assert.ok((error as Error).message.includes(file));
      failures++;
    }
    fs.rmSync(file);
  }
  assert.ok(failures > 0, 'some flips must hit metadata');
  assert.equal(hex(await readHdf5(fixtures.file, 'float64_special')), fixtures.manifest.float64_special.hex);
});
