/**
 * The workers' side of the containment rule (core/hdf5Containment.ts), apart from the workers
 * so that Node tests run it with h5wasm/node over the same byte sources: the dataset's facts
 * are read through h5wasm's Module and the worker's bytes (the whole file for counts, the HTTP
 * block cache for previews).
 */
import {
  type H5FactsModule,
  type Hdf5ReadLimits,
  dataOutsideFileRefusal,
  datasetReadRefusal,
  gatherDatasetReadFacts
} from '../../core/hdf5Containment.js';

/** The file's bytes as the worker has them (an LruBlockCache, or the whole file). */
export interface IWorkerByteSource {
  readonly length: number;
  read(target: Uint8Array, offset: number, count: number, position: number): number;
}

/** A byte source over bytes in memory. */
export function bytesSource(bytes: Uint8Array): IWorkerByteSource {
  return {
    length: bytes.length,
    read(target, offset, count, position) {
      const chunk = bytes.subarray(Math.min(position, bytes.length), Math.min(position + count, bytes.length));
      target.set(chunk, offset);
      return chunk.length;
    }
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
  const readAt = (offset: number, length: number): Uint8Array => {
    const target = new Uint8Array(Math.max(0, Math.min(length, source.length - offset)));
    const count = target.length > 0 ? source.read(target, 0, target.length, offset) : 0;
    return target.subarray(0, count);
  };
  // h5wasm's Module, in its browser and Node builds alike, has these Embind functions.
  const facts = gatherDatasetReadFacts(module as H5FactsModule, fileId, name, readAt);
  return outsideOnly ? dataOutsideFileRefusal(facts, limits) : datasetReadRefusal(facts, source.length, limits);
}

/** The part of h5wasm's high-level API the dataset count uses (browser and Node builds). */
export interface IH5wasmForCount {
  readonly Module: unknown;
  readonly Dataset: abstract new (...args: never[]) => unknown;
  readonly ExternalLink: abstract new (...args: never[]) => unknown;
}

/**
 * The number of datasets in the file's root group (AxoPy's trials), with an Error naming the
 * first whose data lies outside the file: an external link (whose target a browser never has)
 * or a virtual dataset would otherwise count, or not, as a trial of this file.
 */
export function countContainedDatasets(
  h5wasm: IH5wasmForCount,
  file: { readonly file_id: bigint; keys(): string[]; get(name: string): unknown },
  bytes: Uint8Array
): number {
  const source = bytesSource(bytes);
  let count = 0;
  for (const name of file.keys()) {
    const entity = file.get(name);
    const isDataset = entity instanceof h5wasm.Dataset;
    if (!isDataset && !(entity instanceof h5wasm.ExternalLink)) continue;
    const refusal = datasetRefusalInWorker(h5wasm.Module, file.file_id, name, source, {}, true);
    if (refusal !== undefined) throw new Error(`dataset "${name}" ${refusal}`);
    if (isDataset) count++;
  }
  return count;
}
