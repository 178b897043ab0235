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
  // Headers: from the file's head when it holds them (this small file's do), else fetched.
  const headerRequests = source.requests.slice(0, -1);
  assert.ok(
    headerRequests.every(r => r.end - r.start <= 20 * 1024),
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

test('a chunk whose holes add at most 1/64 of its data is one request (one buffer); a larger hole splits it', async () => {
  // h5py writes each dataset's data where it is created: a pad dataset between two trials is a
  // hole in the trials' bytes, of its size. Offsets and sizes as h5py gives them.
  const file = join(base, 'holes.hdf5');
  const layout = runPythonJson<{ offsets: [number, number][] }>(
    `
import sys, json, numpy as np, h5py
rng = np.random.default_rng(3)
with h5py.File(sys.argv[1], 'w') as f:
    for i in range(100):
        f.create_dataset(str(i), data=rng.standard_normal((8, 2000)))
        if i == 20: f.create_dataset('pad_small', data=np.zeros(40 * 1024, dtype='u1'))
        if i == 70: f.create_dataset('pad_large', data=np.zeros(1024 * 1024, dtype='u1'))
with h5py.File(sys.argv[1], 'r') as f:
    print(json.dumps({'offsets': [[f[str(i)].id.get_offset(), f[str(i)].id.get_storage_size()] for i in range(100)]}))
`,
    [file],
    undefined,
    CURRENT_PYTHON
  );
  const { reader } = await nodeHdf5Reader();
  const source = fileSource();
  const remote = localFile(base, 'holes.hdf5');
  const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
  await reader.readDirect(remote, names(0, 50), source); // the first chunk is h5wasm's
  // What h5py's offsets say of each chunk: its data bytes and the holes between its trials.
  const holes = (from: number, to: number) => {
    const spans = layout.offsets.slice(from, to).sort((a, b) => a[0] - b[0]);
    const data = spans.reduce((sum, [, size]) => sum + size, 0);
    const gaps = spans.slice(1).map(([offset], i) => offset - (spans[i][0] + spans[i][1]));
    return { data, gaps, start: spans[0][0], end: spans[spans.length - 1][0] + spans[spans.length - 1][1] };
  };
  const small = holes(0, 50);
  assert.ok(Math.max(...small.gaps) > 16 * 1024 && small.gaps.reduce((a, b) => a + b, 0) <= small.data / 64);
  source.requests.length = 0;
  assert.equal((await reader.readDirect(remote, names(0, 50), source)).size, 50);
  const dataRequests = (chunk: { start: number; end: number }) =>
    source.requests.filter(r => r.start >= chunk.start && r.end <= chunk.end && r.end - r.start > 1024 * 1024);
  assert.deepEqual(dataRequests(small), [{ start: small.start, end: small.end }]);
  const large = holes(50, 100);
  assert.ok(large.gaps.reduce((a, b) => a + b, 0) > large.data / 64);
  source.requests.length = 0;
  const read = await reader.readDirect(remote, names(50, 100), source);
  assert.equal(read.size, 50);
  // Split at the large hole only: no request carries it.
  const requests = dataRequests(large);
  assert.equal(requests.length, 2, JSON.stringify(requests));
  const hole = large.gaps.findIndex(gap => gap >= 1024 * 1024);
  const [before, after] = [layout.offsets[50 + hole], layout.offsets[51 + hole]];
  assert.ok(requests.every(r => r.end <= before[0] + before[1] || r.start >= after[0]));
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

test('where the responses say whether a journal lies beside the file (the endpoint), they are the check: no listing', async () => {
  const copy = join(base, 'said.hdf5');
  runPython(
    `import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])`,
    [join(base, 'emg.hdf5'), copy],
    CURRENT_PYTHON
  );
  const { reader } = await nodeHdf5Reader();
  // The endpoint's answer, as the server makes it: whether the journal exists when it answers.
  let listings = 0;
  let saying = true;
  const files = fileSource();
  const source: IAsyncRangeSource = {
    async fetchRange(file, start, end) {
      const response = await files.fetchRange(file, start, end);
      return saying ? { ...response, journal: existsSync(`${file.url}${JOURNAL_SUFFIX}`) } : response;
    },
    async journalExists(file) {
      listings++;
      return files.journalExists(file);
    }
  };
  const remote = { ...localFile(base, 'said.hdf5'), multiRangeUrl: 'the endpoint' };
  const first = await reader.readDirect(remote, ['0', '1', '2'], source);
  assert.equal(first.size, 3);
  assertValues('2', first.get('2')!.data);
  assert.equal(listings, 0);
  // A writer committing: the responses say so, and the chunk is left to h5wasm.
  writeFileSync(`${copy}${JOURNAL_SUFFIX}`, 'x');
  assert.equal((await reader.readDirect(remote, ['5', '6'], source)).size, 0);
  assert.equal(listings, 0);
  runPython(`import os, sys; os.remove(sys.argv[1])`, [`${copy}${JOURNAL_SUFFIX}`], CURRENT_PYTHON);
  const after = await reader.readDirect(remote, ['5', '6'], source);
  assert.equal(after.size, 2);
  assertValues('6', after.get('6')!.data);
  // Responses that do not say (a server without the answer): the listing tells, as without the endpoint.
  saying = false;
  writeFileSync(`${copy}${JOURNAL_SUFFIX}`, 'x');
  assert.equal((await reader.readDirect(remote, ['7', '8'], source)).size, 0);
  assert.ok(listings > 0);
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
  // A journal that appears once the links are known (checked beside the chunk's requests): the
  // chunk is discarded; once the commit is over, the next chunk reads h5py's values again.
  writeFileSync(`${copy}${JOURNAL_SUFFIX}`, 'x');
  assert.equal((await reader.readDirect(remote, ['5', '6'], fileSource())).size, 0);
  runPython(`import os, sys; os.remove(sys.argv[1])`, [`${copy}${JOURNAL_SUFFIX}`], CURRENT_PYTHON);
  const after = await reader.readDirect(remote, ['5', '6'], fileSource());
  assert.equal(after.size, 2);
  assertValues('6', after.get('6')!.data);
  // The same version as the reader opened it, but the file grew: nothing direct.
  appendFileSync(copy, new Uint8Array(4096));
  source = fileSource();
  assert.equal((await reader.readDirect(remote, ['3', '4'], source)).size, 0);
  assert.ok(statSync(copy).size > 0);
});

test('2000 trials: the link table comes in a few batches of parallel requests (fewer when h5wasm holds its nodes), then a chunk of 50 is one data request', async () => {
  const many = join(base, 'many.hdf5');
  // h5py scatters the root group's tree nodes between the trials' data; offsets and sizes as h5py gives them.
  const layout = runPythonJson<{ offsets: [number, number][]; samples: Record<string, number[][]> }>(
    `
import sys, json, numpy as np, h5py
rng = np.random.default_rng(11)
with h5py.File(sys.argv[1], 'w') as f:
    for i in range(2000):
        f.create_dataset(str(i), data=rng.standard_normal((4, 500)))
with h5py.File(sys.argv[1], 'r') as f:
    print(json.dumps({'offsets': [[f[str(i)].id.get_offset(), f[str(i)].id.get_storage_size()] for i in range(2000)],
                      'samples': {str(i): f[str(i)][()].tolist() for i in (0, 777, 1999)}}))
`,
    [many],
    undefined,
    CURRENT_PYTHON
  );
  const { reader } = await nodeHdf5Reader();
  const remote = localFile(base, 'many.hdf5');
  const requests: { start: number; end: number; batch: number }[] = [];
  let resolved = 0;
  const counted = fileSource();
  const source: IAsyncRangeSource = {
    journalExists: file => counted.journalExists(file),
    fetchRange(file, start, end) {
      // Requests issued before any earlier one resolved share a batch (one round trip).
      requests.push({ start, end, batch: resolved });
      const response = counted.fetchRange(file, start, end);
      void response.then(() => resolved++);
      return response;
    }
  };
  const chunk = (from: number) => Array.from({ length: 50 }, (_, i) => String(from + i));
  await reader.readDirect(remote, chunk(0), source); // the first chunk is h5wasm's
  assert.equal(requests.length, 0);
  const first = await reader.readDirect(remote, chunk(50), source);
  assert.equal(first.size, 50);
  // Link table, headers and data: a handful of round trips (one per level of the group's tree),
  // however many nodes the tree has.
  const batches = new Set(requests.map(r => r.batch)).size;
  assert.ok(batches <= 8, `${batches} round trips for the links, headers and data of one chunk`);
  const treeRequests = requests.length;
  // Every later chunk of 50 adjacent trials: its data in one request from its first trial's
  // first byte (h5py's offsets), split only where h5py left a hole (a heap moved as it grew);
  // header windows only for the few headers not fetched with the tree's nodes.
  let moved = 0;
  let chunkRequests = 0;
  for (let from = 100; from < 2000; from += 50) {
    requests.length = 0;
    const read = await reader.readDirect(remote, chunk(from), source);
    assert.equal(read.size, 50, `chunk from ${from}`);
    const end = layout.offsets[from + 49][0] + layout.offsets[from + 49][1];
    assert.ok(
      requests.some(r => r.end === end) && requests.some(r => r.start === layout.offsets[from][0]),
      `chunk from ${from}`
    );
    assert.ok(requests.length <= 3, `chunk from ${from}: ${JSON.stringify(requests)}`);
    chunkRequests += requests.length;
    moved += requests.reduce((sum, r) => sum + r.end - r.start, 0);
    for (const name of ['777', '1999'].filter(n => Number(n) >= from && Number(n) < from + 50)) {
      assert.deepEqual(Array.from(read.get(name)!.data as Float64Array), layout.samples[name].flat(), name);
    }
  }
  assert.ok(chunkRequests <= 2 * 38, `${chunkRequests} requests for 38 chunks`);
  // A reader whose h5wasm listed the datasets first (a preview's describe walks the same tree
  // through its block cache): the tree nodes it holds are not fetched again.
  const { reader: warm } = await nodeHdf5Reader();
  assert.equal(warm.describe(remote).datasets.length, 2000);
  await warm.readDirect(remote, chunk(0), source);
  requests.length = 0;
  const warmRead = await warm.readDirect(remote, chunk(50), source);
  assert.equal(warmRead.size, 50);
  assert.deepEqual(Array.from(warmRead.get('50')!.data as Float64Array).length, 4 * 500);
  assert.ok(
    requests.length < treeRequests / 2,
    `${requests.length} requests with the tree in the block cache, ${treeRequests} without`
  );
  const trialBytes = layout.offsets.slice(100).reduce((sum, [, size]) => sum + size, 0);
  assert.ok(moved <= 1.05 * trialBytes, `${moved} bytes moved for ${trialBytes} bytes of trials`);
  assert.ok(treeRequests < 600, `${treeRequests} requests for the first direct chunk`);
});
