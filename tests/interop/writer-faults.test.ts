/**
 * The writer under careless use and transient faults: writes not awaited, values with no CSV
 * cell, integer-like column names, a second writer on the same task, racing createTask calls,
 * a full disk (a small tmpfs, when running as root).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Design,
  DiskFullError,
  Storage,
  TaskExistsError,
  TaskLockedError,
  TaskWriter,
  Trial,
  ValueFormatError
} from '../../src/kernel/index.js';
import { makeTempDir, runPythonJson } from '../helpers/python.js';

const lockHolder = join(__dirname, '..', 'helpers', 'lock-holder.js');

function newStorage(root: string, options = {}): Storage {
  const storage = new Storage(root, options);
  storage.subjectId = 's1';
  return storage;
}

function readWithPandasH5py(
  task: string,
  arrays: string[]
): { columns: string[]; rows: Array<Record<string, unknown>>; datasets: Record<string, Record<string, number[]>> } {
  return runPythonJson(
    `import json, sys, os, h5py, pandas
task, arrays = sys.argv[1], json.loads(sys.argv[2])
df = pandas.read_csv(os.path.join(task, "trials.csv"))
datasets = {}
for name in arrays:
    with h5py.File(os.path.join(task, name + ".hdf5"), "r") as f:
        datasets[name] = {key: f[key][()].tolist() for key in f.keys()}
print(json.dumps({"columns": list(df.columns), "rows": json.loads(df.to_json(orient="records")), "datasets": datasets}))`,
    [task, JSON.stringify(arrays)]
  );
}

test('five writes in a loop without await are all kept, in call order', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const writer = newStorage(dir).createTask('t');
    const block = new Design().addBlock();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      const trial = block.addTrial({ i });
      trial.addArray('emg').stack({ dtype: 'int32', shape: [3], data: new Int32Array(3).fill(i) });
      pending.push(writer.write(trial)); // the forgotten await
    }
    await writer.close(); // waits for the queue
    await Promise.all(pending);
    const read = readWithPandasH5py(join(dir, 's1', 't'), ['emg']);
    assert.deepEqual(
      read.rows.map(r => r.i),
      [0, 1, 2, 3, 4]
    );
    assert.deepEqual(read.datasets.emg, { 0: [0, 0, 0], 1: [1, 1, 1], 2: [2, 2, 2], 3: [3, 3, 3], 4: [4, 4, 4] });
  } finally {
    cleanup();
  }
});

test('attributes with no CSV cell (array, object, Date) are refused before anything is written', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const writer = newStorage(dir).createTask('t');
    const task = join(dir, 's1', 't');
    for (const bad of [[1, 2], { a: 1 }, new Date(0)]) {
      const trial = new Trial({ ok: 1, bad: bad as never });
      trial.addArray('emg').stack({ dtype: 'int32', shape: [1], data: Int32Array.of(1) });
      await assert.rejects(
        writer.write(trial),
        (error: Error) => error instanceof ValueFormatError && /"bad"/.test(error.message)
      );
    }
    assert.deepEqual(
      readdirSync(task).filter(name => !name.startsWith('.')),
      [],
      'no trials.csv, no emg.hdf5'
    );
    // and the writer goes on
    const good = new Trial({ ok: 2 });
    good.addArray('emg').stack({ dtype: 'int32', shape: [1], data: Int32Array.of(2) });
    await writer.write(good);
    await writer.close();
    const read = readWithPandasH5py(task, ['emg']);
    assert.deepEqual(read.rows, [{ ok: 2 }]);
    assert.deepEqual(read.datasets.emg, { 0: [2] });
  } finally {
    cleanup();
  }
});

test('a Map of attributes keeps its insertion order as the column order, integer-like names included', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const writer = newStorage(dir).createTask('t');
    const block = new Design().addBlock();
    const trial = block.addTrial(
      new Map<string, number | string>([
        ['gesture', 'fist'],
        ['1', 10],
        ['0', 5]
      ])
    );
    trial.attrs.set('late', 3); // set after addTrial: lands in the same row
    await writer.write(trial);
    const second = block.addTrial(
      new Map<string, number | string>([
        ['gesture', 'rest'],
        ['1', 11],
        ['0', 6]
      ])
    );
    second.attrs.set('late', 4);
    await writer.write(second);
    await writer.close();
    const read = readWithPandasH5py(join(dir, 's1', 't'), []);
    assert.deepEqual(read.columns, ['gesture', '1', '0', 'block', 'trial', 'late']);
    assert.deepEqual(read.rows, [
      { gesture: 'fist', 1: 10, 0: 5, block: 0, trial: 0, late: 3 },
      { gesture: 'rest', 1: 11, 0: 6, block: 0, trial: 1, late: 4 }
    ]);
  } finally {
    cleanup();
  }
});

test("a second writer on a task being written gets TaskLockedError naming the holder; a dead holder's lock is taken over", async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const child = spawn(process.execPath, [lockHolder, dir, 't', 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>(resolve =>
      child.stdout.on('data', chunk => String(chunk).includes('holding') && resolve())
    );
    const storage = newStorage(dir, { allowOverwrite: true });
    assert.throws(
      () => storage.createTask('t'),
      (error: Error) =>
        error instanceof TaskLockedError &&
        error.message.includes(`process ${child.pid}`) &&
        error.message.includes(join(dir, 's1', 't'))
    );
    // The holder's data is untouched.
    assert.ok(existsSync(join(dir, 's1', 't', 'trials.csv')));
    // In this process too: one writer per task.
    const own = storage.createTask('u');
    assert.throws(() => storage.createTask('u'), TaskLockedError);
    await own.close();
    storage.createTask('u'); // released by close()
    child.kill('SIGKILL');
    await new Promise(resolve => child.on('exit', resolve));
    const writer = storage.createTask('t'); // stale lock: its owner is dead
    assert.deepEqual(
      readdirSync(join(dir, 's1', 't')).filter(n => !n.startsWith('.')),
      [],
      'overwritten'
    );
    await writer.close();
  } finally {
    cleanup();
  }
});

test('of two simultaneous createTask calls (separate processes), exactly one creates the task', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    newStorage(dir);
    const outcomes: string[][] = [];
    for (let race = 0; race < 30; race++) {
      const at = String(Date.now() + 300);
      const results = await Promise.all(
        [0, 1].map(
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, [lockHolder, dir, `r${race}`, 'race'], {
                env: { ...process.env, RACE_AT: at }
              });
              let out = '';
              child.stdout.on('data', chunk => (out += chunk));
              child.on('exit', code =>
                code === 0 ? resolve(out.trim()) : reject(new Error(`race child failed (${code})`))
              );
            })
        )
      );
      outcomes.push(results.sort());
    }
    for (const pair of outcomes) assert.deepEqual(pair, ['TaskExistsError', 'created']);
    assert.equal(TaskExistsError.name, 'TaskExistsError');
  } finally {
    cleanup();
  }
});

const isRoot = process.getuid?.() === 0;

for (const scenario of [
  { where: 'emg.hdf5', label: 200, samples: 500, room: 512, megabytes: 4 },
  { where: 'emg.hdf5', label: 10, samples: 40_000, room: 3000, megabytes: 8 },
  { where: 'trials.csv', label: 400_000, samples: 2, room: 700, megabytes: 4 }
])
  test(
    `a full disk while writing ${scenario.where}: DiskFullError naming it, every committed trial readable, and the next write works once space is freed`,
    { skip: isRoot ? false : 'needs root to mount a small tmpfs (run the fault suite as root)' },
    async () => {
      const { dir, cleanup } = makeTempDir('axopy-enospc-');
      const mount = join(dir, 'small');
      mkdirSync(mount);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${scenario.megabytes}m`, 'tmpfs', mount]);
      let writer: TaskWriter | undefined;
      try {
        writer = newStorage(join(mount, 'data')).createTask('t');
        const task = join(mount, 'data', 's1', 't');
        // Fill the disk but for a little, so a trial fails mid-way (the HDF5 data or the CSV row).
        const filler = join(mount, 'filler');
        writeFileSync(filler, Buffer.alloc(scenario.megabytes * 1024 * 1024 - scenario.room * 1024));
        const block = new Design().addBlock();
        let written = 0;
        let failure: unknown;
        for (let i = 0; i < 200 && failure === undefined; i++) {
          const trial = block.addTrial({ i, label: 'x'.repeat(scenario.label) });
          trial.addArray('emg').stack({
            dtype: 'float64',
            shape: [4, scenario.samples],
            data: new Float64Array(4 * scenario.samples).fill(i)
          });
          trial.addArray('force').stack({ dtype: 'int32', shape: [10], data: new Int32Array(10).fill(i) });
          try {
            await writer.write(trial);
            written++;
          } catch (error) {
            failure = error;
          }
        }
        assert.ok(failure instanceof DiskFullError, `expected DiskFullError, got ${String(failure)}`);
        assert.ok(written > 0, 'some trials fit before the disk filled');
        assert.ok(
          failure.message.includes(join(task, scenario.where)),
          `the error names ${scenario.where}: ${failure.message}`
        );
        let read = readWithPandasH5py(task, ['emg', 'force']);
        assert.equal(read.rows.length, written, 'pandas reads every committed row and no partial one');
        rmSync(filler); // space comes back
        for (let i = written; i < written + 3; i++) {
          const trial = block.addTrial({ i, label: 'x'.repeat(scenario.label) });
          trial.addArray('emg').stack({
            dtype: 'float64',
            shape: [4, scenario.samples],
            data: new Float64Array(4 * scenario.samples).fill(i)
          });
          trial.addArray('force').stack({ dtype: 'int32', shape: [10], data: new Int32Array(10).fill(i) });
          await writer.write(trial);
        }
        await writer.close();
        writer = undefined;
        read = readWithPandasH5py(task, ['emg', 'force']);
        assert.deepEqual(
          read.rows.map(r => r.i),
          Array.from({ length: written + 3 }, (_, i) => i)
        );
        assert.equal(Object.keys(read.datasets.emg).length, written + 3, 'no dataset of the failed trial left over');
        for (const [name, values] of Object.entries(read.datasets.emg))
          assert.ok(
            values.flat().every(v => v === Number(name)),
            `emg ${name}`
          );
        for (const [name, values] of Object.entries(read.datasets.force))
          assert.ok(
            values.every(v => v === Number(name)),
            `force ${name}`
          );
        assert.ok(!readFileSync(join(task, 'trials.csv'), 'utf8').includes('\n\n'));
        console.log(
          `ENOSPC in ${scenario.where} (${scenario.samples} samples): ${written} trials before the disk filled (${(failure as Error).message.split(':')[0]}), 3 after it was freed`
        );
      } finally {
        await writer?.close().catch(() => undefined); // after a failed assertion
        try {
          execFileSync('umount', [mount]);
        } catch {
          execFileSync('umount', ['-l', mount]); // a file still open after a failed assertion
        }
        cleanup();
      }
    }
  );
