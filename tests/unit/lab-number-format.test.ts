import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatTicks, valueTicks } from '../../src/lab/previews/number-format.js';

test('value-axis ticks of a 1e-4 V EMG read as distinct numbers, not "0"', () => {
  // What uPlot computes for a channel within ±1.5e-4 V: steps of 5e-5, with float noise.
  const ticks = [-1.5e-4, -1e-4, -5e-5, -1.3552527156068805e-20, 5e-5, 1.0000000000000002e-4, 1.5000000000000001e-4];
  assert.deepEqual(formatTicks(ticks, 5e-5), ['-1.5e-4', '-1e-4', '-5e-5', '0', '5e-5', '1e-4', '1.5e-4']);
  assert.deepEqual(formatTicks([2e-6, 4e-6, 6e-6], 2e-6), ['2e-6', '4e-6', '6e-6']);
  // Labels of neighbouring ticks differ whenever the ticks do.
  const fine = [1.2e-4, 1.225e-4, 1.25e-4];
  assert.deepEqual(formatTicks(fine, 2.5e-6), ['1.2e-4', '1.225e-4', '1.25e-4']);
});

test('value-axis ticks of large magnitudes use exponents; ordinary ones fixed decimals of the step', () => {
  assert.deepEqual(formatTicks([0, 500_000, 1_000_000, 1_500_000], 500_000), ['0', '5e5', '1e6', '1.5e6']);
  assert.deepEqual(formatTicks([-0.5, 0, 0.5, 1], 0.5), ['-0.5', '0', '0.5', '1.0']);
  assert.deepEqual(formatTicks([0.1, 0.2, 0.30000000000000004], 0.1), ['0.1', '0.2', '0.3']);
  assert.deepEqual(formatTicks([100, 100.25, 100.5], 0.25), ['100.00', '100.25', '100.50']);
  assert.deepEqual(formatTicks([0, 20_000, 40_000], 20_000), ['0', '20000', '40000']);
  assert.deepEqual(formatTicks([0.002, 0.004], 0.002), ['0.002', '0.004']);
  assert.deepEqual(formatTicks([-1e-17, 1, 2], 1), ['0', '1', '2'], '-0 from float noise reads as 0');
});

test('tick labels survive a flat signal, no increment and non-finite ticks', () => {
  assert.deepEqual(formatTicks([0, 0], 0), ['0', '0']);
  assert.deepEqual(formatTicks([1.23456e-7], Number.NaN), ['1.23e-7']);
  assert.deepEqual(formatTicks([1, Number.NaN], 1), ['1', 'NaN']);
});

test('statistics keep 5 significant digits, exponents outside [1e-3, 1e5)', () => {
  assert.equal(formatNumber(1.234567), '1.2346');
  assert.equal(formatNumber(1.234567e-4), '1.235e-4');
  assert.equal(formatNumber(123456), '1.235e+5');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(Number.NaN), 'NaN');
});

test('value-axis ticks: round steps, two to four inside the range, whatever its magnitude', () => {
  // An EMG channel in volts: the single tick 0 was what uPlot's spacing rule left.
  assert.deepEqual(valueTicks(-1.6e-4, 1.7e-4), [-1e-4, 0, 1e-4]);
  assert.deepEqual(valueTicks(-2.6e-4, 2.4e-4), [-2e-4, 0, 2e-4]);
  assert.deepEqual(valueTicks(0, 1), [0, 0.5, 1]);
  assert.deepEqual(valueTicks(0.1, 0.4), [0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(valueTicks(1e6, 4.5e6), [1e6, 2e6, 3e6, 4e6]);
  for (const [min, max] of [
    [-1e-9, 3e-9],
    [-5, 5],
    [123, 124],
    [-7.3e-5, 6.1e-5],
    [0, 65535]
  ]) {
    const ticks = valueTicks(min, max);
    assert.ok(ticks.length >= 2 && ticks.length <= 4, `${min}..${max}: ${ticks}`);
    assert.ok(
      ticks.every(t => t >= min && t <= max),
      `${min}..${max}: inside`
    );
  }
  assert.deepEqual(valueTicks(3, 3), [3]);
  assert.deepEqual(valueTicks(NaN, 1), []);
});
