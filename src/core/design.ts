/**
 * AxoPy's design containers (`axopy.design`): a Design is a list of Blocks, a Block a list of
 * Trials, a Trial holds attributes (one trials.csv row) and named arrays (one HDF5 dataset each).
 */
import { dstack, hstack, vstack } from './arrayOps.js';
import { asNDArray, NDArray } from './ndarray.js';
import { MersenneTwister, pythonShuffleInPlace } from './random.js';

/** A trial attribute value: one trials.csv cell. */
export type AttrValue = number | bigint | string | boolean | null | undefined;
export type TrialAttrs = Record<string, AttrValue>;

/** Axis along which {@link DataArray.stack} joins data: 0 vstack, 1 hstack, 2 dstack. */
export type StackAxis = 0 | 1 | 2;

const STACKERS = { 0: vstack, 1: hstack, 2: dstack } as const;

/**
 * AxoPy's `Array`: data that grows as a trial runs (e.g. EMG chunks). Named DataArray so that
 * it does not shadow JavaScript's global `Array`.
 */
export class DataArray {
  data: NDArray | null;
  readonly stackAxis: StackAxis;

  constructor(data: NDArray | null = null, stackAxis: StackAxis = 1) {
    if (![0, 1, 2].includes(stackAxis)) {
      throw new RangeError(`stackAxis must be 0, 1 or 2, got ${stackAxis}`);
    }
    this.data = data === null ? null : asNDArray(data, 'DataArray data');
    this.stackAxis = stackAxis;
  }

  /** Joins new data to what is held (the first call just takes it). */
  stack(data: NDArray): this {
    const incoming = asNDArray(data, 'DataArray.stack');
    this.data = this.data === null ? incoming : STACKERS[this.stackAxis]([this.data, incoming]);
    return this;
  }

  /** Drops the data (TaskWriter.write calls it after writing). */
  clear(): void {
    this.data = null;
  }
}

/** One trial: its attributes and its arrays. */
export class Trial {
  readonly attrs: TrialAttrs;
  readonly arrays: Record<string, DataArray> = {};

  constructor(attrs: TrialAttrs = {}) {
    this.attrs = attrs;
  }

  /** Adds an empty (or pre-filled) array under `name` and returns it. */
  addArray(name: string, data: NDArray | null = null, stackAxis: StackAxis = 1): DataArray {
    const array = new DataArray(data, stackAxis);
    this.arrays[name] = array;
    return array;
  }
}

/**
 * A block of trials. Extends the built-in Array like AxoPy's Block extends list, so blocks
 * index, iterate and `map` as lists do; derived arrays (map, filter) are plain Arrays.
 */
export class Block extends Array<Trial> {
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  readonly index: number;

  constructor(index = 0) {
    super();
    this.index = index;
  }

  /** Appends a trial; its attrs gain `block` (this block's index) and `trial` (its position). */
  addTrial(attrs: TrialAttrs = {}): Trial {
    attrs.block = this.index;
    attrs.trial = this.length;
    const trial = new Trial(attrs);
    this.push(trial);
    return trial;
  }

  /**
   * Shuffles the trials; with `resetIndex` renumbers their `trial` attr in the new order.
   * With a seed the order equals Python AxoPy's after `random.seed(seed)` (its shuffle calls
   * Python's `random.shuffle`).
   */
  shuffle(options: { resetIndex?: boolean; seed?: number } = {}): this {
    const { resetIndex = true, seed } = options;
    const random = MersenneTwister.fromPythonSeed(seed ?? Math.floor(Math.random() * 0x100000000));
    pythonShuffleInPlace(this, random);
    if (resetIndex) {
      this.forEach((trial, i) => {
        trial.attrs.trial = i;
      });
    }
    return this;
  }
}

/** An experiment design: a list of blocks. */
export class Design extends Array<Block> {
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  constructor() {
    super();
  }

  /** Appends a new block whose index is its position. */
  addBlock(): Block {
    const block = new Block(this.length);
    this.push(block);
    return block;
  }
}
