/**
 * `durability: 'fsync'` really fsyncs, in the order that makes a committed trial survive a
 * machine crash (the .hdf5 before the trials.csv row, trials.csv after it), and the default
 * does not fsync per trial. Seen from outside with strace (skipped without it); a power cut
 * itself is not simulated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/python.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const TRIALS = 5;

/** The paths fsynced by a child writing TRIALS trials with `durability`, in order. */
function fsyncedPaths(root: string, durability: string): string[] {
  const kernel = join(__dirname, '..', '..', 'src', 'kernel', 'index.js');
  const script = `
const { Storage, Design } = require(${JSON.stringify(kernel)});
(async () => {
  const storage = new Storage(${JSON.stringify(root)});
  storage.subjectId = 's1';
  const writer = storage.createTask('t', { durability: ${JSON.stringify(durability)} });
  const block = new Design().addBlock();
  for (let i = 0; i < ${TRIALS}; i++) {
    const trial = block.addTrial({ i });
    trial.addArray('emg').stack({ dtype: 'float64', shape: [2, 100], data: new Float64Array(200).fill(i) });
    await writer.write(trial);
  }
  await writer.close();
})();`;
  const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=fsync,fdatasync', '-y', process.execPath, '-e', script], {
    encoding: 'utf8'
  });
  assert.equal(run.status, 0, run.stderr);
  const trace = run.stderr;
  return trace
    .split('\n')
    .map(line => /f(?:data)?sync\(\d+<([^>]*)>\)/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

test(
  'durability "fsync": the .hdf5 is fsynced before each trials.csv row, trials.csv after it; the default fsyncs no trial',
  { skip: hasStrace ? false : 'strace is not installed' },
  () => {
    const { dir, cleanup } = makeTempDir('axopy-durability-');
    try {
      const task = join(dir, 'fsync', 's1', 't');
      const durable = fsyncedPaths(join(dir, 'fsync'), 'fsync');
      const emg = join(task, 'emg.hdf5');
      const csv = join(task, 'trials.csv');
      assert.ok(durable.filter(path => path === emg).length >= TRIALS, durable.join('\n'));
      // Rows after the first are appended and fsynced in place (the first goes through a temp file).
      assert.ok(durable.filter(path => path === csv).length >= TRIALS - 1, durable.join('\n'));
      let emgSinceRow = false;
      for (const path of durable) {
        if (path === emg) emgSinceRow = true;
        if (path === csv) {
          assert.ok(emgSinceRow, 'each row is fsynced after the .hdf5 it points into');
          emgSinceRow = false;
        }
      }
      const fast = fsyncedPaths(join(dir, 'flush'), 'flush');
      const fastTask = join(dir, 'flush', 's1', 't');
      assert.deepEqual(
        fast.filter(path => path === join(fastTask, 'emg.hdf5') || path === join(fastTask, 'trials.csv')),
        []
      );
    } finally {
      cleanup();
    }
  }
);
