import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hdf5ErrorReason } from '../../src/core/hdf5-metadata.js';

test('an HDF5 error stack gives its innermost reason; a refusal with "(...): " in it is kept whole', () => {
  const stack = [
    'HDF5-DIAG: Error detected in HDF5 (1.14.2) thread 0:',
    "  #000: H5D.c line 1061 in H5Dread(): can't synchronously read data",
    '    major: Dataset',
    "  #001: H5Z.c line 1360 in H5Z_pipeline(): required filter 'lzf' is not registered"
  ].join('\n');
  assert.equal(hdf5ErrorReason(new Error(stack)), "required filter 'lzf' is not registered");
  const refusal = 'dataset "0" is a virtual dataset (data mapped from /x/target.hdf5): virtual layouts are not read';
  assert.equal(hdf5ErrorReason(new Error(refusal)), refusal);
});
