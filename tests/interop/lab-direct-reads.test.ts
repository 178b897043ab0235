/**
 * The HDF5 worker's direct reads (src/lab/hdf5/direct-reads.ts through Hdf5RangeReader.readDirect
 * and answerAnalysisRequest) over files written by h5py, with asynchronous Range reads from local
 * files counted: values equal h5py's (little- and big-endian, integers), a chunk of adjacent trials
 * comes in one data request at h5py's offsets, chunked and compressed datasets go through h5wasm,
 * and a flush journal or a file that changed leaves the chunk to h5wasm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, fstatSync, openSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerAnalysisRequest, type IReduceTrialsReply } from '../../src/lab/analysis/worker-handlers.js';
import type { IRemoteFile } from '../../src/lab/hdf5/protocol.js';
import type { IAsyncRangeSource } from '../../src/lab/hdf5/reader.js';
import { JOURNAL_SUFFIX } from '../../src/core/hdf5-journal.js';
import { localFile, nodeHdf5Reader } from '../helpers/hdf5-reader.js';
import { CURRENT_PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python.js';

const TRIALS = 40;
const [CHANNELS, SAMPLES] = [3, 400];

/** Asynchronous Range reads of local files (`file.url` is the path), each recorded. */
function fileSource(): IAsyncRangeSource & { requests: { start: number; end: number }[] } {
  const requests: { start: number; end: number }[] = [];
  return {
    requests,
    async fetchRange(file: IRemoteFile, start: number, end: number) {
      requests.push({ start, end });
      const fd = openSync(file.url, 'r');
      try {
        const stat = fstatSync(fd);
        const bytes = new Uint8Array(Math.max(0, Math.min(end, stat.size) - start));
        const read = bytes.length > 0 ? readSync(fd, bytes, 0, bytes.length, start) : 0;
        return { bytes: bytes.subarray(0, read), total: stat.size, received: read, modified: stat.mtime.toUTCString() };
      } finally {
        closeSync(fd);
      }
    },
    async journalExists(file: IRemoteFile) {
      return existsSync(`${file.url}${JOURNAL_SUFFIX}`);
    }
  };
}

const { dir: base } = makeTempDir('axopy-direct-reads-');
// Trials '0'..: little-endian float64; 'be<i>': big-endian float64; 'i<i>': big-endian int32;
// 'c<i>': chunked; 'z<i>': gzip. Values, data offsets and sizes as h5py gives them.
const written = runPythonJson<{ values: Record<string, number[][]>; offsets: Record<string, [number, number]> }>(
  `
import sys, json, numpy as np, h5py
rng = np.random.default_rng(7)
values, offsets = {}, {}
with h5py.File(sys.argv[1], 'w') as f:
    for i in range(${TRIALS}):
        f.create_dataset(str(i), data=rng.standard_normal((${CHANNELS}, ${SAMPLES})) + i)
    for i in range(3):
        f.create_dataset('be%d' % i, data=rng.standard_normal((${CHANNELS}, ${SAMPLES})).astype('>f8'))
        f.create_dataset('i%d' % i, data=rng.integers(-1000, 1000, (${CHANNELS}, ${SAMPLES})).astype('>i4'))
        f.create_dataset('c%d' % i, data=rng.standard_normal((${CHANNELS}, ${SAMPLES})), chunks=(1, 100))
        f.create_dataset('z%d' % i, data=rng.standard_normal((${CHANNELS}, ${SAMPLES})), compression='gzip')
with h5py.File(sys.argv[1], 'r') as f:
    for name in f:
        values[name] = f[name][()].astype(float).tolist()
        offset = f[name].id.get_offset()
        offsets[name] = [-1 if offset is None else offset, f[name].id.get_storage_size()]
print(json.dumps({'values': values, 'offsets': offsets}))
`,
  [join(base, 'emg.hdf5')],
  undefined,
  CURRENT_PYTHON
);

function assertValues(name: string, data: ArrayLike<number | bigint>): void {
  const expected = written.values[name].flat();
  assert.equal(data.length, expected.length, name);
  for (let i = 0; i < expected.length; i++) assert.equal(Number(data[i]), expected[i], `${name}[${i}]`);
}

test('direct reads give h5py values; a chunk of adjacent trials is one data request at h5py offsets', async () => {
  const { reader } = await nodeHdf5Reader();
  const source = fileSource();
  const remote = localFile(base, 'emg.hdf5');
  const names = Array.from({ length: 20 }, (_, i) => String(i));
  // A file's first chunk is h5wasm's (drawn without waiting for the links): nothing fetched.
  assert.equal((await reader.readDirect(remote, names, source)).size, 0);
  assert.equal(source.requests.length, 0);
  const read = await reader.readDirect(remote, names, source);
  assert.deepEqual([...read.keys()].sort(), [...names].sort());
  for (const name of names) {
    assert.deepEqual(read.get(name)!.shape, [CHANNELS, SAMPLES]);
    assertValues(name, read.get(name)!.data);
  }
  // The last request is the data: from trial 0's first byte to trial 19's last, per h5py.
  const data = source.requests[source.requests.length - 1];
  assert.deepEqual(data, { start: written.offsets['0'][0], end: written.offsets['19'][0] + written.offsets['19'][1] });
  const headerRequests = source.requests.slice(0, -1);
  assert.ok(
    headerRequests.length >= 1 && headerRequests.every(r => r.end - r.start <= 20 * 1024),
    JSON.stringify(headerRequests)
  );
  // Headers: a window of 1 KiB per object header at most (merged where they touch).
  const headerBytes = headerRequests.reduce((sum, r) => sum + r.end - r.start, 0);
  assert.ok(headerBytes <= 20 * 1024, `${headerBytes} header bytes: ${JSON.stringify(headerRequests)}`);
  // Read again (plans kept): only the one data request.
  source.requests.length = 0;
  await reader.readDirect(remote, names, source);
  assert.equal(source.requests.length, 1);
});

test('big-endian floats and integers are read directly, swapped; chunked and compressed are left to h5wasm', async () => {
  const { reader } = await nodeHdf5Reader();
  const source = fileSource();
  const names = ['be0', 'be1', 'be2', 'i0', 'i1', 'i2', 'c0', 'c1', 'z0', 'z1'];
  await reader.readDirect(localFile(base, 'emg.hdf5'), [], source);
  const read = await reader.readDirect(localFile(base, 'emg.hdf5'), names, source);
  assert.deepEqual([...read.keys()].sort(), ['be0', 'be1', 'be2', 'i0', 'i1', 'i2']);
  for (const [name, trial] of read) assertValues(name, trial.data);
  assert.ok(read.get('i0')!.data instanceof Int32Array);
});

async function reduce(
  names: string[],
  source: IAsyncRangeSource,
  file = 'emg.hdf5'
): Promise<{ reply: IReduceTrialsReply; direct: number; viaHdf5: number }> {
  const { reader, requests } = await nodeHdf5Reader();
  const remote = localFile(base, file);
  await reader.readDirect(remote, [], source);
  let direct = 0;
  let reply: IReduceTrialsReply | undefined;
  const rows = names.map(Number);
  await answerAnalysisRequest(
    {
      id: 1,
      op: 'reduceTrials',
      file: remote,
      chunk: {
        trials: rows.map(row => ({ row, atom: 0 })),
        filter: {},
        sampleRate: 1000,
        overlayColumns: 50,
        overlayRows: [],
        imageColumns: 0
      }
    },
    {
      read: (r, d) => reader.read(r, d),
      scanning<T>(r: IRemoteFile, a: number, s: () => T): T {
        return reader.scanning(r, a, s);
      },
      readDirect: async (r, n) => {
        const got = await reader.readDirect(r, n, source);
        direct += got.size;
        return got;
      },
      bytesFetched: r => reader.bytesFetched(r)
    },
    r => (reply = r)
  );
  return { reply: reply!, direct, viaHdf5: requests.length };
}

test('a reduced chunk read directly equals numpy; its bytes count in the reply', async () => {
  const names = Array.from({ length: TRIALS }, (_, i) => String(i));
  const source = fileSource();
  const { reply, direct } = await reduce(names, source);
  assert.equal(direct, TRIALS);
  const expected = written.values;
  const mean = reply.reduced.atoms[0].mean;
  for (let k = 0; k < CHANNELS * SAMPLES; k += 97) {
    const sum = names.reduce((s, n) => s + expected[n].flat()[k], 0);
    assert.ok(Math.abs(mean[k] - sum / TRIALS) < 1e-9, `mean[${k}]`);
  }
  const moved = source.requests.reduce((sum, r) => sum + r.end - r.start, 0);
  assert.ok(reply.bytesFetched >= moved, `${reply.bytesFetched} >= ${moved}`);
});

test('a flush journal beside the file, or a file that grew, leaves the chunk to h5wasm', async () => {
  const copy = join(base, 'live.hdf5');
  writeFileSync(copy, new Uint8Array(0));
  runPython(
    `import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])`,
    [join(base, 'emg.hdf5'), copy],
    CURRENT_PYTHON
  );
  const { reader } = await nodeHdf5Reader();
  const names = ['0', '1', '2'];
  let source = fileSource();
  await reader.readDirect(localFile(base, 'live.hdf5'), [], source);
  writeFileSync(`${copy}${JOURNAL_SUFFIX}`, 'x');
  assert.equal((await reader.readDirect(localFile(base, 'live.hdf5'), names, source)).size, 0);
  assert.equal(source.requests.length, 0);
  runPython(`import os, sys; os.remove(sys.argv[1])`, [`${copy}${JOURNAL_SUFFIX}`], CURRENT_PYTHON);
  const remote = localFile(base, 'live.hdf5');
  assert.equal((await reader.readDirect(remote, names, fileSource())).size, 3);
  // The same version as the reader opened it, but the file grew: nothing direct.
  appendFileSync(copy, new Uint8Array(4096));
  source = fileSource();
  assert.equal((await reader.readDirect(remote, ['3', '4'], source)).size, 0);
  assert.ok(statSync(copy).size > 0);
});
