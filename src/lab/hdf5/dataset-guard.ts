/**
 * The browser reader's side of the containment rule (core/hdf5-containment.ts): the dataset's
 * facts are read through h5wasm's Module and the reader's block cache (HTTP Range reads in the
 * worker, a local file in Node tests).
 */
import {
  type H5FactsModule,
  type Hdf5ReadLimits,
  dataOutsideFileRefusal,
  datasetReadRefusal,
  gatherDatasetReadFacts
} from '../../core/hdf5-containment.js';
import type { ReadBytesAt } from '../../core/hdf5-object-header.js';

/** The file's bytes as the reader has them (its LruBlockCache). */
export interface IWorkerByteSource {
  readonly length: number;
  read(target: Uint8Array, offset: number, count: number, position: number): number;
}

/** Reads of the file's bytes as core's parsers take them (fewer at the end of the file). */
export function readAtOfSource(source: IWorkerByteSource): ReadBytesAt {
  return (offset: number, length: number): Uint8Array => {
    const target = new Uint8Array(Math.max(0, Math.min(length, source.length - offset)));
    const count = target.length > 0 ? source.read(target, 0, target.length, offset) : 0;
    return target.subarray(0, count);
  };
}

/**
 * Why root dataset `name` must not be read (data outside its file, an impossible or too large
 * declared size, a filter h5wasm lacks), or undefined. `outsideOnly` asks about data outside
 * the file alone (the dataset count does not read data).
 */
export function datasetRefusalInWorker(
  module: unknown,
  fileId: bigint,
  name: string,
  source: IWorkerByteSource,
  limits: Hdf5ReadLimits = {},
  outsideOnly = false
): string | undefined {
  const readAt = readAtOfSource(source);
  // h5wasm's Module, in its browser and Node builds alike, has these Embind functions.
  const facts = gatherDatasetReadFacts(module as H5FactsModule, fileId, name, readAt);
  return outsideOnly ? dataOutsideFileRefusal(facts, limits) : datasetReadRefusal(facts, source.length, limits);
}
