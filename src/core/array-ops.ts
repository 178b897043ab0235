/**
 * The few NumPy array operations AxoPy's storage and design containers rely on: dtype
 * promotion, casting, and concatenation as `vstack`/`hstack`/`dstack`/`concatenate` do it.
 */
import { DType, NDArray, TYPED_ARRAY_FOR_DTYPE, TypedArrayFor, asNDArray, elementCount, itemSize } from './ndarray.js';

const SIGNED: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];

function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}

/** The smallest signed int dtype with at least `bytes` bytes, or undefined above 8. */
function signedOfSize(bytes: number): DType | undefined {
  return SIGNED.find(d => itemSize(d) >= bytes);
}

/** NumPy's `result_type` for two array dtypes (value-independent rules). */
export function promoteDTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  if (isFloat(a) || isFloat(b)) {
    const other = isFloat(a) ? b : a;
    if (isFloat(other)) return 'float64';
    // float32 holds int8/uint8/int16/uint16 exactly; wider ints need float64.
    const floatSide = isFloat(a) ? a : b;
    return floatSide === 'float32' && itemSize(other) <= 2 ? 'float32' : 'float64';
  }
  const aSigned = SIGNED.includes(a);
  const bSigned = SIGNED.includes(b);
  if (aSigned === bSigned) return itemSize(a) >= itemSize(b) ? a : b;
  const unsigned = aSigned ? b : a;
  const signed = aSigned ? a : b;
  const needed = signedOfSize(Math.max(itemSize(signed), itemSize(unsigned) * 2));
  return needed ?? 'float64';
}

/** Converts elements to another dtype with NumPy's `astype` semantics for the safe casts. */
export function castArray<D extends DType>(array: NDArray, dtype: D): NDArray<D> {
  if (array.dtype === dtype) return array as NDArray<D>;
  const target = new TYPED_ARRAY_FOR_DTYPE[dtype](array.data.length) as TypedArrayFor[D];
  const toBig = target instanceof BigInt64Array || target instanceof BigUint64Array;
  const source = array.data;
  for (let i = 0; i < source.length; i++) {
    const value = source[i];
    if (toBig) {
      (target as BigInt64Array)[i] = typeof value === 'bigint' ? value : BigInt(Math.trunc(value as number));
    } else {
      (target as Float64Array)[i] = Number(value);
    }
  }
  return { dtype, shape: [...array.shape], data: target };
}

/** Copies `source` elements into `target` starting at `offset`, same element kind. */
function copyInto(target: TypedArrayFor[DType], offset: number, source: TypedArrayFor[DType]): void {
  (target as Float64Array).set(source as Float64Array, offset);
}

/**
 * The shape `np.concatenate` gives arrays of these shapes along `axis`; RangeError naming the
 * first array whose shape disagrees on another axis.
 */
function concatenatedShape(shapes: readonly (readonly number[])[], axis: number): number[] {
  if (shapes.length === 0) throw new RangeError('concatenate: need at least one array');
  const ndim = shapes[0].length;
  if (axis < 0 || axis >= ndim) throw new RangeError(`concatenate: axis ${axis} is out of bounds for ${ndim}-d arrays`);
  let total = 0;
  for (const [i, shape] of shapes.entries()) {
    const sameOther = shape.length === ndim && shape.every((n, k) => k === axis || n === shapes[0][k]);
    if (!sameOther) {
      throw new RangeError(
        `concatenate: array ${i} has shape (${shape.join(', ')}), incompatible with (${shapes[0].join(', ')}) along axis ${axis}`
      );
    }
    total += shape[axis];
  }
  const shape = [...shapes[0]];
  shape[axis] = total;
  return shape;
}

/** `np.atleast_2d` of a shape. */
function atLeast2dShape(shape: readonly number[]): number[] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]];
  return [...shape];
}

/**
 * The dtype and shape `vstack` gives arrays of these dtypes and shapes, without their data, so
 * that a reader can allocate the output once and read each part into its place (`sameDType`:
 * no part needs a cast, and in C order the parts follow one another in the output).
 * RangeError as `vstack` when the shapes cannot be stacked.
 */
export function vstackLayout(parts: readonly { dtype: DType; shape: readonly number[] }[]): {
  dtype: DType;
  shape: number[];
  sameDType: boolean;
} {
  const shape = concatenatedShape(
    parts.map(p => atLeast2dShape(p.shape)),
    0
  );
  const dtype = parts.map(p => p.dtype).reduce(promoteDTypes);
  return { dtype, shape, sameDType: parts.every(p => p.dtype === dtype) };
}

/** `np.concatenate(arrays, axis)`: shapes must agree on every other axis. */
export function concatenate(arrays: readonly NDArray[], axis: number): NDArray {
  if (arrays.length === 0) throw new RangeError('concatenate: need at least one array');
  const checked = arrays.map((a, i) => asNDArray(a, `array ${i}`));
  const shape = concatenatedShape(
    checked.map(a => a.shape),
    axis
  );
  const dtype = checked.map(a => a.dtype).reduce(promoteDTypes);
  const cast = checked.map(a => castArray(a, dtype));
  const out = new TYPED_ARRAY_FOR_DTYPE[dtype](elementCount(shape)) as TypedArrayFor[DType];
  // Blocks of contiguous memory: everything after `axis` is one run per outer index.
  const outer = elementCount(shape.slice(0, axis));
  const inner = elementCount(shape.slice(axis + 1));
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const a of cast) {
      const run = a.shape[axis] * inner;
      copyInto(out, offset, a.data.subarray(o * run, (o + 1) * run) as TypedArrayFor[DType]);
      offset += run;
    }
  }
  return { dtype, shape, data: out } as NDArray;
}

function reshape(a: NDArray, shape: number[]): NDArray {
  return { dtype: a.dtype, shape, data: a.data } as NDArray;
}

/** `np.atleast_2d`: 0-d -> (1, 1), 1-d (n) -> (1, n). */
export function atLeast2d(a: NDArray): NDArray {
  if (a.shape.length === 0) return reshape(a, [1, 1]);
  if (a.shape.length === 1) return reshape(a, [1, a.shape[0]]);
  return a;
}

/** `np.atleast_3d`: (n) -> (1, n, 1), (m, n) -> (m, n, 1). */
export function atLeast3d(a: NDArray): NDArray {
  if (a.shape.length === 0) return reshape(a, [1, 1, 1]);
  if (a.shape.length === 1) return reshape(a, [1, a.shape[0], 1]);
  if (a.shape.length === 2) return reshape(a, [a.shape[0], a.shape[1], 1]);
  return a;
}

/** `np.vstack`: rows; 1-d arrays become rows of a 2-d array. */
export function vstack(arrays: readonly NDArray[]): NDArray {
  return concatenate(arrays.map(atLeast2d), 0);
}

/** `np.hstack`: along axis 0 for 1-d arrays, along axis 1 otherwise. */
export function hstack(arrays: readonly NDArray[]): NDArray {
  const promoted = arrays.map(a => (a.shape.length === 0 ? reshape(a, [1]) : a));
  return concatenate(promoted, promoted[0].shape.length === 1 ? 0 : 1);
}

/** `np.dstack`: along the third axis after `atleast_3d`. */
export function dstack(arrays: readonly NDArray[]): NDArray {
  return concatenate(arrays.map(atLeast3d), 2);
}
