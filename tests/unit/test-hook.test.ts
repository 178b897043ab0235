/** The previews' e2e hook exists only when the page config asks for it (never in production). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_HOOKS_OPTION, testHookPreviews } from '../../src/lab/previews/test-hook.js';
import { REPO_ROOT } from '../helpers/python.js';

test('no page config value: no window.__axopyPreviews', () => {
  const page = {};
  assert.equal(testHookPreviews('', page), undefined);
  assert.equal(testHookPreviews('false', page), undefined);
  assert.deepEqual(Object.keys(page), []);
});

test('the e2e server config asks for it, and only it', () => {
  const page: { __axopyPreviews?: unknown } = {};
  assert.deepEqual(testHookPreviews('true', page), {});
  assert.ok(page.__axopyPreviews !== undefined);
  const serverConfig = readFileSync(join(REPO_ROOT, 'ui-tests', 'jupyter_server_test_config.py'), 'utf8');
  assert.match(serverConfig, new RegExp(`"${TEST_HOOKS_OPTION}": "true"`));
  // What the wheel ships (the server extension, its jupyter-config) never sets it.
  const shipped = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap(entry =>
      entry.isDirectory()
        ? entry.name === 'labextension'
          ? []
          : shipped(join(folder, entry.name))
        : [join(folder, entry.name)]
    );
  for (const file of [...shipped(join(REPO_ROOT, 'jupyterlab_axopy')), ...shipped(join(REPO_ROOT, 'jupyter-config'))]) {
    assert.doesNotMatch(readFileSync(file, 'utf8'), new RegExp(TEST_HOOKS_OPTION), file);
  }
});
