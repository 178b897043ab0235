/**
 * numpy dtype <-> HDF5 datatype mapping, as h5py applies it, and the byte-level helpers that
 * move NDArray data in and out of an HDF5 library. Pure: shared by the Node kernel and the
 * browser worker (no h5wasm types here, only the plain description both sides read).
 */
import {
  type AnyTypedArray,
  type DType,
  type NDArray,
  TYPED_ARRAY_FOR_DTYPE,
  elementCount,
  itemSize
} from './ndarray.js';

/** HDF5 datatype classes (values of the C enum `H5T_class_t`). */
export const Hdf5TypeClass = {
  integer: 0,
  float: 1,
  string: 3,
  compound: 6,
  enum: 8
} as const;

/** What an HDF5 library reports of a dataset's datatype, reduced to what the mapping needs. */
export interface Hdf5TypeDescription {
  /** An `H5T_class_t` value. */
  readonly typeClass: number;
  /** Bytes per element. */
  readonly size: number;
  /** Integers (and the base of enums) only. */
  readonly signed: boolean;
  /** Enums only: member name -> value. */
  readonly enumMembers?: Readonly<Record<string, number>>;
  /** Enums only: the `H5T_class_t` of the base type. */
  readonly enumBaseClass?: number;
}

/** The HDF5 datatype h5py creates for a numpy dtype (all little-endian). */
export interface Hdf5TypeForDType {
  readonly typeClass: number;
  readonly size: number;
  readonly signed: boolean;
}

/** The enum members by which h5py stores numpy bool: FALSE=0, TRUE=1 over int8. */
export const H5PY_BOOL_MEMBERS: Readonly<Record<string, number>> = Object.freeze({ FALSE: 0, TRUE: 1 });

const INTEGER_DTYPES: Readonly<Record<string, DType>> = {
  '1s': 'int8',
  '2s': 'int16',
  '4s': 'int32',
  '8s': 'int64',
  '1u': 'uint8',
  '2u': 'uint16',
  '4u': 'uint32',
  '8u': 'uint64'
};

/** True for the enum h5py writes for numpy bool (exactly FALSE=0, TRUE=1 over a 1-byte int). */
export function isH5pyBoolEnum(type: Hdf5TypeDescription): boolean {
  if (type.typeClass !== Hdf5TypeClass.enum || type.size !== 1 || type.enumMembers === undefined) {
    return false;
  }
  const names = Object.keys(type.enumMembers).sort();
  return (
    names.length === 2 &&
    names[0] === 'FALSE' &&
    names[1] === 'TRUE' &&
    type.enumMembers.FALSE === 0 &&
    type.enumMembers.TRUE === 1
  );
}

/**
 * The numpy dtype h5py gives a dataset of this HDF5 type, or undefined for types this project
 * does not read (strings, compounds, half floats, ...). Enums other than h5py's bool read as
 * their integer base type, as in h5py.
 */
export function dtypeForHdf5Type(type: Hdf5TypeDescription): DType | undefined {
  switch (type.typeClass) {
    case Hdf5TypeClass.float:
      return type.size === 8 ? 'float64' : type.size === 4 ? 'float32' : undefined;
    case Hdf5TypeClass.integer:
      return INTEGER_DTYPES[`${type.size}${type.signed ? 's' : 'u'}`];
    case Hdf5TypeClass.enum:
      if (isH5pyBoolEnum(type)) {
        return 'bool';
      }
      return type.enumBaseClass === Hdf5TypeClass.integer
        ? INTEGER_DTYPES[`${type.size}${type.signed ? 's' : 'u'}`]
        : undefined;
    default:
      return undefined;
  }
}

/** A readable name of an HDF5 type for error messages ("string", "compound", "16-bit float"). */
export function describeHdf5Type(type: Hdf5TypeDescription): string {
  switch (type.typeClass) {
    case Hdf5TypeClass.integer:
      return `${type.size * 8}-bit ${type.signed ? 'signed' : 'unsigned'} integer`;
    case Hdf5TypeClass.float:
      return `${type.size * 8}-bit float`;
    case Hdf5TypeClass.string:
      return 'string';
    case Hdf5TypeClass.compound:
      return 'compound';
    case Hdf5TypeClass.enum:
      return `enum {${Object.keys(type.enumMembers ?? {}).join(', ')}}`;
    default:
      return `HDF5 type class ${type.typeClass}`;
  }
}

/**
 * The HDF5 type h5py writes for a dtype. bool maps to its int8 base here: the enum itself is
 * a layer the writer adds (h5wasm cannot create enums directly).
 */
export function hdf5TypeForDType(dtype: DType): Hdf5TypeForDType {
  switch (dtype) {
    case 'float64':
    case 'float32':
      return { typeClass: Hdf5TypeClass.float, size: itemSize(dtype), signed: true };
    case 'bool':
      return { typeClass: Hdf5TypeClass.integer, size: 1, signed: true };
    default:
      return { typeClass: Hdf5TypeClass.integer, size: itemSize(dtype), signed: dtype.startsWith('int') };
  }
}

/**
 * The bytes of an array's elements as stored in HDF5 (little-endian, C order), without a copy.
 * Every platform Node and the browsers run on is little-endian, as typed arrays are native-order.
 */
export function ndarrayBytes(array: NDArray): Uint8Array {
  const data = array.data as AnyTypedArray;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * An NDArray over a copy of little-endian element bytes. The copy gives the TypedArray its own
 * aligned buffer (a view into a WebAssembly heap would change under it).
 */
export function ndarrayFromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array): NDArray {
  const count = elementCount(shape);
  const expected = count * itemSize(dtype);
  if (bytes.byteLength !== expected) {
    throw new RangeError(`${dtype} [${shape.join(', ')}] needs ${expected} bytes, got ${bytes.byteLength}`);
  }
  const data = new TYPED_ARRAY_FOR_DTYPE[dtype](count);
  new Uint8Array(data.buffer).set(bytes);
  return { dtype, shape: [...shape], data } as NDArray;
}

/**
 * True when two arrays have the same dtype, shape and element bytes (so NaN equals NaN with the
 * same payload, and -0.0 differs from 0.0): the equality an HDF5 round trip must keep.
 */
export function ndarraysBitEqual(a: NDArray, b: NDArray): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) {
    return false;
  }
  const x = ndarrayBytes(a);
  const y = ndarrayBytes(b);
  if (x.byteLength !== y.byteLength) {
    return false;
  }
  for (let i = 0; i < x.byteLength; i++) {
    if (x[i] !== y[i]) {
      return false;
    }
  }
  return true;
}
