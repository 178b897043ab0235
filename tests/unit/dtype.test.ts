import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DTYPES,
  Hdf5TypeClass,
  dtypeForHdf5Type,
  describeHdf5Type,
  hdf5TypeForDType,
  isH5pyBoolEnum,
  ndarrayBytes,
  ndarrayFromBytes,
  ndarraysBitEqual
} from '../../src/core/index.js';

const boolEnum = {
  typeClass: Hdf5TypeClass.enum,
  size: 1,
  signed: true,
  enumMembers: { FALSE: 0, TRUE: 1 },
  enumBaseClass: Hdf5TypeClass.integer
};

test('maps every dtype to the HDF5 type h5py writes and back', () => {
  for (const dtype of DTYPES) {
    const type = hdf5TypeForDType(dtype);
    const back = dtype === 'bool' ? dtypeForHdf5Type(boolEnum) : dtypeForHdf5Type(type);
    assert.equal(back, dtype, dtype);
  }
  assert.deepEqual(hdf5TypeForDType('uint16'), { typeClass: Hdf5TypeClass.integer, size: 2, signed: false });
  assert.deepEqual(hdf5TypeForDType('int64'), { typeClass: Hdf5TypeClass.integer, size: 8, signed: true });
  assert.deepEqual(hdf5TypeForDType('float32'), { typeClass: Hdf5TypeClass.float, size: 4, signed: true });
});

test("reads h5py's bool enum as bool and other integer enums as their base type", () => {
  assert.equal(isH5pyBoolEnum(boolEnum), true);
  assert.equal(dtypeForHdf5Type(boolEnum), 'bool');
  const swapped = { ...boolEnum, enumMembers: { FALSE: 1, TRUE: 0 } };
  assert.equal(isH5pyBoolEnum(swapped), false);
  assert.equal(dtypeForHdf5Type(swapped), 'int8');
  const colours = { ...boolEnum, size: 2, signed: false, enumMembers: { RED: 0, GREEN: 1, BLUE: 2 } };
  assert.equal(dtypeForHdf5Type(colours), 'uint16');
});

test('has no dtype for strings, compounds and half floats, and names them', () => {
  assert.equal(dtypeForHdf5Type({ typeClass: Hdf5TypeClass.string, size: 5, signed: false }), undefined);
  assert.equal(dtypeForHdf5Type({ typeClass: Hdf5TypeClass.compound, size: 16, signed: false }), undefined);
  assert.equal(dtypeForHdf5Type({ typeClass: Hdf5TypeClass.float, size: 2, signed: true }), undefined);
  assert.equal(dtypeForHdf5Type({ typeClass: Hdf5TypeClass.integer, size: 3, signed: true }), undefined);
  assert.equal(describeHdf5Type({ typeClass: Hdf5TypeClass.string, size: 5, signed: false }), 'string');
  assert.equal(describeHdf5Type({ typeClass: Hdf5TypeClass.float, size: 2, signed: true }), '16-bit float');
});

test('copies element bytes into an aligned array of the right type', () => {
  const heap = new Uint8Array(20);
  const value = new Float64Array([-0, Number.NaN]);
  heap.set(new Uint8Array(value.buffer), 3); // unaligned, as in a WebAssembly heap
  const array = ndarrayFromBytes('float64', [2, 1], heap.subarray(3, 19));
  assert.ok(array.data instanceof Float64Array);
  assert.deepEqual(array.shape, [2, 1]);
  assert.ok(Object.is(array.data[0], -0));
  assert.ok(Number.isNaN(array.data[1]));
  heap.fill(0);
  assert.ok(Number.isNaN(array.data[1]), 'the array must not share the heap');
  assert.throws(() => ndarrayFromBytes('int16', [3], new Uint8Array(5)), RangeError);
  const big = ndarrayFromBytes('uint64', [1], new Uint8Array(8).fill(0xff));
  assert.deepEqual([...(big.data as BigUint64Array)], [2n ** 64n - 1n]);
});

test('compares arrays bit for bit: NaN equals NaN, -0 differs from 0', () => {
  const a = { dtype: 'float64' as const, shape: [2], data: new Float64Array([Number.NaN, -0]) };
  assert.ok(ndarraysBitEqual(a, { ...a, data: new Float64Array([Number.NaN, -0]) }));
  assert.ok(!ndarraysBitEqual(a, { ...a, data: new Float64Array([Number.NaN, 0]) }));
  assert.ok(!ndarraysBitEqual(a, { ...a, shape: [2, 1] }));
  const view = ndarrayBytes({ dtype: 'int16', shape: [1], data: new Int16Array([0x0102]) });
  assert.deepEqual([...view], [0x02, 0x01]);
});
