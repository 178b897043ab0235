/**
 * numpy arrays and scalars inside pickles. numpy pickles an array as
 * `_reconstruct(ndarray, (0,), b'b')` followed by BUILD with the state
 * `(1, shape, dtype, is_fortran, raw_bytes)`, or with protocol 5 as
 * `_frombuffer(buffer, dtype, shape, order)`; a dtype as `dtype('f8', False, True)` followed by
 * BUILD with `(3, byteorder, ...)`. Only these numbers are mapped; other dtypes (strings,
 * records, objects, datetimes) stay inert placeholders.
 */
import { copyBytes } from './byte-cursor.js';
import { intFromBigInt } from './values.js';
import { elementCount, itemSize, TYPED_ARRAY_FOR_DTYPE, type DType, type NDArray } from '../ndarray.js';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** numpy's `dtype.str` without the byte order ('f8', 'b1'), for each dtype we map. */
export const NUMPY_DESCR_FOR_DTYPE: Readonly<Record<DType, string>> = {
  float64: 'f8',
  float32: 'f4',
  int8: 'i1',
  int16: 'i2',
  int32: 'i4',
  int64: 'i8',
  uint8: 'u1',
  uint16: 'u2',
  uint32: 'u4',
  uint64: 'u8',
  bool: 'b1'
};

const DTYPE_FOR_NUMPY_DESCR = new Map<string, DType>(
  Object.entries(NUMPY_DESCR_FOR_DTYPE).map(([dtype, descr]) => [descr, dtype as DType])
);

/** The byte-order character numpy writes for a multi-byte dtype of this machine. */
export const HOST_BYTE_ORDER = HOST_IS_LITTLE_ENDIAN ? '<' : '>';

/** A `numpy.dtype` while the pickle is read: its descriptor ('f8') and, after BUILD, byte order. */
export class NumpyDType {
  byteOrder = '=';
  constructor(readonly descr: string) {}

  /** Our dtype name, or undefined when the dtype is outside the mapping. */
  get dtype(): DType | undefined {
    return DTYPE_FOR_NUMPY_DESCR.get(this.descr);
  }

  /** Whether element bytes must be reversed to read them on this machine. */
  get needsByteSwap(): boolean {
    const little = this.byteOrder === '<' || (this.byteOrder === '=' && HOST_IS_LITTLE_ENDIAN);
    const big = this.byteOrder === '>' || (this.byteOrder === '=' && !HOST_IS_LITTLE_ENDIAN);
    return (little && !HOST_IS_LITTLE_ENDIAN) || (big && HOST_IS_LITTLE_ENDIAN);
  }
}

/** An array made by `_reconstruct`, waiting for the BUILD that gives it shape and data. */
export class PendingNDArray {
  state: unknown[] | undefined = undefined;
}

/**
 * Copies raw element bytes into an NDArray in C order; undefined when the dtype is outside the
 * mapping. Throws a plain Error (the caller adds the path) when the byte count is wrong.
 */
export function ndarrayFromRaw(
  dtype: NumpyDType,
  shape: readonly number[],
  raw: Uint8Array,
  fortranOrder: boolean
): NDArray | undefined {
  const name = dtype.dtype;
  if (name === undefined) return undefined;
  const size = itemSize(name);
  const count = elementCount(shape);
  if (raw.length !== count * size) {
    throw new Error(
      `numpy ${dtype.descr} array of shape (${shape.join(', ')}) needs ${count * size} bytes, has ${raw.length}`
    );
  }
  const copy = copyBytes(raw);
  if (dtype.needsByteSwap && size > 1) {
    for (let start = 0; start < copy.length; start += size) copy.subarray(start, start + size).reverse();
  }
  const data = new TYPED_ARRAY_FOR_DTYPE[name](copy.buffer as ArrayBuffer, 0, count);
  const ordered = fortranOrder && shape.length > 1 ? fortranToC(data, shape) : data;
  return { dtype: name, shape: [...shape], data: ordered } as NDArray;
}

/** Reorders the elements of a column-major array to row-major. */
function fortranToC<T extends NDArray['data']>(data: T, shape: readonly number[]): T {
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const index = new Array<number>(shape.length).fill(0);
  const fortranStrides = shape.map((_, axis) => shape.slice(0, axis).reduce((a, b) => a * b, 1));
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    for (let axis = 0; axis < shape.length; axis++) f += index[axis] * fortranStrides[axis];
    out[c] = data[f];
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
    }
  }
  return out;
}

/** A numpy scalar (`np.float64(1.5)`) as the JS number, bigint or boolean it holds. */
export function scalarFromRaw(dtype: NumpyDType, raw: Uint8Array): number | bigint | boolean | undefined {
  const array = ndarrayFromRaw(dtype, [1], raw, false);
  if (array === undefined) return undefined;
  const value = array.data[0];
  if (array.dtype === 'bool') return value !== 0;
  return typeof value === 'bigint' ? intFromBigInt(value) : value;
}

/** The raw bytes of an NDArray in C order, in this machine's byte order. */
export function rawBytesOf(array: NDArray): Uint8Array {
  const { data } = array;
  return copyBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** The byte-order character of an NDArray's dtype as numpy writes it ('|' for 1-byte types). */
export function byteOrderOf(dtype: DType): string {
  return itemSize(dtype) === 1 ? '|' : HOST_BYTE_ORDER;
}
