/**
 * Child process for the ZIP crash test: archives `<root>` to `<outfile>`, printing "started"
 * once the first bytes are written (so the parent can kill it mid-export) and "done" at the end.
 */
import { storageToZip } from '../../src/kernel/index.js';

let started = false;
storageToZip(process.argv[2], process.argv[3], {
  onProgress: progress => {
    if (!started && progress.bytesDone > 0) {
      started = true;
      process.stdout.write('started\n');
    }
  }
}).then(
  () => process.stdout.write('done\n'),
  error => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  }
);
