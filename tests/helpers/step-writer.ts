/**
 * Child process of the permission test: `step-writer.js ROOT`, run as another user. Creates task
 * s1/t and, for each line "write" on stdin, writes the next trial (attrs { i }, emg int32 [2]
 * filled with i) and prints one JSON line { ok } or { error: name, message }; "write-new" also
 * gives the trial a second array, "late" (a new file, late.hdf5); "close" closes the writer and
 * exits.
 */
import { createInterface } from 'node:readline';
import { Storage, Design } from '../../src/kernel/index.js';

const storage = new Storage(process.argv[2]);
storage.subjectId = 's1';
const writer = storage.createTask('t');
const block = new Design().addBlock();
let next = 0;
const lines = createInterface({ input: process.stdin });
lines.on('line', line => {
  void (async () => {
    if (line === 'close') {
      await writer.close();
      process.stdout.write(JSON.stringify({ ok: true }) + '\n');
      process.exit(0);
    }
    const trial = block.addTrial({ i: next });
    trial.addArray('emg').stack({ dtype: 'int32', shape: [2], data: new Int32Array(2).fill(next) });
    if (line === 'write-new') trial.addArray('late').stack({ dtype: 'int32', shape: [1], data: Int32Array.of(next) });
    try {
      await writer.write(trial);
      next++;
      process.stdout.write(JSON.stringify({ ok: true }) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ error: (error as Error).name, message: (error as Error).message }) + '\n');
    }
  })();
});
