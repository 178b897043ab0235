/**
 * Which HDF5 datasets the kernel and the browser workers read: one rule for both. A dataset is
 * read only when its data lies inside its own file (no external link, no virtual layout, no
 * external raw storage: they let a file in the storage root read any file the process can, as
 * `/etc/passwd`), when its declared size is one the file can hold and one a reader may allocate,
 * and when its filters are ones h5wasm has. Refusals are reasons, turned into errors naming the
 * file by the shell.
 */
import {
  type DatasetStorageFacts,
  type ReadBytesAt,
  type Superblock,
  ObjectHeaderError,
  addressOfReference,
  readDatasetStorageFacts,
  readSuperblock
} from './hdf5-object-header.js';

/** Tunable limits of what a reader accepts. */
export interface Hdf5ReadLimits {
  /**
   * Read datasets whose data lies in other files (external links, virtual datasets, external
   * raw storage), as h5py does. Off by default: the storage root is the reader's box.
   */
  readonly allowExternalData?: boolean;
  /** Largest dataset read, in bytes (default {@link DEFAULT_MAX_DATASET_BYTES}). */
  readonly maxDatasetBytes?: number;
}

/** 1 GiB: a trial of AxoPy data is megabytes; a larger declaration is a mistake or an attack. */
export const DEFAULT_MAX_DATASET_BYTES = 1024 * 1024 * 1024;

/** Filters HDF5 itself includes (and so h5wasm): deflate, shuffle, fletcher32, szip, nbit, scaleoffset. */
const BUILT_IN_FILTERS = new Set([1, 2, 3, 4, 5, 6]);

/** Well-known plugin filters by id (HDF Group's registered filter list), for messages. */
const PLUGIN_FILTER_NAMES = new Map<number, string>([
  [305, 'lzo'],
  [307, 'bzip2'],
  [32000, 'lzf'],
  [32001, 'blosc'],
  [32004, 'lz4'],
  [32008, 'bitshuffle'],
  [32013, 'zfp'],
  [32015, 'zstd'],
  [32026, 'blosc2']
]);

/** What a reader knows of a dataset before reading it. */
export interface DatasetReadFacts {
  /** The file and object an external link named by the dataset's name points to. */
  readonly externalLink?: { readonly filename: string; readonly objectPath: string };
  /** Source files of a virtual dataset. */
  readonly virtualSourceFiles?: readonly string[];
  /** From the object header; undefined when not read (an external link has none here). */
  readonly storage?: DatasetStorageFacts;
  readonly filters: readonly { readonly id: number; readonly name: string }[];
  /** null for a null dataspace; [] for a scalar. */
  readonly shape: readonly number[] | null;
  readonly elementBytes: number;
}

/**
 * Why dataset reading must be refused, or undefined when it may be read. `fileBytes` is the
 * size of the dataset's file: contiguous or compact data lies inside it, so a larger
 * declaration is a lie (HDF5 would return fill values for storage never written, allocating
 * the whole declared size first).
 */
export function datasetReadRefusal(
  facts: DatasetReadFacts,
  fileBytes: number,
  limits: Hdf5ReadLimits = {}
): string | undefined {
  const outside = dataOutsideFileRefusal(facts, limits);
  if (outside !== undefined) return outside;
  const missing = facts.filters.filter(filter => !BUILT_IN_FILTERS.has(filter.id));
  if (missing.length > 0) {
    const names = missing.map(filter => `${filterName(filter)} (filter id ${filter.id})`).join(', ');
    return `is compressed with ${names}, which this reader does not include; rewrite it uncompressed or with gzip (h5py: compression="gzip")`;
  }
  if (facts.shape === null) return undefined;
  const declared = declaredBytes(facts.shape, facts.elementBytes);
  const limit = limits.maxDatasetBytes ?? DEFAULT_MAX_DATASET_BYTES;
  const shapeText = `[${facts.shape.join(', ')}] x ${facts.elementBytes} bytes`;
  if (declared > limit) {
    return `declares ${formatBytes(declared)} (${shapeText}), more than the ${formatBytes(limit)} a dataset may have here (maxDatasetBytes)`;
  }
  const inFile = facts.storage?.layout === 'contiguous' || facts.storage?.layout === 'compact';
  if (inFile && facts.storage?.externalFiles === undefined && declared > fileBytes) {
    return `declares ${formatBytes(declared)} (${shapeText}) of stored data, but its file holds only ${formatBytes(fileBytes)}`;
  }
  return undefined;
}

/**
 * Why the dataset's data lies outside its file (an external link, a virtual dataset, external
 * raw storage), or undefined: the part of {@link datasetReadRefusal} that concerns a file even
 * when its data is not read (counting its datasets, say).
 */
export function dataOutsideFileRefusal(facts: DatasetReadFacts, limits: Hdf5ReadLimits = {}): string | undefined {
  if (limits.allowExternalData) return undefined;
  if (facts.externalLink !== undefined) {
    return `is an external link to "${facts.externalLink.objectPath}" in ${facts.externalLink.filename}: links out of the file are not followed`;
  }
  if (facts.virtualSourceFiles !== undefined || facts.storage?.layout === 'virtual') {
    const sources = [...new Set(facts.virtualSourceFiles ?? [])].join(', ');
    return `is a virtual dataset (data mapped from ${sources || 'other files'}): virtual layouts are not read`;
  }
  if (facts.storage?.externalFiles !== undefined) {
    return `keeps its raw data in external file(s) ${facts.storage.externalFiles.join(', ')}: external storage is not read`;
  }
  if (facts.storage?.unreadable !== undefined) {
    return `has an object header this reader cannot check for data in other files (${facts.storage.unreadable})`;
  }
  return undefined;
}

/** Element count x element size, Infinity when past 2^53 (a 2^62-element shape, say). */
export function declaredBytes(shape: readonly number[], elementBytes: number): number {
  let bytes = elementBytes;
  for (const extent of shape) bytes *= extent;
  return bytes > Number.MAX_SAFE_INTEGER ? Infinity : bytes;
}

function filterName(filter: { id: number; name: string }): string {
  return PLUGIN_FILTER_NAMES.get(filter.id) ?? (filter.name !== '' ? filter.name : 'an unknown filter');
}

function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more than 2^53 bytes';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The part of h5wasm's dataset metadata the facts use. */
export interface H5FactsMetadata {
  readonly shape: number[] | null;
  readonly size: number;
  readonly virtual_sources?: { file_name: string; dset_name: string }[];
}

/** The part of h5wasm's Module (Node and browser builds alike) the facts are gathered with. */
export interface H5FactsModule {
  get_external_link(fileId: bigint, path: string): { filename?: string; obj_path?: string };
  get_dataset_metadata(fileId: bigint, path: string): H5FactsMetadata;
  get_dataset_filters(fileId: bigint, path: string): { id: number; name: string }[];
  create_object_reference(fileId: bigint, path: string): ArrayLike<number>;
}

/**
 * Gathers the facts of root dataset `name` through h5wasm and the file's bytes (`readAt`;
 * `known` saves lookups: the dataset's metadata when already read, a holder for the file's
 * superblock kept across calls;
 * without it, a file whose bytes on disk are not yet what HDF5 holds, as one open for writing,
 * has no storage facts). The external link is looked up first: every other call would follow
 * it into the other file.
 */
export function gatherDatasetReadFacts(
  module: H5FactsModule,
  fileId: bigint,
  name: string,
  readAt: ReadBytesAt | undefined,
  known: { metadata?: H5FactsMetadata; superblock?: { value?: Superblock } } = {}
): DatasetReadFacts {
  const path = `/${name}`;
  const link = module.get_external_link(fileId, path);
  if (link.filename !== undefined) {
    // Its target may be missing (always so in the browser): nothing more is looked up.
    return {
      externalLink: { filename: link.filename, objectPath: link.obj_path ?? '' },
      filters: [],
      shape: null,
      elementBytes: 0
    };
  }
  const metadata = known.metadata ?? module.get_dataset_metadata(fileId, path);
  const base = { shape: metadata.shape, elementBytes: metadata.size };
  const virtualSourceFiles = metadata.virtual_sources?.map(source => source.file_name);
  const filters = module
    .get_dataset_filters(fileId, path)
    .map(({ id, name: filterName }) => ({ id, name: filterName }));
  if (readAt === undefined) {
    return { ...base, virtualSourceFiles, filters };
  }
  const address = addressOfReference(module.create_object_reference(fileId, path));
  let storage: DatasetStorageFacts;
  try {
    // The superblock is read once per file when the caller keeps it.
    const superblock = ((known.superblock ??= {}).value ??= readSuperblock(readAt));
    storage = readDatasetStorageFacts(readAt, address, superblock);
  } catch (error) {
    if (!(error instanceof ObjectHeaderError)) throw error;
    // HDF5 opened this header a moment ago; one it read but we cannot is refused, not trusted.
    storage = { layout: 'unknown', externalFiles: undefined, unreadable: error.message };
  }
  return { ...base, virtualSourceFiles, storage, filters };
}

/**
 * A scalar dataset's value as a one-element typed array of the dtype's class, so a scalar
 * travels (postMessage, plotting) as arrays do: h5wasm gives scalars as plain numbers.
 */
export function valueAsTypedArray(
  value: unknown,
  elementBytes: number,
  typeClass: number,
  signed: boolean
): ArrayBufferView {
  if (ArrayBuffer.isView(value)) return value;
  if (typeof value === 'bigint') return signed ? BigInt64Array.of(value) : BigUint64Array.of(value);
  const number = typeof value === 'boolean' ? Number(value) : Number(value);
  if (typeClass === 1) return elementBytes === 4 ? Float32Array.of(number) : Float64Array.of(number);
  const arrays = signed ? [Int8Array, Int16Array, Int32Array] : [Uint8Array, Uint16Array, Uint32Array];
  const index = elementBytes === 1 ? 0 : elementBytes === 2 ? 1 : 2;
  return arrays[index].of(number);
}
