/**
 * The kernel's side of the containment rule (core/hdf5Containment.ts): the dataset's facts are
 * read through h5wasm and Node fs, and a refused dataset is a DatasetRefusedError naming the file.
 */
import * as fs from 'node:fs';
import { type H5FactsModule, type Hdf5ReadLimits, datasetReadRefusal, gatherDatasetReadFacts } from '../core/hdf5Containment.js';
import { DatasetRefusedError } from '../core/errors.js';
import type { H5Module } from './hdf5-module.js';

/**
 * Throws a DatasetRefusedError (a FormatError) naming `file.path` and dataset `name` when the rule refuses to read it.
 * `onDisk` says the file's bytes are what HDF5 holds (a file open read-only); otherwise the
 * object header on disk may lag behind and is not looked at.
 */
export function requireContainedDataset(
  module: H5Module,
  fileId: bigint,
  file: { readonly path: string; readonly absolutePath: string },
  name: string,
  limits: Hdf5ReadLimits,
  onDisk: boolean
): void {
  // h5wasm's Module has these functions in every build; our H5Module lists only those the
  // writer uses.
  const factsModule = module as unknown as H5FactsModule;
  const fd = fs.openSync(file.absolutePath, 'r');
  try {
    const fileBytes = fs.fstatSync(fd).size;
    const readAt = (offset: number, length: number): Uint8Array => {
      const count = Math.max(0, Math.min(length, fileBytes - offset));
      const bytes = Buffer.alloc(count);
      if (count > 0) fs.readSync(fd, bytes, 0, count, offset);
      return bytes;
    };
    const facts = gatherDatasetReadFacts(factsModule, fileId, name, onDisk ? readAt : undefined);
    const refusal = datasetReadRefusal(facts, fileBytes, limits);
    if (refusal !== undefined) {
      throw new DatasetRefusedError(file.path, name, refusal);
    }
  } finally {
    fs.closeSync(fd);
  }
}
