/**
 * Child process of the crash tests: appends trial after trial to FILE, each a float64
 * 8 x COLUMNS dataset "<i>" = i * 1e6 + arange (plus a bool dataset "b<i>" every 7th trial),
 * flushing after each and printing "done <i>" once the flush returned.
 * - Without TRIALS it goes on until it is killed.
 * - With TRIALS it writes that many, then one more whose flush it kills itself in (SIGKILL)
 *   right after the flush journal was written, letting only LET_THROUGH (default 0) of the
 *   batch's writes reach the HDF5 file: a torn flush, which only the journal helper can mend.
 * Usage: node hdf5-crash-child.js FILE COLUMNS [TRIALS [LET_THROUGH]]
 */
// The module object itself (not an import namespace), so that writeSync can be replaced.
import fs = require('node:fs');
import { Hdf5File } from '../../src/kernel/hdf5.js';

function writeTrial(h5: Hdf5File, trial: number, columns: number): void {
  const data = new Float64Array(8 * columns);
  for (let k = 0; k < data.length; k++) {
    data[k] = trial * 1e6 + k;
  }
  h5.create(String(trial), { dtype: 'float64', shape: [8, columns], data });
  if (trial % 7 === 0) {
    const bits = Uint8Array.from({ length: 8 }, (_, k) => (trial >> k) & 1);
    h5.create(`b${trial}`, { dtype: 'bool', shape: [8], data: bits });
  }
}

/** Makes the process kill itself once `letThrough` fs.writeSync calls followed a journal write. */
function killAfterJournalWrite(letThrough: number): void {
  const writeSync = fs.writeSync;
  let writesSinceJournal = -1;
  fs.writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (writesSinceJournal >= 0 && writesSinceJournal++ === letThrough) {
      process.kill(process.pid, 'SIGKILL');
    }
    const buffer = args[1];
    if (
      ArrayBuffer.isView(buffer) &&
      Buffer.from(buffer.buffer, buffer.byteOffset, 18).toString() === 'AXOPY-HDF5-JOURNAL'
    ) {
      writesSinceJournal = 0;
    }
    return writeSync(...args);
  }) as typeof fs.writeSync;
}

async function main(): Promise<void> {
  const [file, columnsText, trialsText, letThroughText] = process.argv.slice(2);
  const columns = Number(columnsText);
  const trials = trialsText === undefined ? Infinity : Number(trialsText);
  const h5 = await Hdf5File.open(file, 'a');
  fs.writeSync(1, 'ready\n');
  for (let trial = 0; trial < trials; trial++) {
    writeTrial(h5, trial, columns);
    h5.flush();
    fs.writeSync(1, `done ${trial}\n`);
  }
  writeTrial(h5, trials, columns);
  // DIE_IN_LAST_FLUSH names a crash point (hdf5-journal.ts) to die at in this last flush.
  if (process.env.DIE_IN_LAST_FLUSH) process.env.AXOPY_DIE_AT = process.env.DIE_IN_LAST_FLUSH;
  killAfterJournalWrite(Number(letThroughText ?? 0));
  h5.flush();
  fs.writeSync(1, 'not killed\n');
}

void main();
