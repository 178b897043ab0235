/**
 * The writer's whole process group (and its journal helper) SIGKILLed at each named step of a
 * trial write (AXOPY_DIE_AT, see crashPoint in hdf5-journal.ts): opening the task again
 * (`requireTask`) recovers it, and this project, pandas and h5py read every trial whose write
 * returned. Deterministic, so every step is hit, unlike random kills (crash.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '../../src/kernel/index.js';
import { makeTempDir, runPythonJson } from '../helpers/python.js';

const writerScript = join(__dirname, '..', 'helpers', 'crash-writer.js');

/** Each step, and the occurrence to die at (a batch step happens several times per trial). */
const STEPS = [
  'hdf5-create@9',
  'journal-written@9',
  'batch-part-applied@9',
  'batch-applied@9',
  'hdf5-flushed@9',
  'csv-row@9',
  'csv-append@4',
  'csv-half-row@4',
  'trial-written@9',
  'journal-written@20',
  'batch-part-applied@31',
  'csv-half-row@11'
];

function runUntilDeath(root: string, dieAt: string): Promise<{ done: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    // detached: the writer leads its own process group, which it kills whole at the step.
    const child = spawn(process.execPath, [writerScript, root], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, AXOPY_DIE_AT: dieAt }
    });
    let out = '';
    let err = '';
    child.stdout.on('data', chunk => (out += chunk));
    child.stderr.on('data', chunk => (err += chunk));
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`${dieAt}: never reached (${err})`));
    }, 60_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ done: out.split('\n').filter(line => line.startsWith('done ')).length, signal });
    });
  });
}

test('process group killed at every step of a trial write: the next open recovers every trial whose write returned', async () => {
  const { dir, cleanup } = makeTempDir('axopy-crash-group-');
  try {
    const runs: Array<{ root: string; done: number; step: string; journals: string[] }> = [];
    for (const step of STEPS) {
      const root = join(dir, step.replace('@', '-'));
      mkdirSync(root);
      const { done, signal } = await runUntilDeath(root, step);
      assert.equal(signal, 'SIGKILL', `${step}: the writer was not killed at its step`);
      const task = join(root, 's1', 'crash');
      const journals = readdirSync(task).filter(name => name.endsWith('-journal'));
      if (step.startsWith('journal-written') || step.startsWith('batch-')) {
        assert.ok(journals.length > 0, `${step}: the helper died too, so the journal must still be there`);
      }
      const csv = join(task, 'trials.csv');
      if (step.startsWith('csv-half-row')) {
        assert.notEqual(readFileSync(csv).at(-1), 0x0a, `${step}: the kill must leave half a row`);
      }
      const storage = new Storage(root);
      storage.subjectId = 's1';
      const reader = storage.requireTask('crash'); // recovers
      assert.equal(readFileSync(csv).at(-1), 0x0a, `${step}: trials.csv ends with a complete row`);
      assert.ok(!existsSync(join(task, '.axopy-writer.lock')), `${step}: the dead writer's lock is gone`);
      assert.deepEqual(
        readdirSync(task).filter(name => name.endsWith('-journal')),
        [],
        `${step}: journals replayed`
      );
      assert.ok(reader.trialCount >= done, `${step}: ${reader.trialCount} rows, ${done} writes returned`);
      let row = 0;
      for await (const emg of reader.iterArray('emg')) {
        assert.ok(
          (emg.data as Float64Array).every(v => v === row),
          `${step}: emg of trial ${row}`
        );
        row++;
      }
      assert.equal(row, reader.trialCount, `${step}: one emg dataset per row`);
      runs.push({ root, done, step, journals });
    }
    const verdicts = runPythonJson<Array<{ step: string; problem: string }>>(
      `import json, sys, os, h5py, numpy as np, pandas
out = []
for root, done, step in json.loads(sys.argv[1]):
    task = os.path.join(root, "s1", "crash")
    try:
        df = pandas.read_csv(os.path.join(task, "trials.csv"))
        assert len(df) >= done, f"{len(df)} rows < {done}"
        assert list(df["label"]) == [f"t{i}" for i in range(len(df))], "labels"
        with h5py.File(os.path.join(task, "emg.hdf5"), "r") as f, h5py.File(os.path.join(task, "count.hdf5"), "r") as c:
            for i in range(len(df)):
                assert (f[str(i)][()] == i).all() and f[str(i)].shape == (4, 500), f"emg {i}"
                assert (c[str(i)][()] == i).all() and c[str(i)].shape == (i % 3,), f"count {i}"
        out.append({"step": step, "problem": ""})
    except Exception as e:
        out.append({"step": step, "problem": repr(e)})
print(json.dumps(out))`,
      [JSON.stringify(runs.map(r => [r.root, r.done, r.step]))]
    );
    assert.deepEqual(
      verdicts.filter(v => v.problem !== ''),
      [],
      'pandas/h5py read every trial'
    );
    assert.ok(existsSync(dir));
    console.log(
      `crash-group: ${runs.map(r => `${r.step}: ${r.done} done${r.journals.length ? ', journal left' : ''}`).join('; ')}`
    );
  } finally {
    cleanup();
  }
});
