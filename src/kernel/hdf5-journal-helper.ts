/**
 * The helper process of hdf5-journal.ts: started detached by a process that writes HDF5 files,
 * it waits for that process to end (its stdin closes), then replays every complete journal it
 * left in the journal folder (argv[2]) and removes the folder. A writer that ends normally
 * leaves no journal, so then it only removes the folder.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { applyWrites, decodeJournal } from './hdf5-journal.js';

function replayJournals(folder: string): void {
  const journals = fs.existsSync(folder) ? fs.readdirSync(folder).filter(name => name.endsWith('.journal')) : [];
  // Numbered in commit order; at most one is ever in flight per file.
  journals.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  for (const name of journals) {
    const batch = decodeJournal(fs.readFileSync(nodePath.join(folder, name)));
    if (batch !== undefined) {
      applyWrites(batch.target, batch.writes);
    }
  }
  fs.rmSync(folder, { recursive: true, force: true });
}

const folder = process.argv[2];
if (folder) {
  process.stdin.on('close', () => replayJournals(folder));
  process.stdin.on('error', () => replayJournals(folder));
  process.stdin.resume();
}
