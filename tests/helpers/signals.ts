/**
 * Generated EMG-like test signals and their exchange with Python: arrays go to Python as raw
 * float64 files (bit-exact), results come back as JSON (Python's repr round-trips floats).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { MersenneTwister } from '../../src/core/random.js';
import type { Float64NDArray } from '../../src/core/analysis/axis.js';

/** Uniform in [0, 1) from a seeded Mersenne Twister (53 bits, as numpy's random_sample). */
export function uniform(random: MersenneTwister): number {
  const a = random.nextUint32() >>> 5;
  const b = random.nextUint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/**
 * A (trials, channels, samples) float64 array like bandpassed EMG in volts: noise whose
 * amplitude swells, an offset per channel, exact zeros, -0.0 and repeated samples (ties for
 * the counting features) sprinkled in.
 */
export function emgLike(shape: readonly number[], seed: number, scale = 1e-4): Float64NDArray {
  const random = new MersenneTwister(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const samples = shape[shape.length - 1];
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const t = i % samples;
    const swell = 0.3 + Math.sin((Math.PI * t) / samples) ** 2;
    const u = uniform(random);
    if (u < 0.01) data[i] = 0;
    else if (u < 0.02) data[i] = -0;
    else if (u < 0.04 && i > 0) data[i] = data[i - 1];
    else data[i] = scale * (swell * (2 * uniform(random) - 1) + ((0.05 * Math.floor(i / samples)) % 3));
  }
  return { dtype: 'float64', shape: [...shape], data };
}

/** Writes the array's bytes to `dir/name.f64` for Python's `np.fromfile(path).reshape(shape)`. */
export function writeRaw(dir: string, name: string, array: Float64NDArray): string {
  const path = join(dir, `${name}.f64`);
  writeFileSync(path, new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength));
  return path;
}

/** A nested list (from JSON) flattened. */
export function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

/** Each element within `relative` of the expected one (relative to its magnitude). */
export function assertCloseRelative(
  actual: ArrayLike<number>,
  expected: readonly number[],
  relative: number,
  what: string
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    assert.ok(
      Math.abs(a - e) <= relative * Math.abs(e),
      `${what}[${i}]: ${a} vs ${e} (relative error ${Math.abs(a - e) / Math.abs(e)})`
    );
  }
}

/** Every element within `relative` of the largest expected magnitude (for signals crossing zero). */
export function assertCloseToScale(
  actual: ArrayLike<number>,
  expected: readonly number[],
  relative: number,
  what: string
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= relative * scale, `${what}: max error ${worst} is ${worst / scale} of the scale ${scale}`);
}
