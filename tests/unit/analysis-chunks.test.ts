/**
 * How the analysis model asks the worker for chunks (src/lab/analysis/analysis-model.ts): with
 * the shape of the trial the preview plotted, three chunks go at once, the first of a few trials
 * and the others bounded by CHUNK_BYTES; without it the first goes alone and the next are sized
 * by the shape its reply gives; huge trials make chunks of one trial from the first; and no
 * more than CHUNKS_IN_FLIGHT are ever asked for at once. The reducer is the worker's own
 * reduceTrialChunk over trials held in memory, answering after a timer as the worker does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrialsCsv } from '../../src/core/csv/index.js';
import {
  AnalysisModel,
  CHUNK_BYTES,
  CHUNKS_IN_FLIGHT,
  FIRST_CHUNK_TRIALS,
  type ITrialReducer
} from '../../src/lab/analysis/analysis-model.js';
import { reduceTrialChunk, type IReduceChunkRequest } from '../../src/lab/analysis/trial-reduction.js';

const ROWS = 300;
const trials = parseTrialsCsv(
  `trial,gesture\n${Array.from({ length: ROWS }, (_, i) => `${i},${['rest', 'fist'][i % 2]}`).join('\n')}\n`,
  'trials.csv'
);

/** Reduces chunks of `[channels, samples]` trials; records each request's size and how many were pending when it came. */
function recordingReducer(
  channels: number,
  samples: number
): ITrialReducer & {
  asked: { size: number; pending: number; repliesBefore: number }[];
} {
  const data = new Float64Array(channels * samples).map((_, i) => Math.sin(i));
  let pending = 0;
  let replies = 0;
  const asked: { size: number; pending: number; repliesBefore: number }[] = [];
  return {
    asked,
    reduceTrials(chunk: IReduceChunkRequest) {
      pending++;
      asked.push({ size: chunk.trials.length, pending, repliesBefore: replies });
      return new Promise(resolve =>
        setTimeout(() => {
          pending--;
          replies++;
          resolve({ reduced: reduceTrialChunk(() => ({ shape: [channels, samples], data }), chunk), bytesFetched: 0 });
        }, 1)
      );
    }
  };
}

test('with the plotted shape: three chunks at once, the first of a few trials, the next bounded by CHUNK_BYTES', async () => {
  const reducer = recordingReducer(8, 2000);
  const model = new AnalysisModel({ reducer, trials, trialShapeHint: [8, 2000] });
  model.mode = 'average';
  await model.update();
  const perChunk = Math.floor(CHUNK_BYTES / (8 * 2000 * 8));
  assert.deepEqual(
    reducer.asked.slice(0, 3).map(a => [a.size, a.repliesBefore]),
    [
      [FIRST_CHUNK_TRIALS, 0],
      [perChunk, 0],
      [perChunk, 0]
    ]
  );
  assert.equal(
    reducer.asked.reduce((sum, a) => sum + a.size, 0),
    ROWS
  );
  assert.ok(
    reducer.asked.every(a => a.pending <= CHUNKS_IN_FLIGHT),
    JSON.stringify(reducer.asked)
  );
  assert.equal(model.progress.done, ROWS);
  model.dispose();
});

test('without it: the first chunk goes alone, and the next are sized by the shape its reply gives', async () => {
  const reducer = recordingReducer(8, 2000);
  const model = new AnalysisModel({ reducer, trials });
  model.mode = 'average';
  await model.update();
  const perChunk = Math.floor(CHUNK_BYTES / (8 * 2000 * 8));
  assert.deepEqual(reducer.asked[0], { size: FIRST_CHUNK_TRIALS, pending: 1, repliesBefore: 0 });
  assert.equal(reducer.asked[1].repliesBefore, 1, 'the second chunk waits for the first reply');
  assert.ok(
    reducer.asked.slice(1, -1).every(a => a.size === perChunk),
    JSON.stringify(reducer.asked)
  );
  assert.ok(reducer.asked.every(a => a.pending <= CHUNKS_IN_FLIGHT));
  model.dispose();
});

test('huge trials: one trial per chunk from the first (12.8 MB each, past CHUNK_BYTES)', async () => {
  const reducer = recordingReducer(8, 200_000);
  const few = {
    ...trials,
    rowCount: 5,
    values: Object.fromEntries(Object.entries(trials.values).map(([c, v]) => [c, v.slice(0, 5)]))
  };
  const model = new AnalysisModel({ reducer, trials: few, trialShapeHint: [8, 200_000] });
  model.mode = 'average';
  await model.update();
  assert.deepEqual(
    reducer.asked.map(a => a.size),
    [1, 1, 1, 1, 1]
  );
  model.dispose();
});

test('features are read only when asked for: the table columns, or the image sorted by one', async () => {
  const reducer = recordingReducer(2, 100);
  const model = new AnalysisModel({ reducer, trials, trialShapeHint: [2, 100] });
  model.mode = 'average';
  await model.update();
  assert.ok(Number.isNaN(model.feature(0, 'rms', 0)), 'the average computes none');
  model.mode = 'image';
  model.sortBy = 'rms';
  await model.update();
  const rms = Math.sqrt(Array.from({ length: 100 }, (_, i) => Math.sin(i) ** 2).reduce((a, b) => a + b) / 100);
  for (let row = 0; row < ROWS; row++) assert.ok(Math.abs(model.feature(row, 'rms', 0) - rms) < 1e-12, `row ${row}`);
  assert.deepEqual(model.featureColumns(), [], 'the table shows them only when asked');
  model.features = true;
  assert.equal(model.featureColumns().length, 7 * 2);
  model.dispose();
});
