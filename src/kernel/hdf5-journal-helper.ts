/**
 * The helper process of hdf5-journal.ts: started detached by a process that writes HDF5 files,
 * it reads from its stdin which files that process has open for writing ("+<path>" when opened,
 * "-<path>" when closed) and, once the process has ended (stdin closes), recovers the journal
 * beside each file still open (`recoverJournal`: only this user's journal, complete, made for
 * that very file). It never looks at any other file or folder.
 */
import { recoverJournal } from './hdf5-journal-recovery.js';

const openFiles = new Set<string>();
let buffered = '';
let finished = false;

function recoverAll(): void {
  if (finished) return;
  finished = true;
  for (const path of openFiles) {
    try {
      recoverJournal(path);
    } catch {
      // left for the next open, which reports it
    }
  }
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop()!;
  for (const line of lines) {
    if (line.startsWith('+')) openFiles.add(line.slice(1));
    else if (line.startsWith('-')) openFiles.delete(line.slice(1));
  }
});
process.stdin.on('end', recoverAll);
process.stdin.on('close', recoverAll);
process.stdin.on('error', recoverAll);
