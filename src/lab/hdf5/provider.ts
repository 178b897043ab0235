/**
 * What the sidebar, the previews and Check Dataset read from HDF5 files, behind one interface:
 * views ask for "the datasets of this array file", "how many" or "dataset d of it" and never
 * learn whether bytes come over HTTP ranges (Hdf5Service, service.ts) or from a local file in a
 * test (reader.ts over an fs range fetcher).
 */
import type { IDatasetCount, IDatasetInfo } from './protocol.js';

export type { IDatasetCount, IDatasetInfo } from './protocol.js';

/** One dataset read whole: numpy dtype name, shape, flat C-order elements. */
export interface IArrayData {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}

/** A version of a file: changes whenever the file does (modification time and size). */
export interface IFileVersion {
  readonly path: string;
  readonly stamp: string;
}

/** Reads the array files of tasks. */
export interface IArrayProvider {
  /** Names, dtypes and shapes of the datasets of an array file (metadata only); refused ones say why. */
  describe(file: IFileVersion): Promise<IDatasetInfo[]>;
  /** One dataset, or undefined when the file has no dataset of that name. */
  readDataset(file: IFileVersion, dataset: string): Promise<IArrayData | undefined>;
  /** Bytes moved so far for the current version of a file (undefined if unknown). */
  bytesFetched(path: string): number | undefined;
  /**
   * Optionally starts reading `dataset` of every array file of a folder, listing it itself,
   * for the reads of them expected next; errors are left for those reads to report.
   */
  readAheadFolder?(path: string, dataset: string): void;
}

/** The HDF5 provider: reads, descriptions and dataset counts. */
export interface IHdf5Provider extends IArrayProvider {
  /** Datasets of the root group, or the first refused by rule (with the reason). */
  countDatasets(file: IFileVersion): Promise<IDatasetCount>;
}
