/**
 * Child process for the crash tests: writes trials forever into `<root>/s1/crash` with values
 * derived from the row index, printing "done <row>" after each `write` returns. The parent
 * kills it with SIGKILL at a random moment. Trial 5 adds a column (a header rewrite) and every
 * 7th trial also rewrites a pickle, so kills land inside those too.
 */
import { Storage, Design } from '../../src/kernel/index.js';

export const CRASH_CHANNELS = 4;
export const CRASH_SAMPLES = 500;

async function main(): Promise<void> {
  const root = process.argv[2];
  const storage = new Storage(root);
  storage.subjectId = 's1';
  const writer = storage.createTask('crash', { columnDTypes: { score: 'float64' } });
  const block = new Design().addBlock();
  for (let row = 0; ; row++) {
    const attrs: Record<string, number | string> = { score: row / 4, label: `t${row}` };
    if (row >= 5) attrs.late = row * 10;
    const trial = block.addTrial(attrs);
    const data = new Float64Array(CRASH_CHANNELS * CRASH_SAMPLES).fill(row);
    trial.addArray('emg').stack({ dtype: 'float64', shape: [CRASH_CHANNELS, CRASH_SAMPLES], data });
    trial.addArray('count').stack({ dtype: 'int32', shape: [row % 3], data: new Int32Array(row % 3).fill(row) });
    await writer.write(trial);
    if (row % 7 === 0) writer.pickle({ lastRow: row, note: 'x'.repeat(row * 100) }, 'progress');
    process.stdout.write(`done ${row}\n`);
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
