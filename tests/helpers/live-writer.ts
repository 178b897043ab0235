/**
 * Child process for the live-reading test: appends trials to `<root>/s1/live` at a steady rate
 * (`hz`) for `seconds`, then prints "finished <trials written>" and exits. Trial i holds attrs { i } and an int32 array filled with i.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Storage, Design } from '../../src/kernel/index.js';

async function main(): Promise<void> {
  const [root, hz, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const storage = new Storage(root);
  storage.subjectId = 's1';
  const writer = storage.createTask('live');
  const block = new Design().addBlock();
  const period = 1000 / hz;
  const start = Date.now();
  let written = 0;
  for (let i = 0; Date.now() - start < seconds * 1000; i++) {
    const trial = block.addTrial({ i, label: `row ${i}` });
    trial.addArray('emg').stack({ dtype: 'int32', shape: [4, 200], data: new Int32Array(800).fill(i) });
    await writer.write(trial);
    written = i + 1;
    const next = start + (i + 1) * period;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  await writer.close();
  process.stdout.write(`finished ${written}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
