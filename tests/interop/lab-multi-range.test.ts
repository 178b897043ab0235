/**
 * The worker's multi-range reads (src/lab/hdf5/multi-range.ts) against a real Jupyter server
 * running this checkout's server extension (jupyterlab_axopy/range_handlers.py): the parts equal
 * the file's bytes in the order asked, a server that ignores ranges (plain /files/) still gives
 * the right parts, a range the file lacks is refused naming the file, and the reader's direct
 * reads of 2000 trials written by h5py give h5py's values with the root tree in a few requests
 * instead of one per node.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fetchByteRanges, MultiRangeError, SIBLING_HEADER, type IByteRange } from '../../src/lab/hdf5/multi-range.js';
import type { IAsyncRangeSource } from '../../src/lab/hdf5/reader.js';
import type { IRemoteFile } from '../../src/lab/hdf5/protocol.js';
import { JOURNAL_SUFFIX, journalFileName } from '../../src/core/hdf5-journal.js';
import { localFile, nodeHdf5Reader } from '../helpers/hdf5-reader.js';
import { CURRENT_PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';

const REPO = resolve(__dirname, '..', '..', '..');
const TOKEN = randomBytes(16).toString('hex');
const [TRIALS, CHANNELS, SAMPLES] = [2000, 2, 50];
const { dir } = makeTempDir('axopy-multi-range-');
const root = join(dir, 'root');
let server: ChildProcess | undefined;
let base = '';

const written = (() => {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'noise.bin'), randomBytes(3 * 1024 * 1024 + 17));
  return runPythonJson<{ values: number[][][] }>(
    `
import sys, json, numpy as np, h5py
rng = np.random.default_rng(3)
with h5py.File(sys.argv[1], 'w') as f:
    for i in range(${TRIALS}):
        f.create_dataset(str(i), data=rng.standard_normal((${CHANNELS}, ${SAMPLES})))
with h5py.File(sys.argv[1], 'r') as f:
    print(json.dumps({'values': [f[str(i)][()].tolist() for i in range(${TRIALS})]}))
`,
    [join(root, 'emg.hdf5')],
    undefined,
    CURRENT_PYTHON
  );
})();

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

before(async () => {
  const config = join(dir, 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'jupyter_server_config.json'),
    JSON.stringify({ ServerApp: { jpserver_extensions: { jupyterlab_axopy: true } } })
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    join(resolve(CURRENT_PYTHON, '..'), 'jupyter'),
    [
      'server',
      '--no-browser',
      '--allow-root',
      `--port=${port}`,
      '--ip=127.0.0.1',
      `--IdentityProvider.token=${TOKEN}`,
      `--ServerApp.root_dir=${root}`
    ],
    { env: { ...process.env, PYTHONPATH: REPO, JUPYTER_CONFIG_DIR: config }, stdio: 'ignore' }
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/status`, { headers: auth })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || server.exitCode !== null) throw new Error('jupyter server did not start');
    await new Promise(done => setTimeout(done, 200));
  }
});

after(() => {
  server?.kill();
});

const auth = { Authorization: `token ${TOKEN}` };

/** Node's fetch, each request counted with the Range it asked for. */
function countingFetch(): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const counted = ((input: string | URL | Request, init?: RequestInit) => {
    requests.push(new Headers(init?.headers).get('Range') ?? '');
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: counted, requests };
}

test('many ranges in one request: the parts are the file bytes, in the order asked', async () => {
  const file = readFileSync(join(root, 'noise.bin'));
  const ranges: IByteRange[] = [
    { start: 2_000_000, end: 2_000_100 },
    { start: 0, end: 1 },
    { start: 4096, end: 10_240 },
    { start: 5000, end: 6000 },
    { start: file.length - 10, end: file.length + 500 }
  ];
  const counting = countingFetch();
  const got = await fetchByteRanges(counting.fetch, `${base}/jupyterlab-axopy/files/noise.bin`, auth, ranges);
  assert.equal(counting.requests.length, 1);
  assert.ok(got.every(part => part.total === file.length));
  ranges.forEach(({ start, end }, i) =>
    assert.deepEqual(Buffer.from(got[i].bytes), file.subarray(start, Math.min(end, file.length)), `range ${i}`)
  );
  assert.ok(got.every(part => part.modified !== undefined));
});

test('more ranges than one request takes are split into several, the parts still in order', async () => {
  const file = readFileSync(join(root, 'noise.bin'));
  const ranges = Array.from({ length: 1500 }, (_, i) => ({
    start: (i * 1999) % file.length,
    end: ((i * 1999) % file.length) + 7
  }));
  const counting = countingFetch();
  const got = await fetchByteRanges(counting.fetch, `${base}/jupyterlab-axopy/files/noise.bin`, auth, ranges);
  assert.equal(counting.requests.length, 2);
  ranges.forEach(({ start, end }, i) => assert.deepEqual(Buffer.from(got[i].bytes), file.subarray(start, end)));
});

test('a server that answers with the whole file (plain /files/ ignores many ranges) still gives the parts', async () => {
  const file = readFileSync(join(root, 'noise.bin'));
  const ranges = [
    { start: 10, end: 20 },
    { start: 3, end: 5 }
  ];
  const got = await fetchByteRanges(fetch, `${base}/files/noise.bin`, auth, ranges);
  ranges.forEach(({ start, end }, i) => assert.deepEqual(Buffer.from(got[i].bytes), file.subarray(start, end)));
});

test('a range past the end of the file is refused, naming the file', async () => {
  const size = readFileSync(join(root, 'noise.bin')).length;
  await assert.rejects(
    fetchByteRanges(fetch, `${base}/jupyterlab-axopy/files/noise.bin`, auth, [
      { start: 0, end: 10 },
      { start: size + 5, end: size + 10 }
    ]),
    (error: Error) => error instanceof MultiRangeError && /416/.test(error.message) && /noise\.bin/.test(error.message)
  );
});

test("asked about the file's journal, every response says whether it lies beside the file; unasked or /files/, none says", async () => {
  const ranges = [
    { start: 0, end: 10 },
    { start: 100, end: 200 }
  ];
  const asked = { ...auth, [SIBLING_HEADER]: journalFileName('noise.bin') };
  const url = `${base}/jupyterlab-axopy/files/noise.bin`;
  const journal = join(root, journalFileName('noise.bin'));
  assert.deepEqual(
    (await fetchByteRanges(fetch, url, asked, ranges)).map(part => part.sibling),
    [false, false]
  );
  writeFileSync(journal, 'a batch being committed');
  try {
    assert.deepEqual(
      (await fetchByteRanges(fetch, url, asked, ranges)).map(part => part.sibling),
      [true, true]
    );
    // One range (the data of a chunk) is answered by /files/'s own code, and says it too.
    assert.equal((await fetchByteRanges(fetch, url, asked, ranges.slice(0, 1)))[0].sibling, true);
    assert.equal((await fetchByteRanges(fetch, url, auth, ranges))[0].sibling, undefined);
    assert.equal((await fetchByteRanges(fetch, `${base}/files/noise.bin`, asked, ranges))[0].sibling, undefined);
  } finally {
    rmSync(journal);
  }
});

/** The worker's asynchronous source over HTTP, with or without the multi-range endpoint; requests counted. */
function httpSource(multiRange: boolean): IAsyncRangeSource & { requests: string[] } {
  const counting = countingFetch();
  const headers = (file: IRemoteFile) => ({ ...auth, 'X-Path': file.path });
  const source: IAsyncRangeSource & { requests: string[] } = {
    requests: counting.requests,
    async fetchRange(file, start, end) {
      const response = await counting.fetch(`${base}/files/${file.path}`, {
        headers: { ...headers(file), Range: `bytes=${start}-${end - 1}` }
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const total = Number(/\/(\d+)$/.exec(response.headers.get('Content-Range') ?? '')?.[1] ?? bytes.length);
      return { bytes, total, received: bytes.length, modified: response.headers.get('Last-Modified') ?? undefined };
    },
    async journalExists(file) {
      return existsSync(`${file.url}${JOURNAL_SUFFIX}`);
    }
  };
  if (multiRange)
    source.fetchRanges = (file, ranges) =>
      fetchByteRanges(counting.fetch, `${base}/jupyterlab-axopy/files/${file.path}`, headers(file), ranges);
  return source;
}

test('direct reads of 2000 h5py trials through the endpoint: h5py values, the root tree in a few requests', async () => {
  const counts: Record<string, number> = {};
  for (const multiRange of [true, false]) {
    const { reader } = await nodeHdf5Reader();
    const source = httpSource(multiRange);
    const remote = { ...localFile(root, 'emg.hdf5'), multiRangeUrl: multiRange ? 'endpoint' : undefined };
    if (!multiRange) await reader.readDirect(remote, [], source); // without it, the first chunk is h5wasm's
    for (let first = 0; first < TRIALS; first += 500) {
      const names = Array.from({ length: 500 }, (_, i) => String(first + i));
      const read = await reader.readDirect(remote, names, source);
      assert.equal(read.size, names.length);
      for (const name of names)
        assert.deepEqual(Array.from(read.get(name)!.data), written.values[Number(name)].flat(), name);
    }
    counts[multiRange ? 'multi' : 'single'] = source.requests.length;
  }
  // h5py scatters the tree's nodes over the file: one request each without the endpoint.
  assert.ok(counts.single > 100, JSON.stringify(counts));
  assert.ok(counts.multi <= 15, JSON.stringify(counts));
});
