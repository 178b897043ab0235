/**
 * `.ipynb_checkpoints` (what Jupyter writes beside a file it opens for editing) is no subject
 * and no task: Python AxoPy lists it as both (its listing takes every folder; that is the bug),
 * the kernel's Storage does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '../../src/kernel/index.js';
import { PYTHON, makeTempDir, runPythonJson } from '../helpers/python.js';

test('the kernel lists no .ipynb_checkpoints subject or task; Python AxoPy 0.2.3 does', () => {
  const { dir, cleanup } = makeTempDir('axopy-checkpoints-');
  try {
    for (const folder of ['p01/gestures', 'p01/.ipynb_checkpoints', '.ipynb_checkpoints']) {
      mkdirSync(join(dir, folder), { recursive: true });
    }
    writeFileSync(join(dir, 'p01', 'gestures', 'trials.csv'), 'block,trial\n0,0\n');
    const axopy = runPythonJson<{ subjects: string[]; tasks: string[] }>(
      `import json, sys
from axopy.storage import Storage
s = Storage(sys.argv[1])
subjects = sorted(s.subject_ids)
s.subject_id = 'p01'
print(json.dumps(dict(subjects=subjects, tasks=sorted(s.task_ids))))`,
      [dir],
      undefined,
      PYTHON
    );
    // What AxoPy's listing does with a Jupyter checkpoint folder (the bug the README names).
    assert.deepEqual(axopy.subjects, ['.ipynb_checkpoints', 'p01']);
    assert.deepEqual(axopy.tasks, ['.ipynb_checkpoints', 'gestures']);
    // Ours: the same listing without the hidden folders.
    const storage = new Storage(dir);
    assert.deepEqual(
      storage.subjectIds,
      axopy.subjects.filter(name => !name.startsWith('.'))
    );
    storage.subjectId = 'p01';
    assert.deepEqual(
      storage.taskIds,
      axopy.tasks.filter(name => !name.startsWith('.'))
    );
  } finally {
    cleanup();
  }
});
