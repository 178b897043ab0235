/**
 * Errors of the HDF5 worker keep their class and fields across postMessage (structured clone
 * keeps only an Error's message): what the page catches is the typed error the reader threw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetRefusedError, FileNotFoundError, FormatError } from '../../src/core/errors.js';
import { deserializeError, serializeError } from '../../src/lab/hdf5/errors.js';

function acrossPostMessage(error: unknown): Error {
  return deserializeError(structuredClone(serializeError(error)));
}

test('a DatasetRefusedError arrives as one, with its path, dataset and message', () => {
  const sent = new DatasetRefusedError(
    'root/s/t/emg.hdf5',
    '0',
    'is an external link to "/0" in x.hdf5: links out of the file are not followed'
  );
  const got = acrossPostMessage(sent);
  assert.ok(got instanceof DatasetRefusedError);
  assert.ok(got instanceof FormatError);
  assert.equal(got.name, 'DatasetRefusedError');
  assert.equal(got.message, sent.message);
  assert.equal((got as DatasetRefusedError).path, 'root/s/t/emg.hdf5');
  assert.equal((got as DatasetRefusedError).dataset, '0');
});

test('other typed errors keep their class; a plain Error stays a plain Error', () => {
  assert.ok(acrossPostMessage(new FileNotFoundError('a/b.hdf5')) instanceof FileNotFoundError);
  assert.ok(acrossPostMessage(new FormatError('a/b.hdf5', 'not an HDF5 file')) instanceof FormatError);
  const plain = acrossPostMessage(new Error('network down'));
  assert.ok(!(plain instanceof FormatError));
  assert.equal(plain.message, 'network down');
  // What a plain clone would do, for contrast: the class is lost.
  assert.ok(!(structuredClone(new FormatError('a', 'b')) instanceof FormatError));
});
