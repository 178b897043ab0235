/**
 * The analysis API end to end on a task the real AxoPy wrote: epochs, selection, the tidy
 * feature table and group statistics against the same analysis in pandas + axopy.features.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Storage, features, groupStats } from '../../src/kernel/index.js';
import { tableHtml } from '../../src/kernel/display-table.js';
import { PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python.js';
import { assertCloseRelative } from '../helpers/signals.js';

const WRITE_TASK = `
import sys, numpy as np
from axopy.storage import Storage
from axopy.design import Design
rng = np.random.default_rng(5)
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
writer = storage.create_task('gestures')
block = Design().add_block()
for i in range(12):
    trial = block.add_trial(attrs={'gesture': ['rest', 'fist', 'open'][i % 3], 'force': 1.0, 'level': 0.25 * (i % 4)})
    trial.add_array('emg', stack_axis=1)
    trial.arrays['emg'].stack(1e-4 * rng.standard_normal((3, 300)) * (1 + i % 3))
    writer.write(trial)
`;

const ANALYSE = `
import sys, json, numpy as np, pandas as pd
from axopy.storage import Storage
from axopy.features import time as f
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
reader = storage.require_task('gestures')
trials = reader.trials.reset_index().rename(columns={'index': 'row'})
emg = np.stack(list(reader.iterarray('emg')))
keep = trials['level'] > 0.2
sel, x = trials[keep], emg[keep.to_numpy()]
rows = []
for t in range(len(sel)):
    for c in range(x.shape[1]):
        rows.append({'row': int(sel['row'].iloc[t]), 'gesture': sel['gesture'].iloc[t], 'channel': c,
                     'rms': f.root_mean_square(x[t, c]), 'mav': f.mean_absolute_value(x[t, c]),
                     'zc': int(f.zero_crossings(x[t, c])), 'wl': f.waveform_length(x[t, c])})
fist = emg[(trials['gesture'] == 'fist').to_numpy()]
print(json.dumps({'rows': rows, 'fistMean': fist.mean(axis=0).ravel().tolist(), 'fistSem': (fist.std(axis=0, ddof=1) / np.sqrt(len(fist))).ravel().tolist()}))
`;

interface Analysis {
  rows: { row: number; gesture: string; channel: number; rms: number; mav: number; zc: number; wl: number }[];
  fistMean: number[];
  fistSem: number[];
}

test('epochs -> where -> features equals pandas + axopy.features on a task AxoPy wrote', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const root = join(dir, 'data');
    runPython(WRITE_TASK, [root], PYTHON);
    const expected = runPythonJson<Analysis>(ANALYSE, [root], undefined, PYTHON);
    const storage = new Storage(root, { readOnly: true });
    storage.subjectId = 'p01';
    const epochs = await storage.requireTask('gestures').epochs('emg');
    assert.deepEqual(epochs.data.shape, [12, 3, 300]);
    const table = features(
      epochs.where(trial => (trial.level as number) > 0.2),
      ['rms', 'mav', 'zc', 'wl']
    );
    assert.equal(table.numRows(), expected.rows.length);
    for (const column of ['row', 'gesture', 'channel', 'zc'] as const) {
      assert.deepEqual(
        table.array(column, Array),
        expected.rows.map(r => r[column]),
        column
      );
    }
    for (const column of ['rms', 'mav', 'wl'] as const) {
      assertCloseRelative(
        table.array(column, Array) as number[],
        expected.rows.map(r => r[column]),
        1e-12,
        column
      );
    }
    const fist = groupStats(epochs, 'gesture').find(g => g.key === 'fist');
    assert.ok(fist);
    assert.equal(fist.count, 4);
    assertCloseRelative(Array.from(fist.mean.data).map(Math.abs), expected.fistMean.map(Math.abs), 1e-9, 'fist mean');
    assertCloseRelative(Array.from(fist.sem.data), expected.fistSem, 1e-9, 'fist sem');
  } finally {
    cleanup();
  }
});

test('epochs.where(table) keeps the trials of an arquero selection of epochs.trials', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const root = join(dir, 'data');
    runPython(WRITE_TASK, [root], PYTHON);
    const storage = new Storage(root, { readOnly: true });
    storage.subjectId = 'p01';
    const epochs = await storage.requireTask('gestures').epochs('emg');
    const open = epochs.where(epochs.trials.filter((d: { gesture: string }) => d.gesture === 'open'));
    assert.deepEqual(open.rows, [2, 5, 8, 11]);
    assert.deepEqual(Array.from(open.trial(1).data), Array.from(epochs.trial(5).data));
    assert.deepEqual([...epochs.groupBy('gesture').keys()], ['rest', 'fist', 'open']);
  } finally {
    cleanup();
  }
});

test('showTable shows the dtypes pandas infers: a float64 column of 1.0 stays float64', () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const root = join(dir, 'data');
    runPython(WRITE_TASK, [root], PYTHON);
    const dtypes = runPythonJson<Record<string, string>>(
      `import sys, json, pandas as pd
print(json.dumps({k: str(v) for k, v in pd.read_csv(sys.argv[1]).dtypes.items()}))`,
      [join(root, 'p01', 'gestures', 'trials.csv')],
      undefined,
      PYTHON
    );
    assert.equal(dtypes.force, 'float64');
    const storage = new Storage(root, { readOnly: true });
    storage.subjectId = 'p01';
    const html = tableHtml(storage.requireTask('gestures').trials);
    for (const [column, dtype] of Object.entries(dtypes)) {
      assert.ok(html.includes(`<th>${column}<br><small>${dtype}</small></th>`), `${column} shown as ${dtype}`);
    }
  } finally {
    cleanup();
  }
});
