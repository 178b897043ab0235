/**
 * Patterns issue #14 removed, kept out: each would mean a rule written twice or a plugin
 * reaching into another's DOM or a library's private state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/python.js';

function sources(folder: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(entry.name))
      out.push({ path: path.slice(REPO_ROOT.length + 1), text: readFileSync(path, 'utf8') });
  }
  return out;
}

const SRC = sources(join(REPO_ROOT, 'src'));

function filesMatching(pattern: RegExp): string[] {
  return SRC.filter(file => pattern.test(file.text)).map(file => file.path);
}

test('ids and paths are sorted by code point: no localeCompare in src', () => {
  assert.deepEqual(filesMatching(/localeCompare/), []);
});

test('one min/max decimation (core/decimation.ts)', () => {
  assert.deepEqual(filesMatching(/function decimateMinMax\b/), ['src/core/decimation.ts']);
});

test('one task description for the checks (core/check-storage.ts), one row counter', () => {
  assert.deepEqual(filesMatching(/function describeTask\b/), ['src/core/check-storage.ts']);
  assert.deepEqual(filesMatching(/function countCompleteRows\b|function countTrialsCsvRows\b/), [
    'src/core/csv/reader.ts'
  ]);
});

test('one HDF5 worker in the lab (src/lab/hdf5/hdf5.worker.ts), and no whole-file download of an array file', () => {
  const workers = SRC.filter(file => file.path.startsWith('src/lab/')).flatMap(file =>
    [...file.text.matchAll(/new Worker\(new URL\('([^']+)'/g)].map(match => match[1])
  );
  assert.deepEqual(
    workers.filter(url => /hdf5|h5/i.test(url)),
    ['./hdf5.worker.js']
  );
  const h5wasmImports = filesMatching(/import\('h5wasm'\)\.then/);
  assert.deepEqual(h5wasmImports, ['src/lab/hdf5/h5wasm-loader.ts']);
});

test('plugins reach the sidebar through IStorageBrowser: its panel id is written once, no plugin queries its DOM', () => {
  const idUses = SRC.flatMap(file => [...file.text.matchAll(/'jupyterlab-axopy-storage'/g)].map(() => file.path));
  assert.deepEqual(idUses, ['src/lab/tokens.ts']);
  assert.deepEqual(
    filesMatching(/querySelector(All)?\(\s*[`'"]#jupyterlab-axopy-storage|getElementById\(STORAGE_PANEL_ID/),
    []
  );
  assert.deepEqual(filesMatching(/aria-selected="true"\]/), []);
});

test("Lumino Poll is used through its public API (no private '_timeout')", () => {
  assert.deepEqual(filesMatching(/_timeout/), []);
});
