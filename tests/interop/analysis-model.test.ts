/**
 * The analysis view's model over a task the real AxoPy wrote, its trials reduced by the same
 * reduceTrialChunk the HDF5 worker runs (here over h5wasm/node): group statistics equal
 * numpy's, features equal axopy.features', filtered averages equal scipy's, the Welch spectra
 * and the epochs image order too; and which changes read trials again and which do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseTrialsCsv } from '../../src/core/csv/index.js';
import { parseArraySidecar } from '../../src/core/array-sidecar.js';
import { Hdf5File } from '../../src/kernel/hdf5.js';
import { AnalysisModel, type ITrialReducer } from '../../src/lab/analysis/analysis-model.js';
import {
  FEATURE_NAMES,
  reduceTrialChunk,
  type IReduceChunkRequest,
  type ITrialArray
} from '../../src/lab/analysis/trial-reduction.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python.js';
import { assertCloseRelative, assertCloseToScale } from '../helpers/signals.js';

const TRIALS = 30;
const WRITE_TASK = `
import sys, json, numpy as np
from axopy.storage import Storage
from axopy.design import Design
rng = np.random.default_rng(17)
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
writer = storage.create_task('gestures')
block = Design().add_block()
t = np.arange(400) / 1000
for i in range(${TRIALS}):
    gesture = ['rest', 'fist', 'open'][i % 3]
    trial = block.add_trial(attrs={'gesture': gesture, 'level': ['low', 'high'][(i // 3) % 2], 'force': float(rng.uniform())})
    trial.add_array('emg', stack_axis=1)
    burst = {'rest': 0.2, 'fist': 1.0, 'open': 0.6}[gesture] * np.sin(2 * np.pi * 80 * t)
    trial.arrays['emg'].stack(1e-4 * (burst + rng.standard_normal((3, 400))))
    writer.write(trial)
json.dump({'sample_rate': 1000, 'channel_names': ['FDS', 'EDC', 'FCU']}, open(sys.argv[1] + '/p01/gestures/emg.json', 'w'))
`;

/** numpy's (or scipy's, or axopy's) view of the same task, for a few analyses. */
const EXPECTED = `
import sys, json, numpy as np, pandas as pd, h5py
task = sys.argv[1] + '/p01/gestures'
trials = pd.read_csv(task + '/trials.csv')
with h5py.File(task + '/emg.hdf5', 'r') as f:
    x = np.stack([f[str(i)][()] for i in range(len(trials))])
out = {}
def stats(name, mask, by, transform=lambda v: v):
    groups = {}
    for key in pd.unique(trials.loc[mask, by]) if by else [None]:
        m = mask & (trials[by] == key) if by else mask
        v = transform(x[m.to_numpy()])
        groups[str(key)] = {'n': int(len(v)), 'mean': v.mean(axis=0).ravel().tolist(), 'std': v.std(axis=0, ddof=1).ravel().tolist(), 'sem': (v.std(axis=0, ddof=1) / np.sqrt(len(v))).ravel().tolist()}
    out[name] = groups
everything = trials['gesture'].notna()
stats('byGesture', everything, 'gesture')
stats('byLevel', everything, 'level')
stats('fistOrOpen', trials['gesture'] != 'rest', 'gesture')
stats('forceOver', trials['force'] > 0.4, 'level')
`;

const EXPECTED_SCIPY = `
import scipy.signal as sg
sos = sg.butter(4, [20, 200], btype='bandpass', fs=1000, output='sos')
stats('bandpassByGesture', everything, 'gesture', lambda v: sg.sosfiltfilt(sos, v, axis=-1))
env = sg.butter(2, 6, fs=1000, output='sos')
stats('envelope', everything, None, lambda v: sg.sosfiltfilt(env, np.abs(v), axis=-1))
fist = x[(trials['gesture'] == 'fist').to_numpy()].mean(axis=0)
f, p = sg.welch(fist, fs=1000)
out['welchFist'] = {'f': f.tolist(), 'p': p.ravel().tolist()}
print(json.dumps(out))
`;

const AXOPY_FEATURES = `
import sys, json, numpy as np
from axopy.storage import Storage
from axopy.features import time as f
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
x = np.stack(list(storage.require_task('gestures').iterarray('emg')))
print(json.dumps({
  'mav': f.mean_absolute_value(x).ravel().tolist(), 'rms': f.root_mean_square(x).ravel().tolist(),
  'wl': f.waveform_length(x).ravel().tolist(), 'zc': f.zero_crossings(x).ravel().tolist(),
  'ssc': f.slope_sign_changes(x).ravel().tolist(), 'iemg': f.integrated_emg(x).ravel().tolist(),
  'logvar': f.logvar(x).ravel().tolist()}))
`;

interface GroupExpectation {
  n: number;
  mean: number[];
  std: number[];
  sem: number[];
}

/** The worker's reduction over a local file: what each reduceTrials request read is counted. */
class FileReducer implements ITrialReducer {
  readonly requests: IReduceChunkRequest[] = [];
  constructor(private readonly file: Hdf5File) {}
  async reduceTrials(chunk: IReduceChunkRequest) {
    this.requests.push(chunk);
    const reduced = reduceTrialChunk(
      name => (this.file.has(name) ? (this.file.read(name) as ITrialArray) : undefined),
      chunk
    );
    return { reduced, bytesFetched: 0 };
  }
  get trialsRead(): number {
    return this.requests.reduce((sum, r) => sum + r.trials.length, 0);
  }
}

function assertGroups(
  model: AnalysisModel,
  expected: Record<string, GroupExpectation>,
  what: string,
  tolerance = 1e-12
): void {
  const groups = model.groups();
  assert.deepEqual(
    groups.map(g => String(g.key ?? 'None')).sort(),
    Object.keys(expected).sort(),
    `${what}: group keys`
  );
  for (const group of groups) {
    const e = expected[String(group.key ?? 'None')];
    assert.equal(group.count, e.n, `${what}: size of ${group.label}`);
    // A mean near 0 is a difference of nearly equal sums: compared to the mean's scale.
    assertCloseToScale(group.mean.data, e.mean, tolerance, `${what}: mean of ${group.label}`);
    assertCloseRelative(group.std.data, e.std, tolerance, `${what}: std of ${group.label}`);
    assertCloseRelative(group.sem.data, e.sem, tolerance, `${what}: sem of ${group.label}`);
  }
}

test('AnalysisModel: groups stream in, equal numpy, and regroup or refilter from cache', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const root = join(dir, 'data');
    runPython(WRITE_TASK, [root], PYTHON);
    const task = join(root, 'p01', 'gestures');
    const expected = runPythonJson<Record<string, Record<string, GroupExpectation>>>(
      EXPECTED + EXPECTED_SCIPY,
      [root],
      undefined,
      CURRENT_PYTHON
    );
    const features = runPythonJson<Record<string, number[]>>(AXOPY_FEATURES, [root], undefined, PYTHON);
    const file = await Hdf5File.open(join(task, 'emg.hdf5'), 'r');
    try {
      const reducer = new FileReducer(file);
      const trials = parseTrialsCsv(readFileSync(join(task, 'trials.csv'), 'utf8'), 'trials.csv');
      const metadata = parseArraySidecar(readFileSync(join(task, 'emg.json'), 'utf8'), 'emg.json');
      const model = new AnalysisModel({
        reducer,
        trials,
        metadata,
        chunkSize: 8,
        overlayColumns: 50,
        imageColumns: 100
      });
      assert.ok(model.groupableColumns.includes('gesture') && model.groupableColumns.includes('level'));
      assert.ok(
        !model.groupableColumns.includes('force') && !model.groupableColumns.includes('trial'),
        'a value per trial: not a grouping'
      );
      model.grouping = 'gesture';
      const seen: number[] = [];
      model.changed.connect(() => seen.push(model.groups().reduce((sum, g) => sum + g.count, 0)));
      await model.update();
      assert.deepEqual(
        [...new Set(seen)].filter(n => n > 0),
        [8, 16, 24, 30],
        'groups grow chunk by chunk'
      );
      assert.equal(reducer.trialsRead, TRIALS);
      assert.deepEqual(model.channelNames, ['FDS', 'EDC', 'FCU']);
      assertGroups(model, expected.byGesture, 'by gesture');

      // Regrouping merges cached atoms: no trial is read.
      model.grouping = 'level';
      await model.update();
      assert.equal(reducer.trialsRead, TRIALS, 'regrouping read nothing');
      assertGroups(model, expected.byLevel, 'by level');

      // Keeping whole atoms (a filter on a groupable column) reads nothing either.
      model.grouping = 'gesture';
      model.setKept(trials.values.gesture.flatMap((g, row) => (g === 'rest' ? [] : [row])));
      await model.update();
      assert.equal(reducer.trialsRead, TRIALS, 'a filter on a groupable column read nothing');
      assertGroups(model, expected.fistOrOpen, 'fist or open');

      // A filter on another column cuts atoms (gesture x level, 5 trials each; the rest atoms
      // stayed cached while filtered out): each reads the fewer of its dropped trials (taken
      // out of its moments) and its kept ones (its moments made again).
      const forceKept = trials.values.force.flatMap((f, row) => ((f as number) > 0.4 ? [row] : []));
      const atomOf = (row: number) => `${trials.values.gesture[row]}/${trials.values.level[row]}`;
      const dropped = new Map<string, number>();
      const keptPerAtom = new Map<string, number>();
      for (let row = 0; row < TRIALS; row++) {
        const counts = forceKept.includes(row) ? keptPerAtom : dropped;
        counts.set(atomOf(row), (counts.get(atomOf(row)) ?? 0) + 1);
      }
      const fewest = [...new Set(trials.values.gesture.map((_, row) => atomOf(row)))].reduce(
        (sum, atom) => sum + Math.min(dropped.get(atom) ?? 0, keptPerAtom.get(atom) ?? 0),
        0
      );
      model.setKept(forceKept);
      model.grouping = 'level';
      await model.update();
      assert.ok(fewest > 0 && fewest < forceKept.length, `the data cuts atoms unevenly (${fewest})`);
      assert.equal(reducer.trialsRead - TRIALS, fewest, 'per atom, min(dropped, kept) trials read');
      assertGroups(model, expected.forceOver, 'force > 0.4');
      // Dropping whole atoms again, and keeping them back, reads nothing.
      const readBefore = reducer.trialsRead;
      model.setKept(forceKept.filter(row => trials.values.gesture[row] !== 'open'));
      await model.update();
      model.setKept(forceKept);
      await model.update();
      assert.equal(reducer.trialsRead, readBefore, 'whole atoms dropped and kept again: nothing read');
      assertGroups(model, expected.forceOver, 'force > 0.4 again');

      // Keeping everything again reads only the trials not in the cache.
      const before = reducer.trialsRead;
      model.setKept([...Array(TRIALS).keys()]);
      model.grouping = 'gesture';
      await model.update();
      assert.ok(reducer.trialsRead - before < TRIALS, 'only what was dropped is read');
      assertGroups(model, expected.byGesture, 'all again');

      // A display filter reads again (its cache is its own), and gives scipy's filtered averages.
      model.filter = { bandpass: { low: 20, high: 200, order: 4 } };
      await model.update();
      assertGroups(model, expected.bandpassByGesture, 'band-pass 20-200 Hz', 1e-9);
      assert.match(model.filterText, /band-pass 20-200 Hz \(Butterworth order 4, zero-phase\)/);
      assert.throws(
        () => (model.filter = { bandpass: { low: 20, high: 600, order: 4 } }),
        /Nyquist|fs|cutoff|critical/i
      );
      assert.match(model.filterText, /band-pass 20-200 Hz/, 'a filter past Nyquist is not taken');
      model.filter = { envelope: { cutoff: 6, order: 2 } };
      model.grouping = undefined;
      await model.update();
      assertGroups(model, expected.envelope, 'envelope', 1e-9);
      // Back to the band-pass: still cached (the previous filter's cache is kept), nothing read.
      model.filter = { bandpass: { low: 20, high: 200, order: 4 } };
      const afterFilters = reducer.trialsRead;
      model.grouping = 'gesture';
      await model.update();
      assert.equal(reducer.trialsRead, afterFilters, 'the previous filter came back from cache');

      // Features are read on demand (the table's feature columns): none so far; asked for, every
      // trial is read once more for them. They equal axopy.features per trial and channel
      // (unfiltered data).
      assert.deepEqual(model.featureColumns(), [], 'no feature columns until asked for');
      assert.ok(Number.isNaN(model.feature(0, 'rms', 0)));
      const beforeFeatures = reducer.trialsRead;
      model.features = true;
      await model.update();
      assert.equal(reducer.trialsRead - beforeFeatures, TRIALS, 'each trial read once more, for its features');
      for (const name of FEATURE_NAMES) {
        const values = Array.from({ length: TRIALS * 3 }, (_, i) => model.feature(Math.floor(i / 3), name, i % 3));
        if (name === 'zc' || name === 'ssc') assert.deepEqual(values, features[name], name);
        else assertCloseRelative(values, features[name], 1e-12, name);
      }
      const columns = model.featureColumns();
      assert.deepEqual(
        columns.slice(0, 3).map(c => c.name),
        ['mav_FDS', 'mav_EDC', 'mav_FCU']
      );

      // The epochs image: rows ordered by RMS on the chosen channel (its rows are read for it).
      model.filter = {};
      model.mode = 'image';
      model.channel = 1;
      model.sortBy = 'rms';
      await model.update();
      const image = model.image();
      const rms = features.rms.filter((_, i) => i % 3 === 1);
      assert.deepEqual(
        image.rows,
        [...rms.keys()].sort((a, b) => rms[a] - rms[b] || a - b)
      );
      assert.equal(image.data.length, TRIALS * 100);

      // Spectrum: Welch of each group's mean, as scipy.
      const fist = model.spectra().find(s => s.label === 'gesture = fist')!;
      const welchFist = expected.welchFist as unknown as { f: number[]; p: number[] };
      assertCloseRelative(fist.frequencies, welchFist.f, 1e-12, 'frequencies');
      assertCloseToScale(fist.psd, welchFist.p, 1e-9, 'fist PSD');

      // A recording: a model made on the first 20 rows, then trials.csv with 30 (extended, not
      // remade) reads only the 10 new trials, and its groups equal numpy's on all 30.
      const first20 = {
        ...trials,
        rowCount: 20,
        values: Object.fromEntries(Object.entries(trials.values).map(([c, v]) => [c, v.slice(0, 20)]))
      };
      const growing = new FileReducer(file);
      const recording = new AnalysisModel({ reducer: growing, trials: first20, metadata, chunkSize: 8 });
      recording.grouping = 'gesture';
      await recording.update();
      assert.equal(growing.trialsRead, 20);
      assert.equal(recording.extendTrials(trials), true);
      recording.setKept([...Array(TRIALS).keys()]);
      await recording.update();
      assert.equal(growing.trialsRead, TRIALS, 'only the 10 new trials were read');
      assertGroups(recording, expected.byGesture, 'after the recording grew');
      const renamed = { ...trials, columns: trials.columns.map(c => (c === 'force' ? 'grip' : c)) };
      assert.equal(recording.extendTrials(renamed), false, 'other columns: the model is made anew');
      recording.dispose();

      // Overlay: every kept trial, as spans per pixel column (read again for this filter); a
      // table filter then shows the trials it keeps from the spans at once.
      model.mode = 'overlay';
      await model.update();
      const overlay = model.overlay();
      assert.deepEqual(overlay.rows, [...Array(TRIALS).keys()]);
      assert.equal(overlay.spans!.columns, 50);
      assert.equal(overlay.spans!.levels(0)!.length, 3 * 50 * 2);
      model.setKept(forceKept);
      assert.deepEqual(model.overlay().rows, forceKept, 'before any trial is read again');
      await model.update();
      model.dispose();
    } finally {
      file.close();
    }
  } finally {
    cleanup();
  }
});
