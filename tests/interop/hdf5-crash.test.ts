import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { journalPathFor } from '../../src/kernel/hdf5-journal.js';
import { PYTHON } from '../helpers/python';

const CHILD = path.join(__dirname, 'hdf5-crash-child.js');
const CHECK = path.resolve(__dirname, '../../../tests/python/hdf5_check_crash.py');
const COLUMNS = 2000;
const KILLS = 10;

/** Runs the writer child, SIGKILLs it `delayMs` after it opened the file; returns trials done. */
async function writeAndKill(file: string, delayMs: number): Promise<{ done: number }> {
  const child = spawn(process.execPath, [CHILD, file, String(COLUMNS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let ready!: () => void;
  const isReady = new Promise<void>(resolve => (ready = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready\n')) {
      ready();
    }
  });
  const exited = new Promise(resolve => child.on('exit', resolve));
  await Promise.race([isReady, exited]);
  await sleep(delayMs);
  child.kill('SIGKILL');
  await exited;
  const done = output.split('\n').filter(line => line.startsWith('done ')).length;
  return { done };
}

test('every flushed trial survives a SIGKILL of the writer at a random moment (h5py reads it)', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-hdf5-crash-'));
  let total = 0;
  for (let run = 0; run < KILLS; run++) {
    const file = path.join(tmp, `${run}.hdf5`);
    const delayMs = Math.round(20 + Math.random() * 400);
    const { done } = await writeAndKill(file, delayMs);
    // The writer's helper process finishes a batch that was in flight and removes its journal.
    for (let waited = 0; fs.existsSync(journalPathFor(file)) && waited < 10_000; waited += 20) {
      await sleep(20);
    }
    assert.ok(!fs.existsSync(journalPathFor(file)), `run ${run}: the journal helper did not finish`);
    let report: string;
    try {
      report = execFileSync(PYTHON, [CHECK, file, String(done), String(COLUMNS)], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? error);
      assert.fail(
        `run ${run}, killed ${delayMs} ms after open, ${done} trials done: ${stderr.trim().split('\n').slice(-2).join(' | ')}`
      );
    }
    assert.match(report, new RegExp(`^ok ${done} of \\d+`), `run ${run}`);
    total += done;
  }
  assert.ok(total >= KILLS, `the writer must get trials done before the kills (${total})`);
  fs.rmSync(tmp, { recursive: true, force: true });
});
