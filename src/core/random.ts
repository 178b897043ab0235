/**
 * The Mersenne Twister seeded and drawn as NumPy's legacy global state does
 * (`np.random.seed(int)`, `np.random.shuffle`) and as Python's `random` module does
 * (`random.seed(int)`, `random.shuffle`). AxoPy 0.2.3's `Block.shuffle` calls
 * `random.shuffle`, so `Block.shuffle({ seed })` follows Python's `random`.
 */

const N = 624;
const M = 397;

/** The Mersenne Twister as NumPy's `RandomState` runs it. */
export class MersenneTwister {
  private readonly state = new Uint32Array(N);
  private index = N;

  /** `np.random.seed(seed)` for an integer seed in [0, 2^32 - 1] (init_genrand). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Seed must be between 0 and 2**32 - 1, got ${seed}`);
    }
    this.state[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      // 1812433253 * prev + i, in 32-bit arithmetic without losing low bits.
      this.state[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /**
   * `random.seed(seed)` of Python's `random` module for an integer seed: init_by_array over
   * the 32-bit words of |seed|, least significant first.
   */
  static fromPythonSeed(seed: number): MersenneTwister {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Seed must be a safe integer, got ${seed}`);
    }
    const key: number[] = [];
    for (let rest = Math.abs(seed); rest > 0; rest = Math.floor(rest / 0x100000000)) {
      key.push(rest % 0x100000000);
    }
    if (key.length === 0) key.push(0);
    const generator = new MersenneTwister(19650218);
    const mt = generator.state;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    return generator;
  }

  private twist(): void {
    const mt = this.state;
    for (let k = 0; k < N; k++) {
      const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
      mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] by masked rejection, as NumPy's `random_interval`. */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new RangeError('interval: lists longer than 2^32 are not supported');
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }
}

/** A uniform integer in [0, n) as Python's `random._randbelow` (getrandbits with rejection). */
function pythonRandbelow(random: MersenneTwister, n: number): number {
  if (n > 0xffffffff) throw new RangeError('randbelow: lists longer than 2^32 are not supported');
  const bits = 32 - Math.clz32(n);
  let value: number;
  do {
    value = random.nextUint32() >>> (32 - bits);
  } while (value >= n);
  return value;
}

/** Shuffles in place exactly as Python's `random.shuffle(list)` does with the given generator. */
export function pythonShuffleInPlace<T>(items: T[], random: MersenneTwister): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pythonRandbelow(random, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/** Shuffles in place exactly as `np.random.shuffle(list)` does with the given generator. */
export function shuffleInPlace<T>(items: T[], random: MersenneTwister): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.interval(i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}
