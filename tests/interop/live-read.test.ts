import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskReader } from '../../src/kernel/index.js';
import { makeTempDir } from '../helpers/python.js';

const SECONDS = Number(process.env.AXOPY_LIVE_SECONDS ?? 8);
const HZ = 50;
const writerScript = join(__dirname, '..', 'helpers', 'live-writer.js');

test(`a TaskReader follows a task appended at ${HZ} Hz for ${SECONDS} s without an error`, async () => {
  const { dir, cleanup } = makeTempDir('axopy-live-');
  try {
    const child = spawn(process.execPath, [writerScript, dir, String(HZ), String(SECONDS)], {
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', chunk => (stderr += chunk));
    child.stdout.on('data', chunk => (stdout += chunk));
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
    const task = join(dir, 's1', 'live');
    let running = true;
    void exited.then(() => (running = false));
    let reads = 0;
    let lastRows = 0;
    const rowCountsSeen = new Set<number>();
    while (running) {
      if (existsSync(join(task, 'trials.csv'))) {
        const reader = new TaskReader(task);
        const rows = reader.trialCount;
        assert.ok(rows >= lastRows, `rows never go back (${rows} after ${lastRows})`);
        if (rows > 0) {
          const column = reader.trials.array('i') as ArrayLike<number>;
          assert.deepEqual(Array.from(column), [...Array(rows).keys()], 'every row complete and in order');
          // The newest row's array is in the file: arrays are flushed before the row is written.
          const newest = await reader.trialArray('emg', rows - 1);
          assert.ok(
            (newest.data as Int32Array).every(v => v === rows - 1),
            `array of row ${rows - 1}`
          );
        }
        lastRows = rows;
        rowCountsSeen.add(rows);
        reads++;
      }
      await sleep(5);
    }
    assert.equal(await exited, 0, `writer failed: ${stderr}`);
    const final = new TaskReader(task);
    const written = Number(/finished (\d+)/.exec(stdout)?.[1]);
    assert.equal(final.trialCount, written, 'every trial the writer finished is in trials.csv');
    // The reader ran while the file grew: it saw the table at several sizes, not only the end.
    assert.ok(rowCountsSeen.size >= 3, `row counts seen while writing: ${[...rowCountsSeen].join(', ')}`);
    let row = 0;
    for await (const array of final.iterArray('emg')) assert.equal((array.data as Int32Array)[0], row++);
    assert.equal(row, final.trialCount);
    console.log(`live read: ${reads} reads while ${final.trialCount} trials were appended`);
  } finally {
    cleanup();
  }
});
