/**
 * The pickle writer: JavaScript values to protocol 4 opcodes (unframed, which every Python 3.4+
 * reads), following the mapping of PickleValue (values.ts). Shared and cyclic references are
 * memoized as Python does, so they stay shared after `pickle.load`.
 */
import { ValueFormatError } from '../errors.js';
import { asNDArray, isDType, type DType, type NDArray } from '../ndarray.js';
import { encodeUtf8 } from './byte-cursor.js';
import { byteOrderOf, NUMPY_DESCR_FOR_DTYPE, rawBytesOf } from './numpy.js';
import { Op } from './opcodes.js';
import { MAX_INT_AS_NUMBER, PyComplex, PyFloat, PyFrozenSet, PyGlobal, PyObject, PyTuple } from './values.js';

/** Python writes list items and dict entries in batches of this many per APPENDS/SETITEMS. */
const BATCH_SIZE = 1000;

/** The numpy dtype each non-byte TypedArray is written as (a Uint8Array is `bytes`). */
const DTYPE_FOR_TYPED_ARRAY: ReadonlyArray<[new (length: number) => ArrayBufferView, DType]> = [
  [Float64Array, 'float64'],
  [Float32Array, 'float32'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint16Array, 'uint16'],
  [Uint32Array, 'uint32'],
  [BigUint64Array, 'uint64']
];

/**
 * Writes plain data as a pickle (protocol 4, as AxoPy's `TaskWriter.pickle` does) that Python's
 * `pickle.load` returns equal to the value, per the mapping of {@link PickleValue}. NDArrays (and
 * TypedArrays other than Uint8Array, as 1-D arrays) become numpy arrays.
 *
 * @param value the data: null, boolean, number, bigint, string, Uint8Array, arrays, PyTuple,
 *   plain objects, Maps, Sets, PyFrozenSet, PyFloat, PyComplex, NDArray, PyObject, PyGlobal
 * @param path names the target in error messages
 * @throws ValueFormatError for values with no Python counterpart (functions, symbols, Dates,
 *   class instances) or unhashable dict keys
 */
export function dumpPickle(value: unknown, path = 'pickle'): Uint8Array {
  const writer = new PickleWriter(path);
  writer.byte(Op.PROTO, 4);
  try {
    writer.save(value);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message))
      throw new ValueFormatError(`${path}: value is nested too deeply to pickle`);
    throw error;
  }
  writer.byte(Op.STOP);
  return writer.finish();
}

class PickleWriter {
  private buffer = new Uint8Array(256);
  private length = 0;
  private readonly memo = new Map<object, number>();

  constructor(private readonly path: string) {}

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(count: number): number {
    if (this.length + count > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    const start = this.length;
    this.length += count;
    return start;
  }

  byte(...bytes: number[]): void {
    const start = this.reserve(bytes.length); // before reading this.buffer, which reserve may replace
    this.buffer.set(bytes, start);
  }

  private raw(bytes: Uint8Array): void {
    const start = this.reserve(bytes.length);
    this.buffer.set(bytes, start);
  }

  private view(count: number, write: (view: DataView, offset: number) => void): void {
    const start = this.reserve(count);
    write(new DataView(this.buffer.buffer), start);
  }

  private fail(problem: string): never {
    throw new ValueFormatError(`${this.path}: cannot pickle ${problem}`);
  }

  /** Writes one value; the only recursive step of the writer. */
  save(value: unknown): void {
    if (value === null || value === undefined) return this.byte(Op.NONE);
    switch (typeof value) {
      case 'boolean':
        return this.byte(value ? Op.NEWTRUE : Op.NEWFALSE);
      case 'number':
        return this.saveNumber(value);
      case 'bigint':
        return this.saveInt(value);
      case 'string':
        return this.saveSized(encodeUtf8(value), Op.SHORT_BINUNICODE, Op.BINUNICODE, Op.BINUNICODE8);
      case 'object':
        break;
      default:
        return this.fail(`a ${typeof value}`);
    }
    const memoIndex = this.memo.get(value);
    if (memoIndex !== undefined) return this.memoGet(memoIndex);
    if (value instanceof PyFloat) return this.saveFloat(value.value);
    if (value instanceof Uint8Array) return this.saveSized(value, Op.SHORT_BINBYTES, Op.BINBYTES, Op.BINBYTES8);
    if (value instanceof PyTuple) return this.saveTuple(value);
    if (Array.isArray(value)) return this.saveList(value);
    if (value instanceof Map) return this.saveDict(value, [...value]);
    if (value instanceof PyFrozenSet) return this.saveFrozenSet(value);
    if (value instanceof Set) return this.saveSet(value);
    if (value instanceof PyComplex)
      return this.saveCall('builtins', 'complex', [new PyFloat(value.real), new PyFloat(value.imag)]);
    if (value instanceof PyGlobal) return this.saveGlobal(value.module, value.name);
    if (value instanceof PyObject) return this.saveObject(value);
    if (ArrayBuffer.isView(value)) return this.saveNDArray(this.typedArrayAsNDArray(value));
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null)
      return this.fail(`an instance of ${value.constructor?.name ?? 'a class'}`);
    if (isDType((value as NDArray).dtype) && ArrayBuffer.isView((value as NDArray).data))
      return this.saveNDArray(value);
    return this.saveDict(value, Object.entries(value));
  }

  private memoize(value: object): void {
    this.memo.set(value, this.memo.size);
    this.byte(Op.MEMOIZE);
  }

  private memoGet(index: number): void {
    if (index < 256) return this.byte(Op.BINGET, index);
    this.byte(Op.LONG_BINGET);
    this.view(4, (view, at) => view.setUint32(at, index, true));
  }

  private saveNumber(value: number): void {
    const isInt = Number.isInteger(value) && Math.abs(value) <= MAX_INT_AS_NUMBER && !Object.is(value, -0);
    if (isInt) this.saveInt(BigInt(value));
    else this.saveFloat(value);
  }

  private saveFloat(value: number): void {
    this.byte(Op.BINFLOAT);
    this.view(8, (view, at) => view.setFloat64(at, value, false));
  }

  private saveInt(value: bigint): void {
    if (value >= 0n && value < 0x100n) return this.byte(Op.BININT1, Number(value));
    if (value >= 0n && value < 0x10000n) return this.byte(Op.BININT2, Number(value & 0xffn), Number(value >> 8n));
    if (value >= -0x80000000n && value < 0x80000000n) {
      this.byte(Op.BININT);
      return this.view(4, (view, at) => view.setInt32(at, Number(value), true));
    }
    const bytes = encodeLong(value);
    if (bytes.length < 256) this.byte(Op.LONG1, bytes.length);
    else {
      this.byte(Op.LONG4);
      this.view(4, (view, at) => view.setInt32(at, bytes.length, true));
    }
    this.raw(bytes);
  }

  /** str and bytes: the shortest length prefix that fits. */
  private saveSized(bytes: Uint8Array, short: number, long: number, huge: number): void {
    if (bytes.length < 256) this.byte(short, bytes.length);
    else if (bytes.length <= 0xffffffff) {
      this.byte(long);
      this.view(4, (view, at) => view.setUint32(at, bytes.length, true));
    } else {
      this.byte(huge);
      this.view(8, (view, at) => view.setBigUint64(at, BigInt(bytes.length), true));
    }
    this.raw(bytes);
  }

  /** As CPython's save_tuple: items first, then a GET if an item referred back to the tuple. */
  private saveTuple(tuple: readonly unknown[]): void {
    if (tuple.length === 0) return this.byte(Op.EMPTY_TUPLE);
    const short = tuple.length <= 3;
    if (!short) this.byte(Op.MARK);
    for (const item of tuple) this.save(item);
    const memoIndex = this.memo.get(tuple);
    if (memoIndex !== undefined) {
      if (short) this.byte(...new Array<number>(tuple.length).fill(Op.POP));
      else this.byte(Op.POP_MARK);
      return this.memoGet(memoIndex);
    }
    this.byte(short ? [Op.TUPLE1, Op.TUPLE2, Op.TUPLE3][tuple.length - 1] : Op.TUPLE);
    this.memoize(tuple);
  }

  private saveList(list: readonly unknown[]): void {
    this.byte(Op.EMPTY_LIST);
    this.memoize(list);
    this.saveBatches(list, Op.APPEND, Op.APPENDS, item => this.save(item));
  }

  private saveDict(dict: object, entries: ReadonlyArray<readonly [unknown, unknown]>): void {
    this.byte(Op.EMPTY_DICT);
    this.memoize(dict);
    this.saveBatches(entries, Op.SETITEM, Op.SETITEMS, ([key, item]) => {
      this.save(this.hashable(key));
      this.save(item);
    });
  }

  private saveSet(set: Set<unknown>): void {
    this.byte(Op.EMPTY_SET);
    this.memoize(set);
    const items = [...set].map(item => this.hashable(item));
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      this.byte(Op.MARK);
      for (const item of items.slice(start, start + BATCH_SIZE)) this.save(item);
      this.byte(Op.ADDITEMS);
    }
  }

  private saveFrozenSet(set: PyFrozenSet<unknown>): void {
    this.byte(Op.MARK);
    for (const item of set) this.save(this.hashable(item));
    const memoIndex = this.memo.get(set);
    if (memoIndex !== undefined) {
      this.byte(Op.POP_MARK);
      return this.memoGet(memoIndex);
    }
    this.byte(Op.FROZENSET);
    this.memoize(set);
  }

  /** One item with the single opcode, several in MARK ... batch opcode groups. */
  private saveBatches<T>(items: readonly T[], single: number, batch: number, saveItem: (item: T) => void): void {
    if (items.length === 1) {
      saveItem(items[0]);
      return this.byte(single);
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      this.byte(Op.MARK);
      items.slice(start, start + BATCH_SIZE).forEach(saveItem);
      this.byte(batch);
    }
  }

  /** Python raises on lists, dicts and sets as keys or set members at load time; we at once. */
  private hashable(key: unknown): unknown {
    const unhashable =
      (Array.isArray(key) && !(key instanceof PyTuple)) ||
      key instanceof Map ||
      (key instanceof Set && !(key instanceof PyFrozenSet)) ||
      (typeof key === 'object' && key !== null && [Object.prototype, null].includes(Object.getPrototypeOf(key)));
    if (unhashable) this.fail('a list, dict or set as a dict key or set member (Python cannot hash it)');
    return key;
  }

  private saveGlobal(module: string, name: string): void {
    this.save(module);
    this.save(name);
    this.byte(Op.STACK_GLOBAL);
  }

  private saveCall(module: string, name: string, args: readonly unknown[]): void {
    this.saveGlobal(module, name);
    this.saveTuple(PyTuple.fromItems(args));
    this.byte(Op.REDUCE);
  }

  private saveObject(object: PyObject): void {
    const dot = object.__class__.lastIndexOf('.');
    if (dot <= 0) this.fail(`a PyObject of class ${JSON.stringify(object.__class__)} (needs module.Name)`);
    this.saveGlobal(object.__class__.slice(0, dot), object.__class__.slice(dot + 1));
    this.saveTuple(PyTuple.fromItems(object.args));
    this.byte(Op.NEWOBJ);
    this.memoize(object);
    if (object.listItems.length) this.saveBatches(object.listItems, Op.APPEND, Op.APPENDS, item => this.save(item));
    if (object.dictItems.size) {
      const entries = [...object.dictItems];
      this.saveBatches(
        entries,
        Op.SETITEM,
        Op.SETITEMS,
        ([key, item]) => (this.save(this.hashable(key)), this.save(item))
      );
    }
    if (object.state !== undefined) {
      this.save(object.state);
      this.byte(Op.BUILD);
    }
  }

  private typedArrayAsNDArray(data: ArrayBufferView): NDArray {
    const match = DTYPE_FOR_TYPED_ARRAY.find(([ctor]) => data instanceof ctor);
    if (!match) return this.fail(`a ${data.constructor.name}`);
    return { dtype: match[1], shape: [(data as unknown as ArrayLike<unknown>).length], data } as unknown as NDArray;
  }

  /** numpy's own spelling: `_reconstruct(ndarray, (0,), b'b')`, then BUILD with the state. */
  private saveNDArray(value: object): void {
    let array: NDArray;
    try {
      array = asNDArray(value);
    } catch (error) {
      return this.fail((error as Error).message);
    }
    this.saveCall('numpy.core.multiarray', '_reconstruct', [
      new PyGlobal('numpy', 'ndarray'),
      PyTuple.fromItems([0]),
      Uint8Array.of(0x62)
    ]);
    this.memoize(value);
    this.byte(Op.MARK);
    this.save(1);
    this.saveTuple(PyTuple.fromItems(array.shape));
    this.saveCall('numpy', 'dtype', [NUMPY_DESCR_FOR_DTYPE[array.dtype], false, true]);
    this.byte(Op.MARK);
    [3, byteOrderOf(array.dtype), null, null, null, -1, -1, 0].forEach(item => this.save(item));
    this.byte(Op.TUPLE, Op.BUILD);
    this.save(false);
    this.save(rawBytesOf(array));
    this.byte(Op.TUPLE, Op.BUILD);
  }
}

/** Python's minimal little-endian two's complement encoding of an int (LONG1 / LONG4). */
export function encodeLong(value: bigint): Uint8Array {
  // The byte count that holds the value with its sign bit, then the value modulo 2**(8 * count).
  const magnitudeBits = (value < 0n ? -value - 1n : value).toString(2).length;
  const count = Math.floor(magnitudeBits / 8) + 1;
  const unsigned = value < 0n ? (1n << BigInt(8 * count)) + value : value;
  const hex = unsigned.toString(16).padStart(2 * count, '0');
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) bytes[i] = parseInt(hex.slice(hex.length - 2 * (i + 1), hex.length - 2 * i), 16);
  return bytes;
}
