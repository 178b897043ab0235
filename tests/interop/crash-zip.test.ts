import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeTempDir, runPythonJson } from '../helpers/python.js';

const KILLS = Number(process.env.AXOPY_ZIP_KILLS ?? 4);
const zipChild = join(__dirname, '..', 'helpers', 'zip-child.js');

function runAndKill(root: string, outfile: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [zipChild, root, outfile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let done = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    // The clock starts when the archive has its first bytes, so the kill lands inside the export.
    child.stdout.on('data', chunk => {
      const text = String(chunk);
      done ||= text.includes('done');
      if (text.includes('started') && timer === undefined) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', chunk => (stderr += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`zip child failed: ${stderr}`));
      else resolve(done);
    });
  });
}

test(`a ZIP export killed ${KILLS} times never leaves a partial archive under its final name`, async () => {
  const { dir, cleanup } = makeTempDir('axopy-zipcrash-');
  try {
    const root = join(dir, 'data');
    for (const subject of ['s1', 's2']) {
      for (const task of ['a', 'b']) {
        mkdirSync(join(root, subject, task), { recursive: true });
        writeFileSync(join(root, subject, task, 'trials.csv'), 'block,trial\n0,0\n');
        writeFileSync(join(root, subject, task, 'emg.hdf5'), randomBytes(24 * 1024 * 1024));
      }
    }
    const outcomes: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const outfile = join(dir, `out${k}.zip`);
      const finished = await runAndKill(root, outfile, Math.floor(Math.random() * 20));
      outcomes.push(finished ? 'finished' : 'killed');
      if (!existsSync(outfile)) {
        assert.equal(finished, false, 'a finished export has its archive');
        continue;
      }
      const verdict = runPythonJson<{ ok: boolean; names: number }>(
        'import zipfile, sys, json\nz = zipfile.ZipFile(sys.argv[1]); print(json.dumps({"ok": z.testzip() is None, "names": len(z.namelist())}))',
        [outfile]
      );
      assert.deepEqual(verdict, { ok: true, names: 8 }, `${outfile} is complete`);
    }
    assert.ok(outcomes.includes('killed'), `at least one export was killed mid-way: ${outcomes.join(', ')}`);
    const stray = readdirSync(dir).filter(name => name.endsWith('.zip') && !/^out\d+\.zip$/.test(name));
    assert.deepEqual(stray, [], 'no other archive names');
    console.log(`zip crash test: ${outcomes.join(', ')}`);
  } finally {
    cleanup();
  }
});
