import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as kernel from '../../src/kernel/index.js';
import { makeTempDir, runPython } from '../helpers/python.js';

const GENERATOR = join(__dirname, '..', '..', '..', 'tests', 'python', 'make_malformed_corpus.py');

interface CorpusCase {
  name: string;
  call: string;
  error: string | null;
  file: string | null;
  note: string;
  /** What Python reads from a case that must read fine (absent where the reading differs on purpose). */
  expect?: unknown;
}

/** Every path below `dir` with its size and mtime, to prove nothing was written. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    out.push(`${path} ${stat.size} ${stat.mtimeMs}`);
    if (stat.isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name));
  };
  walk(dir);
  return out;
}

/** The kernel API's result for `call` in the JSON-able form make_malformed_corpus.py gives Python's. */
async function performAsPython(root: string, call: string): Promise<unknown> {
  const result = await perform(root, call);
  if (call === 'trials') {
    const storage = new kernel.Storage(root);
    storage.subjectId = 's1';
    const table = storage.requireTask('t1').trials;
    const columns = table.columnNames();
    if (table.numRows() > 1000) return { columns, rows: table.numRows() };
    const values = Object.fromEntries(
      columns.map(column => [column, Array.from(table.array(column) as ArrayLike<unknown>)])
    );
    return { columns, rows: result, values };
  }
  if (call.startsWith('array:')) {
    const array = result as kernel.NDArray;
    return { dtype: array.dtype, shape: array.shape, values: Array.from(array.data as ArrayLike<number>) };
  }
  if (call.startsWith('pickle:')) {
    return JSON.parse(
      JSON.stringify(result, (_key, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value))
    );
  }
  return result;
}

async function perform(root: string, call: string): Promise<unknown> {
  const storage = new kernel.Storage(root);
  if (call === 'listing') return storage.subjectIds;
  storage.subjectId = 's1';
  const reader = storage.requireTask('t1');
  if (call === 'trials') return reader.trials.numRows();
  if (call.startsWith('array:')) return reader.array(call.slice(6));
  if (call.startsWith('pickle:')) return reader.pickle(call.slice(7));
  throw new Error(`unknown call ${call}`);
}

test('malformed input: typed errors naming the file, nothing executed, nothing written', async t => {
  const { dir, cleanup } = makeTempDir('axopy-malformed-');
  try {
    runPython(readFileSync(GENERATOR, 'utf8'), [dir, ...(process.env.AXOPY_BIG_CORPUS ? ['--big'] : [])]);
    const manifest = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as {
      marker: string;
      cases: CorpusCase[];
    };
    assert.ok(manifest.cases.length >= 30, 'at least 30 cases');
    const compared = manifest.cases.filter(c => c.expect !== undefined).map(c => c.name);
    for (const name of [
      'hdf5-gzip-chunked',
      'hdf5-extra-dataset',
      'csv-bom',
      'csv-crlf',
      'csv-header-only',
      'csv-quoted-wrong',
      'csv-html-cells',
      'pickle-plain-ok'
    ]) {
      assert.ok(compared.includes(name), `${name} is compared with what Python reads`);
    }
    const before = snapshot(dir);
    for (const c of manifest.cases) {
      await t.test(c.name, async () => {
        const root = join(dir, c.name);
        if (c.error === null) {
          if (c.expect === undefined) {
            await assert.doesNotReject(
              Promise.resolve().then(() => perform(root, c.call)),
              c.note
            );
          } else {
            assert.deepEqual(
              await performAsPython(root, c.call),
              c.expect,
              `${c.name}: reads as Python does (${c.note})`
            );
          }
          return;
        }
        const errorClass = (kernel as unknown as Record<string, new (...args: never[]) => Error>)[c.error];
        assert.ok(errorClass, `error class ${c.error} is exported`);
        await assert.rejects(
          Promise.resolve().then(() => perform(root, c.call)),
          (error: Error) => {
            assert.ok(
              error instanceof errorClass,
              `${c.name}: expected ${c.error}, got ${error.name}: ${error.message}`
            );
            assert.ok(error.message.includes(c.file!), `${c.name}: message names ${c.file}: ${error.message}`);
            return true;
          }
        );
      });
    }
    assert.equal(existsSync(manifest.marker), false, 'no pickle payload ran');
    assert.deepEqual(snapshot(dir), before, 'reading wrote nothing');
    const hostile = await perform(join(dir, 'names-hostile'), 'listing');
    assert.deepEqual(hostile, ['<img src=x onerror=alert(1)>', 's1', 'x'.repeat(255), 'émoji 😀']);
    assert.deepEqual(await perform(join(dir, 'symlink-subject-outside-root'), 'listing'), ['s1']);
    const partial = new kernel.TaskReader(join(dir, 'csv-partial-last-line', 's1', 't1'));
    assert.equal(partial.trials.numRows(), 2, 'the line being written is left out');
  } finally {
    cleanup();
  }
});
