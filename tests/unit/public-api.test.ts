/**
 * `jupyterlab-axopy/kernel` exports the documented names only: the README's table of public
 * names and the package's runtime exports are the same set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as kernel from '../../src/kernel/index.js';
import { REPO_ROOT } from '../helpers/python.js';

function documentedNames(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Public names of `jupyterlab-axopy/kernel`');
  assert.ok(start >= 0, 'README has the table');
  const table = readme.slice(start).split('\n\n')[2];
  return table
    .split('\n')
    .slice(2)
    .flatMap(line => [...(line.split('|')[2] ?? '').matchAll(/`([A-Za-z0-9_$]+)`/g)].map(match => match[1]));
}

test('the README table lists exactly the runtime exports of jupyterlab-axopy/kernel', () => {
  const documented = documentedNames().sort();
  assert.ok(documented.length > 50, `${documented.length} names`);
  assert.deepEqual(Object.keys(kernel).sort(), documented);
});

test('package.json exports kernel, core, style and package.json, not lib/*', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(manifest.exports).sort(), ['./core', './kernel', './package.json', './style/*']);
});
