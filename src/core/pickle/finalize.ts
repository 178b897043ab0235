/**
 * The last step of reading: turns the reader's working forms into the public mapping. Dicts
 * are Maps while reading (their keys arrive after the dict is referenced) and become plain
 * objects when every key is a str; numpy arrays get their data from the BUILD that followed
 * them; tuples are frozen. Shared and cyclic references keep their identity.
 */
import { FormatError } from '../errors.js';
import { NumpyDType, PendingNDArray, ndarrayFromRaw } from './numpy.js';
import { ResolvedGlobal } from './globals.js';
import { PyGlobal, PyObject, PyTuple, type PickleDict, type PickleValue } from './values.js';

/** Converts a value fresh off the reader's stack; iterative, so any nesting depth works. */
export function finalizeValue(root: unknown, path: string): PickleValue {
  const finalFor = new Map<object, unknown>();
  const pending: Array<() => void> = [];
  const tuples: PyTuple<unknown>[] = [];

  const visit = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
    const done = finalFor.get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      finalFor.set(value, value);
      if (value instanceof PyTuple) tuples.push(value);
      pending.push(() => value.forEach((item, i) => (value[i] = visit(item))));
      return value;
    }
    if (value instanceof Map) return visitDict(value);
    if (value instanceof Set) {
      finalFor.set(value, value);
      pending.push(() => {
        const items = [...value];
        value.clear();
        for (const item of items) value.add(visit(item));
      });
      return value;
    }
    if (value instanceof PyObject) {
      finalFor.set(value, value);
      pending.push(() => {
        const args = value.args as unknown[];
        args.forEach((item, i) => (args[i] = visit(item)));
        value.state = visit(value.state) as PickleValue | undefined;
        value.listItems.forEach((item, i) => (value.listItems[i] = visit(item) as PickleValue));
        rebuildMap(value.dictItems);
      });
      return value;
    }
    if (value instanceof PendingNDArray) return visitArray(value);
    if (value instanceof NumpyDType) {
      const dtype = new PyObject('numpy.dtype', [value.byteOrder + value.descr]);
      finalFor.set(value, dtype);
      return dtype;
    }
    if (value instanceof ResolvedGlobal) {
      const global = new PyGlobal(value.module, value.name); // without the reader's stand-in
      finalFor.set(value, global);
      return global;
    }
    return value; // PyComplex and finished NDArrays hold nothing to convert
  };

  const rebuildMap = (map: Map<unknown, unknown>): void => {
    const entries = [...map];
    map.clear();
    for (const [key, item] of entries) map.set(visit(key), visit(item));
  };

  const visitDict = (map: Map<unknown, unknown>): unknown => {
    if (![...map.keys()].every(key => typeof key === 'string')) {
      finalFor.set(map, map);
      pending.push(() => rebuildMap(map));
      return map;
    }
    const object: PickleDict = {};
    finalFor.set(map, object);
    pending.push(() => {
      for (const [key, item] of map) {
        // defineProperty, not assignment: a "__proto__" key must stay a key, not a prototype.
        Object.defineProperty(object, key as string, {
          value: visit(item),
          enumerable: true,
          writable: true,
          configurable: true
        });
      }
    });
    return object;
  };

  const visitArray = (pendingArray: PendingNDArray): unknown => {
    const state = pendingArray.state;
    if (state === undefined) throw new FormatError(path, 'numpy array without its state (BUILD)');
    // Version 1 state is (1, shape, dtype, is_fortran, raw); older numpy omitted the version.
    const [shape, dtype, isFortran, raw] = state.length === 5 ? state.slice(1) : state;
    if (!(dtype instanceof NumpyDType) || !Array.isArray(shape))
      throw new FormatError(path, 'numpy array state is malformed');
    const array =
      raw instanceof Uint8Array ? ndarrayFromRawOrFail(dtype, shape, raw, isFortran === true, path) : undefined;
    const result = array ?? new PyObject('numpy.ndarray', []);
    finalFor.set(pendingArray, result);
    if (result instanceof PyObject) {
      const rawState = new PyTuple<unknown>();
      rawState.push(shape, `${dtype.byteOrder}${dtype.descr}`, isFortran, raw);
      result.state = visit(rawState) as PickleValue;
    }
    return result;
  };

  const result = visit(root);
  while (pending.length) pending.pop()!();
  for (const tuple of tuples) Object.freeze(tuple);
  return result as PickleValue;
}

function ndarrayFromRawOrFail(dtype: NumpyDType, shape: unknown[], raw: Uint8Array, fortran: boolean, path: string) {
  if (!shape.every(n => Number.isSafeInteger(n) && (n as number) >= 0))
    throw new FormatError(path, 'numpy shape is malformed');
  try {
    return ndarrayFromRaw(dtype, shape as number[], raw, fortran);
  } catch (error) {
    throw new FormatError(path, (error as Error).message);
  }
}
