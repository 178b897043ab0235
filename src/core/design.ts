/**
 * AxoPy's design containers (`axopy.design`): a Design is a list of Blocks, a Block a list of
 * Trials, a Trial holds attributes (one trials.csv row) and named arrays (one HDF5 dataset each).
 */
import { dstack, hstack, vstack } from './array-ops.js';
import { ValueFormatError } from './errors.js';
import { asNDArray, NDArray } from './ndarray.js';
import { MersenneTwister, pythonShuffleInPlace } from './random.js';

/** A trial attribute value: one trials.csv cell. */
export type AttrValue = number | bigint | string | boolean | null | undefined;
export type TrialAttrs = Record<string, AttrValue>;
/**
 * Attributes as a Map: its insertion order is the trials.csv column order, as a Python dict's.
 * A plain object orders integer-like keys ("1", "20") before all others, whatever the order
 * they were written in; a Map does not.
 */
export type TrialAttrsMap = Map<string, AttrValue>;
/** Either form of a trial's attributes. */
export type AnyTrialAttrs = TrialAttrs | TrialAttrsMap;

/** Sets one attribute, on a Map or a plain object. */
export function setAttr(attrs: AnyTrialAttrs, name: string, value: AttrValue): void {
  if (attrs instanceof Map) attrs.set(name, value);
  else attrs[name] = value;
}

/**
 * The attributes as [name, value] pairs in column order, each value checked: a number, bigint,
 * string, boolean, null or undefined (an empty cell). Anything else (an array, an object, a
 * Date, a function) has no trials.csv cell: ValueFormatError naming `where` and the column,
 * thrown before anything of the trial is written.
 */
export function trialAttrEntries(attrs: AnyTrialAttrs, where: string): Array<[string, AttrValue]> {
  const entries: Array<[string, unknown]> = attrs instanceof Map ? [...attrs.entries()] : Object.entries(attrs);
  for (const [name, value] of entries) {
    if (typeof name !== 'string') {
      throw new ValueFormatError(`${where}: attribute name ${String(name)} is not a string`);
    }
    const type = typeof value;
    const isCell =
      value === null ||
      value === undefined ||
      type === 'number' ||
      type === 'bigint' ||
      type === 'string' ||
      type === 'boolean';
    if (!isCell) {
      const shown =
        value instanceof Date
          ? 'a Date'
          : Array.isArray(value)
            ? 'an array'
            : `a ${type === 'object' ? ((value as object).constructor?.name ?? 'object') : type}`;
      throw new ValueFormatError(
        `${where}: attribute "${name}" is ${shown}, which has no trials.csv cell; write a number, bigint, string, boolean or null (a Date as its ISO string)`
      );
    }
  }
  return entries as Array<[string, AttrValue]>;
}

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

/**
 * One trial: its attributes and its arrays. The attributes are a plain object or a Map (kept
 * as given, so `trial.attrs.set(name, value)` later lands in the same row).
 */
export class Trial<A extends AnyTrialAttrs = TrialAttrs> {
  readonly attrs: A;
  readonly arrays: Record<string, DataArray> = {};

  constructor(attrs?: A) {
    this.attrs = attrs ?? ({} as A);
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

  /**
   * Appends a trial; its attrs gain `block` (this block's index) and `trial` (its position).
   * A Map keeps its insertion order as the column order; the block holds such a trial too.
   */
  addTrial(attrs?: TrialAttrs): Trial;
  addTrial(attrs: TrialAttrsMap): Trial<TrialAttrsMap>;
  addTrial(attrs: AnyTrialAttrs = {}): Trial<AnyTrialAttrs> {
    setAttr(attrs, 'block', this.index);
    setAttr(attrs, 'trial', this.length);
    const trial = new Trial<AnyTrialAttrs>(attrs);
    this.push(trial as Trial);
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
        setAttr(trial.attrs, 'trial', i);
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
