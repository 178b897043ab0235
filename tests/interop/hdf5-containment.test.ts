/**
 * HDF5 files that reach outside their box (issue 13): external raw storage, external links and
 * virtual datasets pointing at files outside the storage root; declared-shape bombs; a scalar;
 * an lzf-compressed dataset. Written by h5py (tests/python/write_hdf5_escapes.py) with both
 * interpreters; what h5py reads is the reference where reading is allowed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetRefusedError, FormatError } from '../../src/core/errors.js';
import { ndarrayBytes } from '../../src/core/dtype.js';
import { readHdf5 } from '../../src/kernel/hdf5.js';
import { TaskReader } from '../../src/kernel/task-reader.js';
import { LruBlockCache } from '../../src/lab/hdf5/lru-blocks.js';
import { datasetRefusalInWorker } from '../../src/lab/hdf5/dataset-guard.js';
import { localFile, nodeHdf5Reader } from '../helpers/hdf5-reader.js';
import { valueAsTypedArray } from '../../src/core/hdf5-containment.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir } from '../helpers/python.js';
import { errorNaming } from '../helpers/errors.js';
import { execFileSync } from 'node:child_process';

const WRITER = path.resolve(__dirname, '../../../tests/python/write_hdf5_escapes.py');

const importH5wasm = () => import('h5wasm/node');
type H5wasm = Awaited<ReturnType<typeof importH5wasm>>;
let h5wasmLoading: Promise<H5wasm> | undefined;
function loadH5wasm(): Promise<H5wasm> {
  h5wasmLoading ??= importH5wasm().then(async module => {
    await module.ready;
    (module.Module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return module;
  });
  return h5wasmLoading;
}

interface Expected {
  dtype?: string;
  shape?: number[];
  hex?: string | null;
  error?: string;
  fileBytes: number;
}

function hexOf(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');
}

/** A worker's view of the file: its bytes through the preview's block cache. */
function blockCacheOf(filePath: string): LruBlockCache {
  const bytes = fs.readFileSync(filePath);
  const cache = new LruBlockCache({
    length: bytes.length,
    blockSize: 512,
    maxBlocks: 4,
    fetchRange: (start, end) => bytes.subarray(start, end)
  });
  return cache;
}

for (const [label, python] of [
  ['h5py 3.8 (axopy venv)', PYTHON],
  ['current h5py', CURRENT_PYTHON]
] as const) {
  describe(`HDF5 data outside its file, written by ${label}`, () => {
    const { dir, cleanup } = makeTempDir('axopy-escapes-');
    after(cleanup);
    const manifest = JSON.parse(execFileSync(python, [WRITER, dir], { encoding: 'utf8' })) as Record<string, Expected>;
    const task = path.join(dir, 'root', 'p', 't');
    const file = (name: string): string => path.join(task, `${name}.hdf5`);
    const reader = new TaskReader(task);

    const outside: [string, RegExp][] = [
      ['external_raw', /external file\(s\) .*secret\.bin: external storage is not read/],
      ['external_raw_v2', /external file\(s\) .*secret\.bin: external storage is not read/],
      ['external_link', /external link to "\/0" in .*target\.hdf5/],
      ['virtual', /virtual dataset \(data mapped from .*target\.hdf5\)/]
    ];
    for (const [name, reason] of outside) {
      test(`${name}: trialArray, array, iterArray and readHdf5 refuse it, naming file, dataset and why`, async () => {
        const naming = errorNaming(DatasetRefusedError, file(name), new RegExp(`dataset "0" .*${reason.source}`));
        await assert.rejects(reader.trialArray(name, 0), naming);
        await assert.rejects(reader.array(name), naming);
        await assert.rejects(async () => {
          for await (const _ of reader.iterArray(name)) void _;
        }, naming);
        await assert.rejects(readHdf5(file(name), '0'), naming);
        // The file's other, plain dataset still reads.
        assert.deepEqual(Array.from((await reader.trialArray(name, 1)).data as Float64Array), [0, 1, 2]);
      });

      test(`${name}: allowExternalData reads what h5py reads`, async () => {
        const array = await readHdf5(file(name), '0', { allowExternalData: true });
        assert.equal(hexOf(ndarrayBytes(array)), manifest[name].hex);
        assert.deepEqual(array.shape, manifest[name].shape);
      });

      test(`${name}: the workers' rule (h5wasm Module + block cache) refuses it too`, async () => {
        const h5wasm = await loadH5wasm();
        const h5 = new h5wasm.File(file(name), 'r');
        try {
          const refusal = datasetRefusalInWorker(h5wasm.Module, h5.file_id, '0', blockCacheOf(file(name)));
          assert.match(refusal ?? '', reason);
          assert.equal(datasetRefusalInWorker(h5wasm.Module, h5.file_id, '1', blockCacheOf(file(name))), undefined);
          // The browser's reader (the worker's code, over the local file): the count is a typed
          // refusal naming the dataset and why, the read a DatasetRefusedError, the description
          // (Check Dataset) carries the reason.
          const { reader: browser } = await nodeHdf5Reader();
          const remote = localFile(task, `${name}.hdf5`);
          const counted = browser.count(remote);
          assert.ok('refused' in counted, 'refused');
          assert.equal(counted.refused.dataset, '0');
          assert.match(counted.refused.reason, reason);
          assert.throws(
            () => browser.read(remote, '0'),
            errorNaming(DatasetRefusedError, `${name}.hdf5`, new RegExp(`dataset "0" .*${reason.source}`))
          );
          assert.match(browser.describe(remote).datasets.find(d => d.name === '0')?.refused ?? '', reason);
        } finally {
          h5.close();
        }
      });
    }

    test('a declared 2 GiB contiguous dataset in a 2 KB file is refused before any allocation', async () => {
      assert.ok(manifest.bomb_contiguous.fileBytes < 4096);
      assert.deepEqual(manifest.bomb_contiguous.shape, [2 ** 28]);
      await assert.rejects(
        reader.trialArray('bomb_contiguous', 0),
        errorNaming(DatasetRefusedError, file('bomb_contiguous'), /declares 2\.0 GiB .*more than the 1\.0 GiB/)
      );
      // Under a larger limit, the file-size rule still holds: contiguous data lies in the file.
      reader.hdf5Limits = { maxDatasetBytes: 2 ** 40 };
      try {
        await assert.rejects(
          reader.trialArray('bomb_contiguous', 0),
          errorNaming(
            DatasetRefusedError,
            file('bomb_contiguous'),
            /declares 2\.0 GiB .* but its file holds only 2\.0 KiB/
          )
        );
      } finally {
        reader.hdf5Limits = {};
      }
      await assert.rejects(readHdf5(file('bomb_contiguous'), '0', { maxDatasetBytes: 2 ** 40 }), FormatError);
    });

    test('a 2^62-element chunked dataset is refused with a typed error (h5py: MemoryError)', async () => {
      assert.match(manifest.bomb_chunked.error ?? '', /MemoryError/);
      await assert.rejects(
        reader.trialArray('bomb_chunked', 0),
        errorNaming(
          DatasetRefusedError,
          file('bomb_chunked'),
          /declares more than 2\^53 bytes \(\[2147483648, 2147483648\] x 1 bytes\)/
        )
      );
      const h5wasm = await loadH5wasm();
      const h5 = new h5wasm.File(file('bomb_chunked'), 'r');
      try {
        assert.match(
          datasetRefusalInWorker(h5wasm.Module, h5.file_id, '0', blockCacheOf(file('bomb_chunked'))) ?? '',
          /declares more than 2\^53 bytes/
        );
      } finally {
        h5.close();
      }
    });

    test('a scalar dataset reads as h5py reads it, and travels to the page as a one-element array', async () => {
      const array = await reader.trialArray('scalar', 0);
      assert.deepEqual(array.shape, manifest.scalar.shape);
      assert.equal(hexOf(ndarrayBytes(array)), manifest.scalar.hex);
      const h5wasm = await loadH5wasm();
      const h5 = new h5wasm.File(file('scalar'), 'r');
      try {
        const dataset = h5.get('0') as InstanceType<H5wasm['Dataset']>;
        const metadata = dataset.metadata;
        const view = valueAsTypedArray(dataset.value, metadata.size, metadata.type, metadata.signed);
        assert.equal(hexOf(view), manifest.scalar.hex);
        // What postMessage does with the reply's data and its transfer list.
        const sent = structuredClone(view, { transfer: [view.buffer as ArrayBuffer] }) as Float64Array;
        assert.deepEqual(Array.from(sent), [3.5]);
        const { reader: browser } = await nodeHdf5Reader();
        assert.deepEqual(browser.count(localFile(task, 'scalar.hdf5')), {
          count: 2,
          bytesFetched: fs.statSync(file('scalar')).size
        });
      } finally {
        h5.close();
      }
    });

    test('an lzf dataset: the error names the missing filter, not a build path; gzip reads', async () => {
      await assert.rejects(reader.trialArray('lzf', 0), (error: unknown) => {
        errorNaming(
          DatasetRefusedError,
          file('lzf'),
          /compressed with lzf \(filter id 32000\), which this reader does not include/
        )(error);
        assert.doesNotMatch((error as Error).message, /__w|plugin/);
        return true;
      });
      const gzip = await reader.trialArray('gzip', 0);
      assert.equal(hexOf(ndarrayBytes(gzip)), manifest.gzip.hex);
      const plain = await reader.trialArray('plain', 0);
      assert.equal(hexOf(ndarrayBytes(plain)), manifest.plain.hex);
    });

    test('files without escapes count as before in the browser reader; a bomb or lzf is refused on read and flagged for Check Dataset', async () => {
      const { reader: browser } = await nodeHdf5Reader();
      for (const name of ['plain', 'gzip', 'lzf', 'bomb_contiguous']) {
        const counted = browser.count(localFile(task, `${name}.hdf5`));
        assert.ok('count' in counted && counted.count === 2, `${name}: ${JSON.stringify(counted)}`);
      }
      for (const [name, reason] of [
        ['lzf', /compressed with lzf/],
        ['bomb_contiguous', /declares 2\.0 GiB/]
      ] as const) {
        const remote = localFile(task, `${name}.hdf5`);
        assert.throws(() => browser.read(remote, '0'), errorNaming(DatasetRefusedError, `${name}.hdf5`, reason));
        assert.match(browser.describe(remote).datasets.find(d => d.name === '0')?.refused ?? '', reason);
      }
    });
  });
}
