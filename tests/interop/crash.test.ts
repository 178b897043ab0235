import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Storage } from '../../src/kernel/index.js';
import { makeTempDir, runPythonJson } from '../helpers/python.js';

const KILLS = Number(process.env.AXOPY_CRASH_KILLS ?? 12);
const writerScript = join(__dirname, '..', 'helpers', 'crash-writer.js');

/** Starts the writer, kills it with SIGKILL after a random delay; returns the last row it finished. */
function runAndKill(root: string, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writerScript, root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastDone = -1;
    let stderr = '';
    let buffered = '';
    child.stdout.on('data', chunk => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) lastDone = Number(line.split(' ')[1]);
    });
    child.stderr.on('data', chunk => (stderr += chunk));
    // Start the clock once the first trial is done, so kills land among trial writes, not in start-up.
    const started = setInterval(() => {
      if (lastDone >= 0) {
        clearInterval(started);
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(started);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
      else resolve(lastDone);
    });
  });
}

test(`every trial whose write returned survives ${KILLS} SIGKILLs (read by this project and by pandas/h5py)`, async () => {
  const { dir, cleanup } = makeTempDir('axopy-crash-');
  try {
    const runs: { root: string; lastDone: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const root = join(dir, `run${k}`);
      mkdirSync(root);
      const lastDone = await runAndKill(root, Math.floor(Math.random() * 300));
      runs.push({ root, lastDone });
    }
    for (const { root, lastDone } of runs) {
      const storage = new Storage(root);
      storage.subjectId = 's1';
      const reader = storage.requireTask('crash');
      assert.ok(
        reader.trialCount >= lastDone + 1,
        `${root}: ${reader.trialCount} rows, writer finished ${lastDone + 1}`
      );
      const rows = lastDone + 1;
      let row = 0;
      for await (const emg of reader.iterArray('emg')) {
        if (row >= rows) break;
        assert.ok(
          (emg.data as Float64Array).every(v => v === row),
          `${root}: emg of trial ${row}`
        );
        row++;
      }
      assert.equal(row, rows);
    }
    const verdicts = runPythonJson<{ root: string; rows: number; ok: boolean; problem: string }[]>(
      `import json, sys, os, h5py, numpy as np, pandas
out = []
for root, last in json.loads(sys.argv[1]):
    task = os.path.join(root, "s1", "crash")
    problem = ""
    try:
        df = pandas.read_csv(os.path.join(task, "trials.csv"))
        need = last + 1
        assert len(df) >= need, f"{len(df)} rows < {need}"
        assert list(df["label"][:need]) == [f"t{i}" for i in range(need)], "labels"
        assert np.allclose(df["score"][:need], [i / 4 for i in range(need)]), "scores"
        with h5py.File(os.path.join(task, "emg.hdf5"), "r") as f, h5py.File(os.path.join(task, "count.hdf5"), "r") as c:
            for i in range(need):
                assert (f[str(i)][()] == i).all() and f[str(i)].shape == (4, 500), f"emg {i}"
                assert (c[str(i)][()] == i).all() and c[str(i)].shape == (i % 3,), f"count {i}"
        # Whole-file writes go to hidden ".<name>.partial-*" temp files renamed into place: a kill
        # may leave one behind, but never anything else beside the task's own files.
        # A kill also leaves the writer's lock (stale once it is dead) and maybe a journal beside
        # an array file (replayed by the next open).
        unexpected = [n for n in os.listdir(task) if n not in ("trials.csv", "emg.hdf5", "count.hdf5", "progress.pkl", ".axopy-writer.lock", "emg.hdf5-journal", "count.hdf5-journal") and not (n.startswith(".") and ".partial-" in n)]
        assert not unexpected, f"unexpected files: {unexpected}"
        if last >= 0:
            # "done <row>" is printed after the pickle of a row divisible by 7 is written, so it
            # holds the last such row at or before last, or the next one (killed before "done").
            import pickle
            with open(os.path.join(task, "progress.pkl"), "rb") as p:
                progress = pickle.load(p)
            before = 7 * (last // 7)
            assert progress["lastRow"] in (before, before + 7), f"progress.pkl lastRow {progress['lastRow']}, last done {last}"
            assert progress["note"] == "x" * (progress["lastRow"] * 100), "progress.pkl note"
        out.append({"root": root, "rows": len(df), "ok": True, "problem": ""})
    except Exception as e:
        out.append({"root": root, "rows": -1, "ok": False, "problem": repr(e)})
print(json.dumps(out))`,
      [JSON.stringify(runs.map(r => [r.root, r.lastDone]))]
    );
    const failed = verdicts.filter(v => !v.ok);
    assert.deepEqual(failed, [], 'pandas/h5py read every finished trial');
    console.log(
      `crash test: ${verdicts.length} kills survived; rows finished per run: ${runs.map(r => r.lastDone + 1).join(', ')}`
    );
  } finally {
    cleanup();
  }
});
