import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayPlotSpec, arraySvg, trialSvg } from '../../src/kernel/display.js';
import { decimateMinMax } from '../../src/core/decimation.js';
import type { NDArray } from '../../src/core/index.js';

function signal(
  channels: number,
  samples: number,
  value: (channel: number, sample: number) => number
): NDArray<'float64'> {
  const data = new Float64Array(channels * samples);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < samples; i++) data[c * samples + i] = value(c, i);
  }
  return { dtype: 'float64', shape: [channels, samples], data };
}

test('keeps every sample of a short signal, leaving NaN and inf out', () => {
  const spec = arrayPlotSpec({
    dtype: 'float64',
    shape: [5],
    data: Float64Array.from([3, Number.NaN, 5, Infinity, 1])
  });
  assert.deepEqual(
    spec.data.values.map(point => [point.x, point.y]),
    [
      [0, 3],
      [2, 5],
      [4, 1]
    ]
  );
});

test('keeps the minimum and maximum of each bucket in sample order', () => {
  const length = 10_000;
  const data = Float64Array.from(
    { length },
    (_, i) => Math.sin(i / 7) + (i === 4321 ? 100 : 0) - (i === 8765 ? 100 : 0)
  );
  const line = decimateMinMax(data, 0, 0, length, 100);
  const series = { sample: [...line.x], value: [...line.y] };
  assert.ok(series.sample.length <= 200);
  assert.deepEqual(
    series.sample,
    [...series.sample].sort((a, b) => a - b)
  );
  const buckets = 100;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const slice = Array.from(
      data.subarray(Math.floor((bucket * length) / buckets), Math.floor(((bucket + 1) * length) / buckets))
    );
    const kept = series.value.filter((_, k) => Math.floor((series.sample[k] * buckets) / length) === bucket);
    assert.equal(Math.min(...kept), Math.min(...slice), `bucket ${bucket} min`);
    assert.equal(Math.max(...kept), Math.max(...slice), `bucket ${bucket} max`);
  }
  assert.ok(series.value.includes(data[4321]) && series.value.includes(data[8765]));
});

test('decimates each channel of a 2-D array to at most ~2000 points', () => {
  const spec = arrayPlotSpec(
    signal(8, 30_000, (c, i) => c * 1000 + (i % 97)),
    { sampleRate: 1000 }
  );
  const perChannel = new Map<string, number>();
  for (const point of spec.data.values) perChannel.set(point.channel, (perChannel.get(point.channel) ?? 0) + 1);
  assert.deepEqual(
    [...perChannel.keys()],
    ['channel 0', 'channel 1', 'channel 2', 'channel 3', 'channel 4', 'channel 5', 'channel 6', 'channel 7']
  );
  for (const count of perChannel.values()) assert.ok(count > 1000 && count <= 2000, String(count));
  const lastOfChannel7 = spec.data.values.filter(point => point.channel === 'channel 7').at(-1)!;
  assert.ok(lastOfChannel7.x <= 30 && lastOfChannel7.x > 29.9, 'x is time in seconds');
});

test('reads int64 data and plots 1-D arrays as one channel', () => {
  const spec = arrayPlotSpec({ dtype: 'int64', shape: [3], data: BigInt64Array.from([1n, -2n, 3n]) });
  assert.deepEqual(spec.data.values, [
    { channel: 'channel 0', x: 0, y: 1 },
    { channel: 'channel 0', x: 1, y: -2 },
    { channel: 'channel 0', x: 2, y: 3 }
  ]);
});

test('refuses arrays it cannot lay out as channels', () => {
  assert.throws(
    () => arrayPlotSpec({ dtype: 'float64', shape: [2, 2, 2], data: new Float64Array(8) }),
    /shape \[2, 2, 2\]/
  );
  assert.throws(
    () =>
      arrayPlotSpec(
        signal(2, 4, () => 0),
        { channelNames: ['a'] }
      ),
    /2 distinct names/
  );
  assert.throws(
    () =>
      arrayPlotSpec(
        signal(2, 4, () => 0),
        { sampleRate: 0 }
      ),
    /sampleRate/
  );
});

test('renders a stacked SVG panel per channel with its name and the escaped title', async () => {
  const svg = await arraySvg(
    signal(3, 500, (c, i) => Math.sin(i / (c + 5))),
    {
      title: 'EMG <raw> & "filtered"',
      channelNames: ['biceps', 'triceps', 'deltoid']
    }
  );
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.doesNotMatch(svg, /<raw>/);
  assert.match(svg, /EMG &lt;raw&gt; &amp; "filtered"|EMG &lt;raw&gt; &amp; &quot;filtered&quot;/);
  for (const name of ['biceps', 'triceps', 'deltoid']) assert.match(svg, new RegExp(`>${name}</text>`));
  assert.equal(svg.match(/class="mark-line role-mark/g)?.length, 3, 'one line mark per channel panel');
});

test('renders every array of a trial under its name', async () => {
  const svg = await trialSvg(
    { emg: signal(2, 100, (c, i) => c + i), force: { dtype: 'float32', shape: [50], data: new Float32Array(50) } },
    { title: 'trial 0' }
  );
  assert.match(svg, />emg</);
  assert.match(svg, />force</);
  assert.match(svg, />trial 0</);
  assert.equal(svg.match(/class="mark-line role-mark/g)?.length, 3);
  await assert.rejects(trialSvg({}), RangeError);
});
