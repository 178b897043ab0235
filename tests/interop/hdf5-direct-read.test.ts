/**
 * Direct reads (core/hdf5-direct-read.ts, kernel/hdf5-direct.ts): datasets h5py (current and
 * AxoPy's), real AxoPy and our writer store read back bit for bit as h5py reads them, and go
 * straight from the file exactly when h5py says their layout is contiguous (bool, chunked and
 * gzip datasets through h5wasm), counted by `hdf5ReadCounts`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetRefusedError, type NDArray, ndarrayBytes } from '../../src/core/index.js';
import { Hdf5File, hdf5ReadCounts } from '../../src/kernel/hdf5.js';
import { Storage } from '../../src/kernel/index.js';
import { journalPathFor } from '../../src/kernel/hdf5-journal.js';
import { planDirectRead, readRootLinks } from '../../src/core/hdf5-direct-read.js';
import { ObjectHeaderError, readSuperblock } from '../../src/core/hdf5-object-header.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python';

const tmp = makeTempDir('axopy-direct-read-');
after(tmp.cleanup);

interface Expected {
  dtype: string;
  shape: number[];
  hex: string;
  /** h5py's own view: contiguous layout, not bool (h5py's enum). */
  direct: boolean;
}

/** Expected values, written and read by h5py: dtype in native order, little-endian bytes. */
const DESCRIBE = `
import json, sys, h5py, numpy as np
def describe(path):
    out = {}
    with h5py.File(path, 'r') as f:
        for name, obj in f.items():
            if not isinstance(obj, h5py.Dataset) or name.startswith('ext'):
                continue
            a = obj[()]
            a = np.asarray(a)
            contiguous = obj.id.get_create_plist().get_layout() == h5py.h5d.CONTIGUOUS
            out[name] = {'dtype': str(a.dtype.newbyteorder('=')), 'shape': list(a.shape),
                         'hex': a.astype(a.dtype.newbyteorder('<')).tobytes().hex(),
                         'direct': bool(contiguous and a.dtype.kind != 'b')}
    return out
`;

const WRITE = `${DESCRIBE}
out_dir, libver = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
with h5py.File(f'{out_dir}/elsewhere.hdf5', 'w') as f:
    f['data'] = np.arange(4.0)
path = f'{out_dir}/mixed-{libver}.hdf5'
with h5py.File(path, 'w', libver=libver) as f:
    for dt in ['<f8', '<f4', '<i2', '<i4', '<i8', '|u1', '<u2', '>f8', '>f4', '>i2', '>i4', '>i8', '>u2', 'bool']:
        base = rng.standard_normal(24) * 1000
        base[:3] = [np.nan, -0.0, np.inf] if dt[1] == 'f' else [0, 1, 2]
        values = base.astype(dt) if dt != 'bool' else base > 0
        tag = dt.replace('<', 'le_').replace('>', 'be_').replace('|', '')
        f.create_dataset(f'{tag}_1d', data=values)
        f.create_dataset(f'{tag}_2d', data=values.reshape(4, 6))
        f.create_dataset(f'{tag}_3d', data=values.reshape(2, 3, 4))
        f.create_dataset(f'{tag}_empty', data=values[:0])
        f.create_dataset(f'{tag}_empty2d', data=np.zeros((8, 0), dtype=values.dtype))
        f.create_dataset(f'{tag}_scalar', data=values[5])
    f.create_dataset('chunked', data=rng.standard_normal((4, 6)), chunks=(2, 6))
    f.create_dataset('gzip', data=rng.standard_normal((40, 6)), compression='gzip')
    f['soft'] = h5py.SoftLink('/le_f8_2d')
    f['ext'] = h5py.ExternalLink('elsewhere.hdf5', '/data')
many = {}
for count in (9, 1200):
    many[count] = f'{out_dir}/many{count}-{libver}.hdf5'
    with h5py.File(many[count], 'w', libver=libver) as f:
        for i in range(count):
            f.create_dataset(str(i), data=np.arange(3, dtype='<f8') + i)
print(json.dumps({'files': [path, many[9], many[1200]], 'expected': [describe(p) for p in [path, many[9], many[1200]]]}))
`;

function hex(array: NDArray): string {
  return Buffer.from(ndarrayBytes(array)).toString('hex');
}

/** Reads every expected dataset of `file`, comparing values and which path each read took. */
async function checkFile(
  file: string,
  expected: Record<string, Expected>
): Promise<{ direct: number; viaHdf5: number }> {
  const h5 = await Hdf5File.open(file, 'r');
  const total = { direct: 0, viaHdf5: 0 };
  try {
    for (const [name, want] of Object.entries(expected)) {
      const before = { ...hdf5ReadCounts };
      assert.deepEqual(h5.describe(name), { dtype: want.dtype, shape: want.shape }, `${file} ${name}`);
      const array = h5.read(name);
      assert.equal(array.dtype, want.dtype, `${file} ${name}`);
      assert.deepEqual(array.shape, want.shape, `${file} ${name}`);
      assert.equal(hex(array), want.hex, `${file} ${name}`);
      const direct = hdf5ReadCounts.direct - before.direct;
      const viaHdf5 = hdf5ReadCounts.viaHdf5 - before.viaHdf5;
      const bytes = want.hex.length / 2;
      // An empty dataset has nothing to read through h5wasm.
      assert.deepEqual(
        { direct, viaHdf5 },
        want.direct ? { direct: 1, viaHdf5: 0 } : { direct: 0, viaHdf5: bytes > 0 ? 1 : 0 },
        `${file} ${name}: read path`
      );
      total.direct += direct;
      total.viaHdf5 += viaHdf5;
    }
  } finally {
    h5.close();
  }
  return total;
}

for (const [label, python] of [
  ['current h5py (.venv)', CURRENT_PYTHON],
  ["AxoPy's h5py (.venv-axopy)", PYTHON]
] as const) {
  for (const libver of ['earliest', 'latest']) {
    test(`${label}, libver=${libver}: every dtype, byte order and shape reads as h5py reads it; contiguous ones straight from the file`, async () => {
      const dir = path.join(tmp.dir, `${label.replace(/\W+/g, '-')}${libver}`);
      fs.mkdirSync(dir);
      const { files, expected } = runPythonJson<{ files: string[]; expected: Record<string, Expected>[] }>(
        WRITE,
        [dir, libver],
        undefined,
        python
      );
      const [mixed, nine, many] = files;
      assert.ok(Object.keys(expected[0]).length >= 86, 'the mixed file covers 14 dtypes x 6 shapes, chunked, gzip');
      assert.equal(expected[0].le_f8_2d.direct, true, 'h5py stores a plain dataset contiguous');
      assert.equal(expected[0].chunked.direct, false);
      assert.equal(expected[0].gzip.direct, false);
      const counts = await checkFile(mixed, expected[0]);
      assert.ok(counts.direct >= 70 && counts.viaHdf5 >= 6, JSON.stringify(counts));
      // Dense link storage (libver latest, > 8 links) and old-style groups of any size.
      assert.equal((await checkFile(nine, expected[1])).direct, 9);
      assert.equal((await checkFile(many, expected[2])).direct, 1200);
      const h5 = await Hdf5File.open(mixed, 'r');
      try {
        assert.equal(hex(h5.read('soft')), expected[0].le_f8_2d.hex, 'a soft link reads its target');
        assert.throws(
          () => h5.read('ext'),
          (error: Error) => error instanceof DatasetRefusedError && /external link/.test(error.message)
        );
      } finally {
        h5.close();
      }
    });
  }
}

test('files our writer wrote read back straight from the file as h5py reads them', async () => {
  const file = path.join(tmp.dir, 'ours.hdf5');
  const h5 = await Hdf5File.open(file, 'w');
  h5.create('f8', { dtype: 'float64', shape: [2, 3], data: Float64Array.from([NaN, -0, Infinity, 1.5, -2, 1e-310]) });
  h5.create('f4', { dtype: 'float32', shape: [3], data: Float32Array.from([1.25, -0, NaN]) });
  h5.create('i8', { dtype: 'int64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) });
  h5.create('u2', { dtype: 'uint16', shape: [1, 2, 2], data: Uint16Array.from([0, 1, 65535, 7]) });
  h5.create('i2', { dtype: 'int16', shape: [0], data: new Int16Array(0) });
  h5.create('flags', { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) });
  h5.close();
  const expected = runPythonJson<Record<string, Expected>>(
    `${DESCRIBE}\nprint(json.dumps(describe(sys.argv[1])))`,
    [file],
    undefined,
    CURRENT_PYTHON
  );
  assert.deepEqual(Object.keys(expected).sort(), ['f4', 'f8', 'flags', 'i2', 'i8', 'u2']);
  assert.deepEqual(await checkFile(file, expected), { direct: 5, viaHdf5: 1 });
});

test("TaskReader.array and epochs of a task the real AxoPy wrote: h5py's bytes, every trial straight from the file", async () => {
  const root = path.join(tmp.dir, 'axopy-root');
  const trials = 30;
  const realAxopy = path.resolve(__dirname, '../../../tests/python/real_axopy.py');
  runPython(
    `import runpy, sys; script = sys.argv[1]; sys.argv = [script, 'bench'] + sys.argv[2:]; runpy.run_path(script, run_name='__main__')`,
    [realAxopy, root, String(trials)]
  );
  const digest = runPython(
    `import sys, hashlib, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    a = np.vstack([f[str(i)][()] for i in range(int(sys.argv[2]))])
print(hashlib.sha256(a.astype('<f8').tobytes()).hexdigest(), a.shape[0], a.shape[1])`,
    [path.join(root, 's1', 'bench', 'emg.hdf5'), String(trials)],
    CURRENT_PYTHON
  )
    .trim()
    .split(' ');
  const storage = new Storage(root, { readOnly: true });
  storage.subjectId = 's1';
  const reader = storage.requireTask('bench');
  const before = { ...hdf5ReadCounts };
  const stacked = await reader.array('emg');
  assert.deepEqual(stacked.shape, [Number(digest[1]), Number(digest[2])]);
  assert.equal(createHash('sha256').update(ndarrayBytes(stacked)).digest('hex'), digest[0]);
  const epochs = await reader.epochs('emg');
  assert.deepEqual(epochs.data.shape, [trials, 8, 2000]);
  assert.equal(createHash('sha256').update(ndarrayBytes(epochs.data)).digest('hex'), digest[0]);
  assert.deepEqual(
    { direct: hdf5ReadCounts.direct - before.direct, viaHdf5: hdf5ReadCounts.viaHdf5 - before.viaHdf5 },
    { direct: 2 * trials, viaHdf5: 0 }
  );
});

test('the direct plan applies the containment rule: external raw storage is left to the checked path, a contiguous bomb is refused by the plan itself', async () => {
  const dir = path.join(tmp.dir, 'escapes');
  const writer = path.resolve(__dirname, '../../../tests/python/write_hdf5_escapes.py');
  runPython(
    `import runpy, sys; script = sys.argv[1]; sys.argv = sys.argv[1:]; runpy.run_path(script, run_name='__main__')`,
    [writer, dir],
    CURRENT_PYTHON
  );
  const task = path.join(dir, 'root', 'p', 't');
  const parsed = (name: string) => {
    const bytes = fs.readFileSync(path.join(task, `${name}.hdf5`));
    const readAt = (offset: number, length: number): Uint8Array => bytes.subarray(offset, offset + length);
    const superblock = readSuperblock(readAt);
    return { bytes, readAt, superblock, links: readRootLinks(readAt, superblock) };
  };
  const planOf = (name: string, limits = {}): ReturnType<typeof planDirectRead> => {
    const { bytes, readAt, superblock, links } = parsed(name);
    assert.ok(links?.has('0'), `${name}: root links parsed`);
    return planDirectRead(readAt, superblock, links!.get('0')!, bytes.length, limits);
  };
  assert.deepEqual(planOf('external_raw'), {}, 'external storage: no direct plan');
  // libver latest: a group of the newer format, whose addresses HDF5 gives.
  assert.equal(parsed('external_raw_v2').links, undefined);
  for (const name of ['external_raw', 'external_raw_v2']) {
    const h5 = await Hdf5File.open(path.join(task, `${name}.hdf5`), 'r');
    try {
      assert.throws(
        () => h5.read('0'),
        (error: Error) => error instanceof DatasetRefusedError && /external file/.test(error.message)
      );
      assert.deepEqual([...(h5.read('1').data as Float64Array)], [0, 1, 2], 'its plain neighbour still reads');
    } finally {
      h5.close();
    }
  }
  assert.match(planOf('bomb_contiguous').refusal ?? '', /declares 2\.0 GiB .*more than the 1\.0 GiB/);
  assert.match(planOf('bomb_contiguous', { maxDatasetBytes: 2 ** 40 }).refusal ?? '', /but its file holds only/);
});

test('a flush journal beside the file (a commit under way) sends reads through h5wasm, with the same values', async () => {
  const file = path.join(tmp.dir, 'busy.hdf5');
  const h5 = await Hdf5File.open(file, 'w');
  h5.create('0', { dtype: 'float64', shape: [2], data: Float64Array.from([1.5, -2]) });
  h5.close();
  fs.writeFileSync(journalPathFor(file), '');
  try {
    const reader = await Hdf5File.open(file, 'r');
    const before = { ...hdf5ReadCounts };
    try {
      assert.deepEqual([...(reader.read('0').data as Float64Array)], [1.5, -2]);
    } finally {
      reader.close();
    }
    assert.deepEqual(
      { direct: hdf5ReadCounts.direct - before.direct, viaHdf5: hdf5ReadCounts.viaHdf5 - before.viaHdf5 },
      { direct: 0, viaHdf5: 1 }
    );
  } finally {
    fs.rmSync(journalPathFor(file));
  }
});

test('damaged metadata: the parser throws only ObjectHeaderError and never plans a read outside the file', () => {
  const file = path.join(tmp.dir, 'fuzz.hdf5');
  runPython(
    `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    for i in range(40):
        f.create_dataset(str(i), data=np.arange(6, dtype='>i4').reshape(2, 3) + i)
    f.create_dataset('chunked', data=np.arange(8.0), chunks=(4,))`,
    [file],
    CURRENT_PYTHON
  );
  const original = fs.readFileSync(file);
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  let plans = 0;
  for (let round = 0; round < 400; round++) {
    const bytes = Buffer.from(original);
    for (let flips = 1 + (next() % 4); flips > 0; flips--) bytes[next() % bytes.length] ^= 1 << (next() % 8);
    const readAt = (offset: number, length: number): Uint8Array => bytes.subarray(offset, offset + length);
    try {
      const superblock = readSuperblock(readAt);
      for (const address of readRootLinks(readAt, superblock)?.values() ?? []) {
        try {
          const { plan } = planDirectRead(readAt, superblock, address, bytes.length);
          if (plan === undefined) continue;
          plans += 1;
          assert.ok(
            plan.position >= 0 && plan.position + plan.byteCount <= bytes.length,
            `round ${round}: plan inside the file`
          );
          assert.equal(plan.byteCount, plan.shape.reduce((a, b) => a * b, 1) * plan.elementBytes);
        } catch (error) {
          if (!(error instanceof ObjectHeaderError)) throw error;
        }
      }
    } catch (error) {
      if (!(error instanceof ObjectHeaderError)) throw error;
    }
  }
  assert.ok(plans > 1000, `most damaged files still plan their intact datasets (${plans})`);
});
