/**
 * The core ZIP writer as the browser's export worker runs it: an append-only output (so data
 * descriptors), the JavaScript CRC-32 and CompressionStream DEFLATE (`webZipCodecs`, which
 * Node has too), checked by Python's zipfile and `unzip -t`, including both ZIP64 triggers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { webZipCodecs, ZipArchiveWriter, ZipLimitError, type ZipOutput } from '../../src/core/zip/index.js';
import { PYTHON } from '../helpers/python';

const CHECKER = path.resolve(__dirname, '../../../tests/python/zip64_check.py');
const MTIME = new Date(2024, 4, 17, 13, 45, 30);
const MIB = 1024 * 1024;

interface EntryCheck {
  size: number;
  method: 'store' | 'deflate' | 'other';
  data_descriptor: boolean;
  utf8: boolean;
  text?: string;
}

interface ArchiveCheck {
  count: number;
  zip64_end_record: boolean;
  testzip: string | null;
  entries: Record<string, EntryCheck>;
}

let workDir: string;

before(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-zip-writer-'));
});

after(() => fs.rmSync(workDir, { recursive: true, force: true }));

function checkWithPython(archive: string, names: string[]): ArchiveCheck {
  return JSON.parse(execFileSync(PYTHON, [CHECKER, archive, ...names], { encoding: 'utf8' })) as ArchiveCheck;
}

function unzipTest(archive: string): string {
  return execFileSync('unzip', ['-tq', archive], { encoding: 'utf8', maxBuffer: 64 * MIB });
}

/**
 * An append-only archive file (no `patch`: the writer must use data descriptors, as with the
 * browser's download). Chunks that are `hole` itself are skipped, not written, leaving the file
 * sparse: a > 4 GiB entry of zeros then costs no disk.
 */
function appendOnlyFile(filePath: string, hole?: Uint8Array): ZipOutput & { close(): void } {
  const fd = fs.openSync(filePath, 'w');
  let position = 0;
  return {
    write: async bytes => {
      if (bytes !== hole) {
        fs.writeSync(fd, bytes, 0, bytes.length, position);
      }
      position += bytes.length;
    },
    close: () => {
      fs.ftruncateSync(fd, position);
      fs.closeSync(fd);
    }
  };
}

async function* chunksOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

const text = (value: string) => new TextEncoder().encode(value);

test('an append-only output gets data descriptors that zipfile and unzip accept, in classic ZIP', async () => {
  const archive = path.join(workDir, 'classic.zip');
  const output = appendOnlyFile(archive);
  const writer = new ZipArchiveWriter(output, webZipCodecs, { zip64: false });
  const csv = text('trial,gain\n' + Array.from({ length: 200_000 }, (_, i) => `${i},${i / 7}`).join('\n') + '\n');
  await writer.addStream(
    'r/s\u00e9/t/trials.csv',
    chunksOf(csv.subarray(0, 3 * MIB), csv.subarray(3 * MIB)),
    'deflate',
    MTIME
  );
  const binary = new Uint8Array(3 * MIB).map((_, i) => (i * 2654435761) >>> 24);
  await writer.addStream(
    'r/s\u00e9/t/emg.hdf5',
    chunksOf(binary.subarray(0, MIB + 1), binary.subarray(MIB + 1)),
    'store',
    MTIME
  );
  await writer.addBytes('r/s\u00e9/t/note.pkl', text('a small one'), 'deflate', MTIME);
  await writer.finish();
  output.close();

  const check = checkWithPython(archive, ['r/s\u00e9/t/trials.csv', 'r/s\u00e9/t/emg.hdf5', 'r/s\u00e9/t/note.pkl']);
  assert.equal(check.testzip, null);
  assert.equal(check.count, 3);
  assert.equal(check.zip64_end_record, false);
  const entries = check.entries;
  assert.deepEqual(
    [entries['r/s\u00e9/t/trials.csv'].size, entries['r/s\u00e9/t/emg.hdf5'].size],
    [csv.length, binary.length]
  );
  assert.equal(entries['r/s\u00e9/t/trials.csv'].method, 'deflate');
  assert.equal(entries['r/s\u00e9/t/emg.hdf5'].method, 'store');
  assert.equal(entries['r/s\u00e9/t/trials.csv'].data_descriptor, true, 'streamed: sizes after the data');
  assert.equal(entries['r/s\u00e9/t/note.pkl'].data_descriptor, false, 'in memory: sizes in the local header');
  assert.equal(entries['r/s\u00e9/t/note.pkl'].text, 'a small one');
  assert.ok(Object.values(entries).every(entry => entry.utf8));
  assert.match(unzipTest(archive), /No errors detected/);
});

test('past 65 535 entries the archive gets ZIP64 records that zipfile and unzip read', async () => {
  const archive = path.join(workDir, 'many.zip');
  const output = appendOnlyFile(archive);
  const writer = new ZipArchiveWriter(output, webZipCodecs, { zip64: true });
  const count = 65_537;
  for (let i = 0; i < count; i++) {
    const name = `many/${String(i).padStart(5, '0')}.csv`;
    if (i % 1000 === 0) {
      await writer.addStream(name, chunksOf(text(`streamed ${i}\n`)), 'deflate', MTIME);
    } else {
      await writer.addBytes(name, text(`row ${i}\n`), i % 2 === 0 ? 'deflate' : 'store', MTIME);
    }
  }
  await writer.finish();
  output.close();

  const check = checkWithPython(archive, ['many/00000.csv', 'many/00001.csv', 'many/65536.csv']);
  assert.equal(check.count, count);
  assert.equal(check.zip64_end_record, true);
  assert.equal(check.testzip, null);
  assert.equal(check.entries['many/00000.csv'].text, 'streamed 0\n');
  assert.equal(check.entries['many/00001.csv'].text, 'row 1\n');
  assert.equal(check.entries['many/65536.csv'].text, 'row 65536\n');
  assert.match(unzipTest(archive), /No errors detected/);
});

test('without ZIP64 planned, a 65 535th entry fails the archive instead of corrupting it', async () => {
  const output: ZipOutput = { write: async () => undefined };
  const writer = new ZipArchiveWriter(output, webZipCodecs, { zip64: false });
  for (let i = 0; i < 65_535; i++) {
    await writer.addBytes(`e/${i}`, text('x'), 'store', MTIME);
  }
  await assert.rejects(writer.finish(), ZipLimitError);
});

test('a streamed entry over 4 GiB gets ZIP64 sizes, and the entry after it a ZIP64 offset', async () => {
  const archive = path.join(workDir, 'big.zip');
  const zeros = new Uint8Array(64 * MIB);
  const output = appendOnlyFile(archive, zeros);
  const writer = new ZipArchiveWriter(output, webZipCodecs, { zip64: true });
  const tail = text('end of a long recording\n');
  const chunkCount = 4 * 16 + 1; // 4 GiB + 64 MiB of zeros
  async function* bigChunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < chunkCount; i++) {
      yield zeros;
    }
    yield tail;
  }
  const result = await writer.addStream('big/emg.hdf5', bigChunks(), 'store', MTIME);
  await writer.addBytes('big/trials.csv', text('trial\n0\n'), 'deflate', MTIME);
  await writer.finish();
  output.close();

  const size = chunkCount * zeros.length + tail.length;
  assert.equal(result.size, size);
  assert.ok(size > 2 ** 32);
  const check = checkWithPython(archive, ['big/emg.hdf5', 'big/trials.csv']);
  assert.equal(check.zip64_end_record, true);
  assert.equal(check.testzip, null, 'every CRC-32 checks out, the > 4 GiB entry included');
  assert.equal(check.entries['big/emg.hdf5'].size, size);
  assert.equal(check.entries['big/emg.hdf5'].data_descriptor, true);
  assert.equal(check.entries['big/trials.csv'].text, 'trial\n0\n', 'found past 4 GiB through its ZIP64 offset');
  assert.match(unzipTest(archive), /No errors detected/);
});
