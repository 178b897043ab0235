/**
 * HDF5 array files as Python AxoPy writes and reads them with h5py: numeric datasets in the
 * root group, contiguous, uncompressed, no attributes; numpy bool as h5py's enum.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { dtypeForHdf5Type, describeHdf5Type, hdf5TypeForDType, ndarrayBytes, ndarrayFromBytes } from '../core/dtype.js';
import { DatasetError, FileNotFoundError, FormatError } from '../core/errors.js';
import { type DType, type NDArray, asNDArray, elementCount } from '../core/ndarray.js';
import { boolEnumPatch, boolPlaceholderMetadata } from './hdf5-bool.js';
import { FlushJournal } from './hdf5-journal.js';
import { type H5Metadata, type H5Module, type H5WriteMetadata, hdf5ErrorReason, loadH5Module } from './hdf5-module.js';

/** How `Hdf5File.open` opens a file: read only; read/write, created if missing; truncated. */
export type Hdf5Mode = 'r' | 'a' | 'w';

/**
 * An open HDF5 file (h5wasm) with AxoPy's root-group datasets. Keep one open across trials
 * and `flush()` after each: reopening per trial, as AxoPy does, costs milliseconds each time.
 * Each flush of a file open for writing is crash-atomic (hdf5-journal.ts): if the process is
 * killed at any moment, h5py still reads every dataset flushed before.
 */
export class Hdf5File {
  private closed = false;
  /** Resolved once: the process may change its working folder while the file is open. */
  private readonly absolutePath: string;

  private constructor(
    private readonly module: H5Module,
    /** The file's path as given to `open`. */
    readonly path: string,
    /** The mode the file was opened in. */
    readonly mode: Hdf5Mode,
    private fileId: bigint,
    /** Makes each flush crash-atomic (files open for writing only). */
    private readonly journal: FlushJournal | undefined
  ) {
    this.absolutePath = nodePath.resolve(path);
  }

  /**
   * Opens `path`. 'r' needs an existing HDF5 file (FileNotFoundError, FormatError); 'a' opens
   * it for writing, or creates it if missing or empty; 'w' creates it, replacing any file
   * there. New files use the oldest HDF5 format that holds the data (superblock 0, as h5py
   * writes) and are flushed at once, so a file on disk is always a valid HDF5 file.
   */
  static async open(path: string, mode: Hdf5Mode): Promise<Hdf5File> {
    const module = await loadH5Module();
    const exists = fs.existsSync(path);
    if (mode === 'r' && !exists) {
      throw new FileNotFoundError(path);
    }
    const folder = nodePath.dirname(nodePath.resolve(path));
    if (!fs.existsSync(folder)) {
      throw new FileNotFoundError(folder, 'folder');
    }
    // An empty file is what a crash between creating and first flushing a file leaves behind.
    const create = mode === 'w' || (mode === 'a' && (!exists || fs.statSync(path).size === 0));
    const fileId = openFileId(module, path, mode === 'r' ? 'read' : create ? 'create' : 'write');
    try {
      if (create) {
        module.flush(fileId);
      }
      const journal = mode === 'r' ? undefined : new FlushJournal(module, path);
      return new Hdf5File(module, path, mode, fileId, journal);
    } catch (error) {
      module.close_file(fileId);
      throw new FormatError(path, `cannot prepare the HDF5 file for writing: ${hdf5ErrorReason(error)}`);
    }
  }

  /** Names of the datasets in the root group, in HDF5's name order ("0", "1", "10", "2", ...). */
  datasetNames(): string[] {
    const names = this.call('listing the root group', () => this.module.get_names(this.id, '/', false));
    return names.filter(name => this.objectType(name) === this.module.H5G_DATASET);
  }

  /** True when the root group has a dataset of that name. */
  has(name: string): boolean {
    return isPlainName(name) && this.objectType(name) === this.module.H5G_DATASET;
  }

  /** The dtype and shape of a dataset, without reading its data. */
  describe(name: string): { dtype: DType; shape: number[] } {
    const { dtype, shape } = this.datasetInfo(name);
    return { dtype, shape };
  }

  /** Reads a whole dataset (DatasetError if missing or not a dataset, FormatError if not numeric). */
  read(name: string): NDArray {
    const { dtype, shape, metadata } = this.datasetInfo(name);
    const byteCount = elementCount(shape) * metadata.size;
    if (byteCount === 0) {
      return ndarrayFromBytes(dtype, shape, new Uint8Array(0));
    }
    const pointer = this.module._malloc(byteCount);
    try {
      this.call(`reading dataset "${name}"`, () =>
        this.module.get_dataset_data(this.id, `/${name}`, null, null, null, BigInt(pointer))
      );
      return ndarrayFromBytes(dtype, shape, this.module.HEAPU8.subarray(pointer, pointer + byteCount));
    } finally {
      this.module._free(pointer);
    }
  }

  /**
   * Adds a root-group dataset holding `data`: contiguous, uncompressed, no attributes, dtype and
   * shape as given (bool as h5py's enum). DatasetError if the name is taken. Not yet flushed.
   */
  create(name: string, data: NDArray): void {
    const array = asNDArray(data, `${this.path}: dataset "${name}"`);
    if (this.mode === 'r') {
      throw new DatasetError(this.path, name, 'cannot be created: the file is open read-only');
    }
    if (!isPlainName(name)) {
      throw new DatasetError(this.path, name, 'is not a valid dataset name (non-empty, no "/", not "." or "..")');
    }
    if (this.objectType(name) !== -1) {
      throw new DatasetError(this.path, name, 'already exists');
    }
    const count = elementCount(array.shape);
    const metadata = array.dtype === 'bool' ? boolPlaceholderMetadata(array.shape, count) : writeMetadata(array.dtype, array.shape, count);
    const bytes = ndarrayBytes(array);
    const pointer = this.module._malloc(Math.max(bytes.byteLength, 1));
    try {
      this.module.HEAPU8.set(bytes, pointer);
      this.call(`creating dataset "${name}"`, () => this.module.create_dataset(this.id, name, BigInt(pointer), metadata));
    } finally {
      this.module._free(pointer);
    }
    if (array.dtype === 'bool') {
      this.turnPlaceholderIntoBoolEnum(name);
    }
  }

  /**
   * Writes everything created so far to the file, as one crash-atomic step: once it returns,
   * h5py reads those datasets, even if this process is killed during a later write.
   */
  flush(): void {
    this.call('flushing', () => this.module.flush(this.id));
    this.journal?.commit();
  }

  /** Flushes and closes the file; later calls on this object throw. Closing twice is a no-op. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    try {
      this.call('closing', () => this.module.close_file(this.fileId));
      this.journal?.commit();
    } finally {
      this.journal?.release();
    }
  }

  private get id(): bigint {
    if (this.closed) {
      throw new FormatError(this.path, 'the HDF5 file is closed');
    }
    return this.fileId;
  }

  /** The link's object type: H5G_DATASET, H5G_GROUP, ..., or -1 when there is no such link. */
  private objectType(name: string): number {
    return this.call(`looking up "${name}"`, () => this.module.get_type(this.id, `/${name}`));
  }

  private datasetInfo(name: string): { dtype: DType; shape: number[]; metadata: H5Metadata } {
    const type = isPlainName(name) ? this.objectType(name) : -1;
    if (type !== this.module.H5G_DATASET) {
      const problem = type === -1 ? 'does not exist' : type === this.module.H5G_GROUP ? 'is a group, not a dataset' : 'is not a dataset';
      throw new DatasetError(this.path, name, problem);
    }
    const metadata = this.call(`reading dataset "${name}"`, () => this.module.get_dataset_metadata(this.id, `/${name}`));
    const hdf5Type = {
      typeClass: metadata.type,
      size: metadata.size,
      signed: metadata.signed,
      enumMembers: metadata.enum_type?.members,
      enumBaseClass: metadata.enum_type?.type
    };
    const dtype = dtypeForHdf5Type(hdf5Type);
    if (dtype === undefined) {
      throw new FormatError(this.path, `dataset "${name}" has unsupported type ${describeHdf5Type(hdf5Type)}; expected a numeric or bool array`);
    }
    if (metadata.shape === null) {
      throw new FormatError(this.path, `dataset "${name}" has a null dataspace (no shape)`);
    }
    return { dtype, shape: [...metadata.shape], metadata };
  }

  /**
   * See hdf5-bool.ts. The header is patched on disk after a flush; the file is then reopened
   * so that HDF5's metadata cache, which still holds the placeholder, never writes it back.
   */
  private turnPlaceholderIntoBoolEnum(name: string): void {
    this.flush();
    const reference = this.call(`locating dataset "${name}"`, () => this.module.create_object_reference(this.id, name));
    const address = Number(Buffer.from(reference).readBigUInt64LE(0));
    this.call('closing', () => this.module.close_file(this.fileId));
    try {
      this.journal?.commit();
      this.journal?.commit(boolEnumPatch(this.absolutePath, name, address));
    } finally {
      this.fileId = openFileId(this.module, this.absolutePath, 'write');
    }
  }

  /** Runs an h5wasm call, turning HDF5's errors into a FormatError naming this file. */
  private call<T>(what: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof FormatError || error instanceof DatasetError) {
        throw error;
      }
      throw new FormatError(this.path, `${what}: ${hdf5ErrorReason(error)}`);
    }
  }
}

/**
 * Opens a file id. Writing uses the lower bound "earliest" (superblock 0, version-1 object
 * headers, symbol-table groups: the format h5py/AxoPy write, and the one the bool patch reads)
 * and the upper bound v1.10, the newest format h5py 3.7 (HDF5 1.10) reads. A v1.10 lower bound
 * would set superblock status flags that make h5py refuse a file left open by a crash.
 */
function openFileId(module: H5Module, path: string, how: 'read' | 'write' | 'create'): bigint {
  const mode = how === 'read' ? module.H5F_ACC_RDONLY : how === 'write' ? module.H5F_ACC_RDWR : module.H5F_ACC_TRUNC;
  const [low, high] = how === 'read' ? [-1, -1] : [module.H5F_LIBVER_EARLIEST, module.H5F_LIBVER_V110];
  let fileId: bigint;
  try {
    // Absolute, so that the flush journal, which recognises the file's writes by path, still
    // does if the process changes its working folder while the file is open.
    fileId = module.open(nodePath.resolve(path), mode, false, low, high);
  } catch (error) {
    throw new FormatError(path, `not a readable HDF5 file: ${hdf5ErrorReason(error)}`);
  }
  if (fileId < 0n) {
    throw new FormatError(path, 'not a readable HDF5 file');
  }
  return fileId;
}

function writeMetadata(dtype: DType, shape: readonly number[], count: number): H5WriteMetadata {
  const { typeClass, size, signed } = hdf5TypeForDType(dtype);
  return {
    type: typeClass,
    size,
    signed,
    littleEndian: true,
    vlen: false,
    total_size: count,
    shape: shape.map(n => BigInt(n)),
    maxshape: null,
    chunks: null
  };
}

/** A name that addresses a root-group member (no path separators, not "." or ".."). */
function isPlainName(name: string): boolean {
  return typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !name.includes('/');
}

/** Reads root dataset `dataset` of an HDF5 file whole (Python AxoPy's `read_hdf5`). */
export async function readHdf5(path: string, dataset = 'data'): Promise<NDArray> {
  const file = await Hdf5File.open(path, 'r');
  try {
    return file.read(dataset);
  } finally {
    file.close();
  }
}

/**
 * Adds root dataset `dataset` to an HDF5 file, created if missing (Python AxoPy's
 * `write_hdf5`); DatasetError if the name is taken.
 */
export async function writeHdf5(path: string, data: NDArray, dataset = 'data'): Promise<void> {
  const file = await Hdf5File.open(path, 'a');
  try {
    file.create(dataset, data);
  } finally {
    file.close();
  }
}
