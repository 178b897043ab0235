/**
 * N-dimensional arrays as the kernel API and the sidebar exchange them: a numpy dtype name,
 * a shape and a flat C-order TypedArray. Plain objects of this form are accepted as input.
 */

/** The numpy dtype names this project reads and writes. */
export type DType =
  'float64' | 'float32' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool';

/** The TypedArray that holds the elements of each dtype (bool as 0/1 bytes). */
export interface TypedArrayFor {
  float64: Float64Array;
  float32: Float32Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

export type AnyTypedArray = TypedArrayFor[DType];

/** A dense array in C (row-major) order. */
export interface NDArray<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TypedArrayFor[D];
}

type TypedArrayConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor;

/** TypedArray constructor for each dtype. */
export const TYPED_ARRAY_FOR_DTYPE: Readonly<Record<DType, TypedArrayConstructor>> = {
  float64: Float64Array,
  float32: Float32Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array
};

export const DTYPES: readonly DType[] = Object.keys(TYPED_ARRAY_FOR_DTYPE) as DType[];

/** Bytes per element of each dtype. */
export function itemSize(dtype: DType): number {
  return TYPED_ARRAY_FOR_DTYPE[dtype].BYTES_PER_ELEMENT;
}

/** Number of elements of a shape (1 for a 0-d shape). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, extent) => count * extent, 1);
}

export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(TYPED_ARRAY_FOR_DTYPE, name);
}

/** Allocates a zero-filled array of the given dtype and shape. */
export function zeros<D extends DType>(dtype: D, shape: readonly number[]): NDArray<D> {
  const data = new TYPED_ARRAY_FOR_DTYPE[dtype](elementCount(shape)) as TypedArrayFor[D];
  return { dtype, shape: [...shape], data };
}

/**
 * Checks that a value is a well-formed NDArray (right TypedArray for its dtype, element count
 * equal to the product of the shape) and returns it typed. `what` names the value in errors.
 */
export function asNDArray(value: unknown, what = 'array'): NDArray {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${what}: expected an NDArray { dtype, shape, data }, got ${String(value)}`);
  }
  const { dtype, shape, data } = value as { dtype?: unknown; shape?: unknown; data?: unknown };
  if (!isDType(dtype)) {
    throw new TypeError(`${what}: unsupported dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every(n => Number.isInteger(n) && n >= 0)) {
    throw new TypeError(`${what}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const ctor = TYPED_ARRAY_FOR_DTYPE[dtype];
  if (!(data instanceof ctor)) {
    throw new TypeError(`${what}: dtype ${dtype} needs data as ${ctor.name}`);
  }
  const expected = elementCount(shape);
  if ((data as AnyTypedArray).length !== expected) {
    throw new TypeError(
      `${what}: shape [${shape.join(', ')}] holds ${expected} elements but data has ${(data as AnyTypedArray).length}`
    );
  }
  return { dtype, shape: [...shape], data: data as AnyTypedArray } as NDArray;
}
