import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorNaming } from '../helpers/errors.js';
import { join } from 'node:path';
import { checkStorage, FileNotFoundError } from '../../src/kernel/index.js';
import { makeTempDir, runPython } from '../helpers/python.js';

test('checkStorage finds what Python-written files get wrong and nothing in a clean root', async () => {
  const { dir, cleanup } = makeTempDir('axopy-check-');
  try {
    runPython(
      `import os, sys, pickle, h5py, numpy as np, pandas
root = sys.argv[1]
def task(s, t, rows, datasets, dtype=np.float64, shapes=None):
    p = os.path.join(root, s, t); os.makedirs(p)
    pandas.DataFrame({"block": [0] * rows, "trial": list(range(rows))}).to_csv(os.path.join(p, "trials.csv"), index=False)
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        for i in datasets:
            shape = shapes[i] if shapes else (2, 3)
            f.create_dataset(str(i), data=np.zeros(shape, dtype=dtype if i != 1 or t != "mixed" else np.int16))
    return p
task("clean", "ok", 4, range(4))
task("bad", "missing", 5, [0, 1, 3])
task("bad", "extra", 2, [0, 1, 2, 3])
task("bad", "mixed", 3, range(3))
task("bad", "ragged", 3, range(3), shapes={0: (4,), 1: (5,), 2: (4,)})
p = task("bad", "corrupt", 2, range(2))
with open(os.path.join(p, "emg.hdf5"), "r+b") as f: f.truncate(100)
class Evil:
    def __reduce__(self): return (os.system, ("true",))
with open(os.path.join(p, "evil.pkl"), "wb") as f: pickle.dump(Evil(), f)
os.makedirs(os.path.join(root, ".ipynb_checkpoints"))`,
      [dir]
    );
    const report = await checkStorage(dir);
    assert.equal(report.subjects, 2);
    assert.equal(report.tasks, 6);
    assert.equal(report.trials, 4 + 5 + 2 + 3 + 3 + 2);
    const find = (task: string, pattern: RegExp) =>
      report.issues.find(issue => issue.path.includes(`/${task}/`) && pattern.test(issue.message));
    assert.equal(find('missing', /rows 2, 4/)?.severity, 'error');
    assert.equal(find('extra', /without a trials\.csv row.*2-3/)?.severity, 'warning');
    assert.ok(find('mixed', /different dtypes \(float64, int16\)/));
    assert.ok(find('ragged', /cannot stack/));
    assert.ok(
      report.issues.some(
        i => i.path.endsWith('corrupt/emg.hdf5') && i.severity === 'error' && /FormatError/.test(i.message)
      )
    );
    assert.ok(report.issues.some(i => i.path.endsWith('evil.pkl') && /UnsafePickleError/.test(i.message)));
    assert.ok(
      report.issues.some(i => i.path.endsWith('.ipynb_checkpoints') && /Python AxoPy lists it/.test(i.message))
    );
    assert.deepEqual(
      report.issues.filter(i => i.path.includes('/clean/')),
      [],
      'a clean task has no issues'
    );
    await assert.rejects(checkStorage(join(dir, 'nope')), errorNaming(FileNotFoundError, join(dir, 'nope')));
  } finally {
    cleanup();
  }
});
