/** Child process for the ZIP crash test: archives `<root>` to `<outfile>` and prints "done". */
import { storageToZip } from '../../src/kernel/index.js';

storageToZip(process.argv[2], process.argv[3]).then(
  () => process.stdout.write('done\n'),
  error => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  }
);
