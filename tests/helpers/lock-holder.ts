/**
 * Child process for the lock tests: `lock-holder.js ROOT TASK [hold|race]`.
 * - hold: creates task TASK under subject s1, writes one trial, prints "holding", then waits to
 *   be killed (its lock stays behind, stale once it is dead).
 * - race: waits for the start time given in RACE_AT (ms since the epoch), then calls createTask
 *   and prints "created" or the error's name.
 */
import { Storage, Design } from '../../src/kernel/index.js';

async function main(): Promise<void> {
  const [root, task, mode] = process.argv.slice(2);
  const storage = new Storage(root);
  storage.subjectId = 's1';
  if (mode === 'race') {
    while (Date.now() < Number(process.env.RACE_AT)) {
      /* spin to the common start */
    }
    try {
      storage.createTask(task);
      process.stdout.write('created\n');
    } catch (error) {
      process.stdout.write(`${(error as Error).name}\n`);
    }
    return;
  }
  const writer = storage.createTask(task);
  const trial = new Design().addBlock().addTrial({ x: 1 });
  trial.addArray('emg').stack({ dtype: 'int32', shape: [2], data: Int32Array.of(7, 7) });
  await writer.write(trial);
  process.stdout.write('holding\n');
  setInterval(() => undefined, 1000);
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
