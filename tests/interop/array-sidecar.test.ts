/**
 * The `<array>.json` sidecar: written by Python's json.dump and read by TaskReader/Epochs,
 * written by TaskWriter.describeArray and read by Python's json.load, malformed ones refused
 * with SidecarFormatError naming the file, and ignored by the real AxoPy 0.2.3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage, SidecarFormatError, TaskReader } from '../../src/kernel/index.js';
import { PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python.js';

const WRITE_TASK_WITH_SIDECAR = `
import sys, json, numpy as np
from axopy.storage import Storage
from axopy.design import Design
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
writer = storage.create_task('gestures')
block = Design().add_block()
for i in range(4):
    trial = block.add_trial(attrs={'gesture': ['rest', 'fist'][i % 2]})
    trial.add_array('emg', stack_axis=1)
    trial.arrays['emg'].stack(np.arange(3 * 10, dtype=float).reshape(3, 10) + i)
    writer.write(trial)
json.dump({'sample_rate': 2000, 'channel_names': ['FDS', 'EDC', 'FCU']}, open(sys.argv[1] + '/p01/gestures/emg.json', 'w'))
`;

/** Runs `check` on the reader of a task AxoPy wrote (with the sidecar unless `withoutSidecar`). */
async function withGesturesTask(
  check: (reader: TaskReader, root: string) => Promise<void>,
  withoutSidecar = false
): Promise<void> {
  const { dir, cleanup } = makeTempDir();
  try {
    const root = join(dir, 'data');
    runPython(
      withoutSidecar ? WRITE_TASK_WITH_SIDECAR.replace(/^json\.dump.*$/m, '') : WRITE_TASK_WITH_SIDECAR,
      [root],
      PYTHON
    );
    const storage = new Storage(root, { readOnly: true });
    storage.subjectId = 'p01';
    await check(storage.requireTask('gestures'), root);
  } finally {
    cleanup();
  }
}

test('a sidecar json.dump wrote gives TaskReader and Epochs the sample rate and channel names', () =>
  withGesturesTask(async reader => {
    assert.deepEqual(reader.arrayMetadata('emg'), { sampleRate: 2000, channelNames: ['FDS', 'EDC', 'FCU'] });
    assert.deepEqual(reader.arrayNames(), ['emg'], 'the sidecar is not an array');
    const epochs = await reader.epochs('emg');
    assert.equal(epochs.sampleRate, 2000);
    assert.deepEqual(epochs.channelNames, ['FDS', 'EDC', 'FCU']);
    assert.deepEqual(
      epochs.channel([2, 0]).channelNames,
      ['FCU', 'FDS'],
      'channel() keeps the names of the channels it picks'
    );
    assert.equal(epochs.where(t => t.gesture === 'fist').sampleRate, 2000);
  }));

test('without a sidecar the metadata is empty and channels are named by number', () =>
  withGesturesTask(async reader => {
    assert.deepEqual(reader.arrayMetadata('emg'), {});
    const epochs = await reader.epochs('emg');
    assert.equal(epochs.sampleRate, undefined);
    assert.deepEqual(epochs.channelNames, ['channel 0', 'channel 1', 'channel 2']);
  }, true));

test('TaskWriter.describeArray writes what json.load reads, and the real AxoPy reads the task as if it were not there', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const root = join(dir, 'data');
    const storage = new Storage(root);
    storage.subjectId = 'p01';
    const writer = storage.createTask('gestures');
    writer.describeArray('emg', { sampleRate: 1000.5, channelNames: ['a', 'b'] });
    for (let i = 0; i < 3; i++) {
      await writer.write({
        attrs: { gesture: i % 2 ? 'fist' : 'rest' },
        arrays: {
          emg: {
            data: { dtype: 'float64', shape: [2, 4], data: Float64Array.from({ length: 8 }, (_, k) => k + 10 * i) }
          }
        }
      });
    }
    await writer.close();
    const seen = runPythonJson<Record<string, unknown>>(
      `import sys, json, numpy as np
from axopy.storage import Storage
storage = Storage(sys.argv[1]); storage.subject_id = 'p01'
reader = storage.require_task('gestures')
emg = reader.array('emg')
print(json.dumps({'sidecar': json.load(open(sys.argv[1] + '/p01/gestures/emg.json')),
                  'tasks': list(storage.task_ids), 'gestures': reader.trials['gesture'].tolist(),
                  'shape': list(emg.shape), 'sum': float(emg.sum())}))`,
      [root],
      undefined,
      PYTHON
    );
    assert.deepEqual(seen.sidecar, { sample_rate: 1000.5, channel_names: ['a', 'b'] });
    assert.deepEqual(seen.tasks, ['gestures']);
    assert.deepEqual(seen.gestures, ['rest', 'fist', 'rest']);
    assert.deepEqual(seen.shape, [6, 4], 'AxoPy stacks the 3 trials of (2, 4) as it does without a sidecar');
    assert.equal(
      seen.sum,
      [0, 1, 2].reduce((s, i) => s + 28 + 80 * i, 0)
    );
    assert.throws(() => writer.describeArray('emg', { sampleRate: -1 }), SidecarFormatError);
  } finally {
    cleanup();
  }
});

const MALFORMED: [string, string, RegExp][] = [
  ['not JSON', '{"sample_rate": 2000,', /emg\.json: is not JSON/],
  ['a list', '[2000]', /emg\.json: must hold a JSON object/],
  ['a negative sample rate', '{"sample_rate": -5}', /emg\.json: sample_rate must be a positive number.*-5/],
  ['a sample rate as text', '{"sample_rate": "2 kHz"}', /emg\.json: sample_rate must be a positive number/],
  [
    'names that are not strings',
    '{"channel_names": ["FDS", 2, "FCU"]}',
    /emg\.json: channel_names must be a list of strings/
  ],
  ['a name twice', '{"channel_names": ["FDS", "FDS", "FCU"]}', /emg\.json: channel_names has "FDS" twice/],
  [
    'two names for three channels',
    '{"channel_names": ["FDS", "EDC"]}',
    /emg\.json: channel_names has 2 names but the array has 3 channels/
  ]
];

test('a malformed sidecar is a SidecarFormatError naming the file and what is wrong', () =>
  withGesturesTask(async (reader, root) => {
    for (const [what, text, message] of MALFORMED) {
      writeFileSync(join(root, 'p01', 'gestures', 'emg.json'), text);
      await assert.rejects(
        async () => {
          reader.arrayMetadata('emg');
          await reader.epochs('emg');
        },
        (error: unknown) => error instanceof SidecarFormatError && message.test((error as Error).message),
        what
      );
    }
  }));
