/**
 * The kernel's side of the containment rule (core/hdf5-containment.ts): the dataset's facts are
 * read through h5wasm and Node fs, and a refused dataset is a DatasetRefusedError naming the file.
 */
import * as fs from 'node:fs';
import {
  type H5FactsMetadata,
  type H5FactsModule,
  type Hdf5ReadLimits,
  datasetReadRefusal,
  gatherDatasetReadFacts
} from '../core/hdf5-containment.js';
import type { Superblock } from '../core/hdf5-object-header.js';
import { DatasetRefusedError } from '../core/errors.js';
import type { H5Module } from './hdf5-module.js';
import { windowedReadAt } from './hdf5-direct.js';

/**
 * Inspects the datasets of one open HDF5 file before they are read. Keeps the file open (a
 * descriptor of its own, opened on first use) and its superblock: opening the file per dataset
 * doubled the time `TaskReader.array` takes over 2000 small trials.
 */
export class DatasetInspector {
  private fd: number | undefined;
  private readonly superblock: { value?: Superblock } = {};

  /**
   * `onDisk` says the file's bytes are what HDF5 holds (a file open read-only); otherwise the
   * object headers on disk may lag behind and are not looked at.
   */
  constructor(
    private readonly file: { readonly path: string; readonly absolutePath: string },
    private readonly onDisk: boolean
  ) {}

  /** Throws a DatasetRefusedError (a FormatError) naming the file and `name` when refused. */
  requireContained(
    module: H5Module,
    fileId: bigint,
    name: string,
    metadata: H5FactsMetadata,
    limits: Hdf5ReadLimits
  ): void {
    this.fd ??= fs.openSync(this.file.absolutePath, 'r');
    const fd = this.fd;
    // Size now: a file written by a running experiment grows between datasets.
    const fileBytes = fs.fstatSync(fd).size;
    const readAt = windowedReadAt(fd, fileBytes);
    // h5wasm's Module has these functions in every build; H5Module lists those the writer uses.
    const facts = gatherDatasetReadFacts(
      module as unknown as H5FactsModule,
      fileId,
      name,
      this.onDisk ? readAt : undefined,
      {
        metadata,
        superblock: this.superblock
      }
    );
    const refusal = datasetReadRefusal(facts, fileBytes, limits);
    if (refusal !== undefined) {
      throw new DatasetRefusedError(this.file.path, name, refusal);
    }
  }

  /** Closes the inspector's descriptor; it reopens on next use. */
  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
