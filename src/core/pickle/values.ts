/** The JavaScript side of the pickle codec: which value stands for which Python object. */
import type { NDArray } from '../ndarray.js';

/** A Python tuple: a frozen Array, distinguishable from a list by `instanceof PyTuple`. */
export class PyTuple<T = PickleValue> extends Array<T> {
  /** `map`, `filter`, `slice` of a tuple return plain arrays (which then write as lists). */
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** Creates a frozen tuple of the given items (use {@link pyTuple} for the short form). */
  static fromItems<T>(items: Iterable<T>): PyTuple<T> {
    const tuple = new PyTuple<T>();
    for (const item of items) tuple.push(item);
    return Object.freeze(tuple) as PyTuple<T>;
  }
}

/** Builds a Python tuple: `pyTuple(1, 'a')` is `(1, 'a')`. */
export function pyTuple(...items: PickleValue[]): PyTuple {
  return PyTuple.fromItems(items);
}

/** A Python `frozenset` (a Set; not enforced immutable, but written back as a frozenset). */
export class PyFrozenSet<T = PickleValue> extends Set<T> {}

/** A number that must be written as a Python float even when it is integral. */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** Forces a Python float: `pyFloat(2)` writes `2.0`, where a bare `2` writes the int `2`. */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** A Python `complex`. */
export class PyComplex {
  constructor(
    readonly real: number,
    readonly imag: number
  ) {}
}

/**
 * An instance of a class outside the built-in mapping, kept as inert data: its class name
 * (`module.QualName`), the arguments Python would pass to `cls.__new__`, and the state Python
 * would pass to `__setstate__` (usually the instance `__dict__` as a plain object). Items a list
 * or dict subclass appended to itself are kept in `listItems` / `dictItems`. Nothing of the
 * class is imported or run; writing a PyObject back makes Python import the class on load.
 */
export class PyObject {
  state: PickleValue | undefined = undefined;
  readonly listItems: PickleValue[] = [];
  readonly dictItems = new Map<PickleValue, PickleValue>();
  constructor(
    readonly __class__: string,
    readonly args: readonly PickleValue[] = []
  ) {}
}

/**
 * A module-level Python name (a class or function) pickled as a value, not called: for
 * example the class in `pickle.dumps(MyClass)`. Never imported or run.
 */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A str-keyed Python dict as a plain object. */
export interface PickleDict {
  [key: string]: PickleValue;
}

/**
 * Every value {@link loadPickle} returns, nested to any depth, and what {@link dumpPickle} writes.
 *
 * | Python                         | JavaScript (read)                          | also written from        |
 * |--------------------------------|--------------------------------------------|--------------------------|
 * | `None`                         | `null`                                     | `undefined`              |
 * | `bool`                         | `boolean`                                  |                          |
 * | `int`, abs value <= 2**53      | `number`                                   | `bigint`                 |
 * | `int`, larger                  | `bigint`                                   |                          |
 * | `float`                        | `number` (see below)                       | `pyFloat(x)`             |
 * | `str`                          | `string`                                   |                          |
 * | `bytes`, `bytearray`           | `Uint8Array`                               | `Buffer`                 |
 * | `list`                         | `Array`                                    |                          |
 * | `tuple`                        | {@link PyTuple} (frozen Array subclass)    |                          |
 * | `dict`, all keys `str`         | plain object                               |                          |
 * | `dict`, other keys             | `Map`                                      | `Map` with any keys      |
 * | `collections.OrderedDict`      | as `dict`                                  |                          |
 * | `set` / `frozenset`            | `Set` / {@link PyFrozenSet}                |                          |
 * | `complex`                      | {@link PyComplex}                          |                          |
 * | `numpy.ndarray` (bool, ints, floats) | `NDArray` `{ dtype, shape, data }`   | other TypedArrays (1-D)  |
 * | numpy scalar (`np.float64(1)`) | `number` / `bigint` / `boolean`            |                          |
 * | instance of any other class    | {@link PyObject} placeholder (inert)       |                          |
 * | a class or function itself     | {@link PyGlobal} (inert)                   |                          |
 *
 * Numbers: a JS number that is an integer with magnitude <= 2**53 (and not -0) is written as a
 * Python `int`; any other number (fractions, -0, NaN, Infinity, integers beyond 2**53, which only
 * floats produce since larger ints read as bigint) as a `float`. A Python float with an integral
 * value such as `2.0` therefore reads as `2` and writes back as the int `2`; Python compares the
 * two equal. Wrap a number in {@link pyFloat} to force a float.
 *
 * Dicts: a dict whose keys are all str reads as a plain object (so `cal.gain` works; an own
 * `__proto__` key stays a key), any other dict as a Map; both write back as dict, so a
 * dict round-trips to an equal dict. Dicts, lists and sets shared or cyclic in Python are shared
 * or cyclic in JS and back. Unsupported numpy dtypes read as `PyObject('numpy.ndarray')`
 * whose state holds the shape, the dtype string ('<U2') and the raw bytes.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | PickleDict
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | PyFrozenSet
  | PyComplex
  | PyObject
  | PyGlobal
  | NDArray;

/** Python ints of magnitude <= 2**53 are plain numbers; larger ones stay bigint. */
export const MAX_INT_AS_NUMBER = 2 ** 53;

/** Converts a Python int read as bigint to the JS form the mapping promises. */
export function intFromBigInt(value: bigint): number | bigint {
  const limit = BigInt(MAX_INT_AS_NUMBER);
  return value <= limit && value >= -limit ? Number(value) : value;
}
