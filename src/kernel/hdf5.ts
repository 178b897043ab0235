/**
 * HDF5 array files as Python AxoPy writes and reads them with h5py: numeric datasets in the
 * root group, contiguous, uncompressed, no attributes; numpy bool as h5py's enum.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  Hdf5TypeClass,
  dtypeForHdf5Type,
  describeHdf5Type,
  hdf5TypeForDType,
  ndarrayBytes,
  ndarrayFromBytes
} from '../core/dtype.js';
import {
  AxoPyError,
  DatasetError,
  DatasetRefusedError,
  DiskFullError,
  FileNotFoundError,
  FormatError,
  PermissionError
} from '../core/errors.js';
import {
  type AnyTypedArray,
  type DType,
  type NDArray,
  TYPED_ARRAY_FOR_DTYPE,
  asNDArray,
  elementCount
} from '../core/ndarray.js';
import { boolEnumPatch, boolPlaceholderMetadata } from './hdf5-bool.js';
import { FlushJournal, readDirect, recoverJournal } from './hdf5-journal.js';
import { typedFsError } from './files.js';
import { type H5Metadata, type H5Module, type H5WriteMetadata, loadH5Module } from './hdf5-module.js';
import { dtypeNameOfMetadata, hdf5ErrorReason, hdf5TypeOfMetadata } from '../core/hdf5-metadata.js';
import type { H5FactsModule, Hdf5ReadLimits } from '../core/hdf5-containment.js';
import { DatasetInspector } from './hdf5-containment.js';
import { DirectReader, hdf5ReadCounts } from './hdf5-direct.js';
import type { DirectReadPlan } from '../core/hdf5-direct-read.js';
import { addressOfReference } from '../core/hdf5-object-header.js';

export { hdf5ReadCounts } from './hdf5-direct.js';

/** How `Hdf5File.open` opens a file: read only; read/write, created if missing; truncated. */
export type Hdf5Mode = 'r' | 'a' | 'w';

/**
 * How far a flush goes: 'flush' (default) hands the bytes to the operating system, which
 * survives the process being killed; 'fsync' also waits until they are on the disk (journal,
 * then file), which survives a machine crash, at a cost (`npm run bench:storage`).
 */
export type Durability = 'flush' | 'fsync';

/**
 * A file open for writing is closed and reopened after this many new datasets. HDF5's metadata
 * cache keeps the object header of every dataset created, and each flush walks the whole cache,
 * so without a reopen a flush grows slower with every trial; a reopen is cheap next to that.
 */
const DATASETS_PER_REOPEN = 200;

/** Room kept free beyond a dataset's data for the metadata HDF5 adds with it (heap, B-tree). */
const ROOM_MARGIN_BYTES = 256 * 1024;

/** Datasets whose metadata a read-only file remembers (a few hundred bytes each). */
const DESCRIBED_CACHE_ENTRIES = 100_000;

/** Reads up to this size reuse one WebAssembly buffer per open file. */
const SCRATCH_MAX_BYTES = 16 * 1024 * 1024;

/**
 * An open HDF5 file (h5wasm) with AxoPy's root-group datasets. Keep one open across trials
 * and `flush()` after each: reopening per trial, as AxoPy does, costs milliseconds each time.
 * Each flush of a file open for writing is crash-atomic (hdf5-journal.ts): if the process is
 * killed at any moment, h5py still reads every dataset flushed before.
 */
export class Hdf5File {
  private closed = false;
  /** Datasets created since the file id was opened (see DATASETS_PER_REOPEN). */
  private createdSinceOpen = 0;
  /** A WebAssembly buffer reused by reads, so each read does not malloc and free its own. */
  private scratch = { pointer: 0, bytes: 0 };
  /** Metadata of datasets already described, in files open read-only. */
  private readonly describedForRead = new Map<string, H5Metadata>();
  /** Resolved once: the process may change its working folder while the file is open. */
  private readonly absolutePath: string;
  /**
   * What reads accept (core/hdf5-containment.ts): by default no data from other files, no
   * dataset over 1 GiB, none declaring more stored data than the file holds. Set before reading.
   */
  readLimits: Hdf5ReadLimits = {};
  /** Checks datasets against `readLimits` before they are read (hdf5-containment.ts). */
  private inspector: DatasetInspector | undefined;
  /** Reads plain datasets without HDF5 (files open read-only; null once found unusable). */
  private direct: DirectReader | null | undefined;

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
  static async open(path: string, mode: Hdf5Mode, options: { durability?: Durability } = {}): Promise<Hdf5File> {
    const module = await loadH5Module();
    if (mode !== 'r') {
      // A crash may have left a batch mid-flight: replay it (or drop a journal not for this file).
      recoverJournal(path);
      refuseLink(path);
    }
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
    if (create && !exists) createExclusively(path);
    const fileId = openFileId(module, path, mode === 'r' ? 'read' : create ? 'create' : 'write');
    try {
      if (create) {
        module.flush(fileId);
      }
      const journal = mode === 'r' ? undefined : new FlushJournal(module, path, options.durability === 'fsync');
      return new Hdf5File(module, path, mode, fileId, journal);
    } catch (error) {
      module.close_file(fileId);
      const typed = typedFsError(error, nodePath.resolve(path));
      if (typed !== error) throw typed;
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
    const plan = this.directPlan(name);
    if (plan !== undefined) return { dtype: plan.dtype, shape: [...plan.shape] };
    const { dtype, shape } = this.datasetInfo(name);
    return { dtype, shape };
  }

  /**
   * A dataset as the checks list it: dtype and shape, and the reason a read is refused by rule
   * (core/hdf5-containment.ts) instead of a DatasetRefusedError, so that one refused dataset
   * does not hide the file's others (the browser's describe lists them the same way).
   */
  describeForCheck(name: string): { dtype: string; shape: number[]; refused?: string } {
    try {
      return this.describe(name);
    } catch (error) {
      if (!(error instanceof DatasetRefusedError)) throw error;
      const metadata = this.tryMetadata(name);
      return {
        dtype: metadata === undefined ? 'unknown' : dtypeNameOfMetadata(metadata),
        shape: metadata?.shape ?? [],
        refused: error.reason
      };
    }
  }

  /** Reads a whole dataset (DatasetError if missing or not a dataset, FormatError if not numeric). */
  read(name: string): NDArray {
    const plan = this.directPlan(name);
    if (plan !== undefined) {
      // Its own buffer, every byte overwritten by the read: not zero-filled first.
      const bytes = Buffer.allocUnsafeSlow(plan.byteCount);
      this.readDirectly(name, plan, bytes);
      const data = new TYPED_ARRAY_FOR_DTYPE[plan.dtype](
        bytes.buffer,
        bytes.byteOffset,
        plan.byteCount / plan.elementBytes
      );
      return { dtype: plan.dtype, shape: [...plan.shape], data } as NDArray;
    }
    const { dtype, shape, metadata } = this.datasetInfo(name);
    const byteCount = elementCount(shape) * metadata.size;
    if (byteCount === 0) {
      return ndarrayFromBytes(dtype, shape, new Uint8Array(0));
    }
    // A buffer of its own (a view of the heap would change under it), not zero-filled first:
    // allocUnsafeSlow, as every byte is overwritten at once.
    const bytes = Buffer.allocUnsafeSlow(byteCount);
    this.readBytes(name, metadata, bytes);
    const data = new TYPED_ARRAY_FOR_DTYPE[dtype](bytes.buffer, bytes.byteOffset, byteCount / metadata.size);
    return { dtype, shape, data } as NDArray;
  }

  /**
   * Reads a whole dataset into `target`, which must be a typed array of the dataset's dtype and
   * element count (a subarray of a larger output, say): no array is allocated per read.
   * Same errors as `read`; DatasetError when `target` does not fit the dataset.
   */
  readInto(name: string, target: AnyTypedArray): void {
    const plan = this.directPlan(name);
    const { dtype, shape, metadata } = plan !== undefined ? { ...plan, metadata: undefined } : this.datasetInfo(name);
    const count = elementCount(shape);
    if (!(target instanceof TYPED_ARRAY_FOR_DTYPE[dtype]) || target.length !== count) {
      throw new DatasetError(
        this.path,
        name,
        `is ${dtype} [${shape.join(', ')}]; cannot be read into a ${target.constructor.name} of ${target.length} elements`
      );
    }
    const byteCount = count * target.BYTES_PER_ELEMENT;
    if (byteCount === 0) {
      return;
    }
    const bytes = new Uint8Array(target.buffer, target.byteOffset, byteCount);
    if (metadata === undefined) this.readDirectly(name, plan!, bytes);
    else this.readBytes(name, metadata, bytes);
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
    this.refuseIfBroken();
    const count = elementCount(array.shape);
    const metadata =
      array.dtype === 'bool'
        ? boolPlaceholderMetadata(array.shape, count)
        : writeMetadata(array.dtype, array.shape, count);
    const bytes = ndarrayBytes(array);
    this.ensureRoom(bytes.byteLength);
    const pointer = this.module._malloc(Math.max(bytes.byteLength, 1));
    try {
      this.module.HEAPU8.set(bytes, pointer);
      this.call(`creating dataset "${name}"`, () =>
        this.module.create_dataset(this.id, name, BigInt(pointer), metadata)
      );
    } catch (error) {
      // A write the file system refused (a full disk): the name HDF5 may already have linked is
      // not "taken", the write failed; say why.
      if (error instanceof DiskFullError || error instanceof PermissionError) throw error;
      // Checked only on failure (HDF5 refuses an existing name before it writes anything):
      // a lookup before every create costs as much as a tenth of the create itself.
      if (this.objectType(name) !== -1) {
        throw new DatasetError(this.path, name, 'already exists');
      }
      throw error;
    } finally {
      this.module._free(pointer);
    }
    this.createdSinceOpen += 1;
    if (array.dtype === 'bool') {
      this.turnPlaceholderIntoBoolEnum(name);
    }
  }

  /**
   * Writes everything created so far to the file, as one crash-atomic step: once it returns,
   * h5py reads those datasets, even if this process is killed during a later write.
   */
  flush(): void {
    this.refuseIfBroken();
    this.call('flushing', () => this.module.flush(this.id));
    this.journal?.commit();
    if (this.createdSinceOpen >= DATASETS_PER_REOPEN) {
      this.reopen();
    }
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
      this.inspector?.close();
      this.direct?.close();
      this.direct = null;
      this.journal?.release();
      if (this.scratch.bytes > 0) {
        this.module._free(this.scratch.pointer);
        this.scratch = { pointer: 0, bytes: 0 };
      }
    }
  }

  /** Marks the file's committed state as the one `rollback` returns to (a trial's start). */
  setSavepoint(): void {
    this.journal?.setSavepoint();
  }

  /** Forgets the savepoint (the trial is committed). */
  clearSavepoint(): void {
    this.journal?.clearSavepoint();
  }

  /**
   * Returns the file to its savepoint after a failed write (a full disk, a permission): what
   * HDF5 holds unflushed is dropped, the datasets committed since are undone, and the file is
   * reopened, so the next write starts from the state before the failed trial. `created`: the
   * dataset the failed write was creating, which must be gone afterwards. When HDF5 failed inside
   * a dataset's creation it keeps that dataset open and its file with it (h5wasm cannot close
   * them): then nothing more is written to the file by this process (the disk keeps the state
   * of the savepoint) and FormatError says so.
   */
  rollback(created?: string): void {
    if (this.closed || this.journal === undefined) return;
    if (this.broken !== undefined) throw this.broken;
    this.journal.discarding = true;
    try {
      this.module.close_file(this.fileId);
    } catch {
      // HDF5 may complain about the state the failure left; all of it is dropped anyway
    } finally {
      this.journal.discarding = false;
    }
    this.createdSinceOpen = 0;
    try {
      this.journal.rollback();
    } finally {
      this.fileId = openFileId(this.module, this.absolutePath, 'write');
    }
    if (created !== undefined && this.has(created)) {
      this.journal.discarding = true; // for good: HDF5's view of the file is not the disk's
      this.broken = new FormatError(
        this.path,
        `dataset "${created}" could not be undone after a failed write ` +
          '(HDF5 keeps it open); this file holds every earlier trial, and this process cannot write to it again: ' +
          'restart the kernel to go on'
      );
      throw this.broken;
    }
  }

  /** The error every later write gets once a rollback could not undo HDF5's state. */
  private broken: FormatError | undefined;

  private refuseIfBroken(): void {
    if (this.broken !== undefined) throw this.broken;
  }

  /**
   * DiskFullError before HDF5 starts a write the disk has no room for: HDF5 cannot undo a
   * dataset whose data write failed half-way (see `rollback`). Space taken by others between
   * this check and the write, and quotas, still reach HDF5.
   */
  private ensureRoom(dataBytes: number): void {
    let free: number;
    try {
      const stats = fs.statfsSync(nodePath.dirname(this.absolutePath));
      free = stats.bavail * stats.bsize;
    } catch {
      return; // no figure: let the write tell
    }
    if (free < dataBytes + ROOM_MARGIN_BYTES) throw new DiskFullError(this.absolutePath, 'ENOSPC');
  }

  private get id(): bigint {
    if (this.closed) {
      throw new FormatError(this.path, 'the HDF5 file is closed');
    }
    return this.fileId;
  }

  /**
   * How to read `name` without HDF5 (core/hdf5-direct-read.ts), or undefined when HDF5 reads it:
   * files open for writing, datasets not plain and contiguous. DatasetRefusedError as
   * `datasetInfo` gives it, for a dataset the containment rule refuses.
   */
  private directPlan(name: string): DirectReadPlan | undefined {
    if (this.mode !== 'r' || !isPlainName(name)) return undefined;
    void this.id; // FormatError once closed, as every read
    if (this.direct === undefined) this.direct = DirectReader.open(this.absolutePath) ?? null;
    if (this.direct === null) return undefined;
    // Until the root links are listed here (and for dense storage, soft or external links):
    // HDF5 finds the object, once the name is known not to be an external link, which it
    // would follow into another file.
    const addressOf = (): number | undefined => {
      const id = this.id;
      const module = this.module as unknown as H5FactsModule;
      try {
        if (module.get_external_link(id, `/${name}`).filename !== undefined) return undefined;
        if (this.module.get_type(id, `/${name}`) !== this.module.H5G_DATASET) return undefined;
        return addressOfReference(module.create_object_reference(id, `/${name}`));
      } catch {
        return undefined;
      }
    };
    return this.direct.plan(name, this.path, this.readLimits, addressOf);
  }

  /** Reads a planned dataset into `target`; a file cut short since it was opened is a FormatError. */
  private readDirectly(name: string, plan: DirectReadPlan, target: Uint8Array): void {
    try {
      this.direct!.read(plan, target);
    } catch (error) {
      const typed = typedFsError(error, this.absolutePath);
      if (typed !== error) throw typed;
      throw new FormatError(this.path, `reading dataset "${name}": ${(error as Error).message}`);
    }
  }

  /**
   * Reads dataset `name` into `target` (its exact byte size). HDF5 reads into WebAssembly
   * memory: into a buffer kept for the next read up to SCRATCH_MAX_BYTES (a malloc and free per
   * trial showed in profiles), or one of its own for larger datasets. Little-endian numbers,
   * which HDF5 does not convert, go straight from the file into `target` (see readDirect).
   */
  private readBytes(name: string, metadata: H5Metadata, target: Uint8Array): void {
    const byteCount = target.byteLength;
    const own = byteCount > SCRATCH_MAX_BYTES;
    if (!own && this.scratch.bytes < byteCount) {
      if (this.scratch.bytes > 0) {
        this.module._free(this.scratch.pointer);
        this.scratch = { pointer: 0, bytes: 0 };
      }
      this.scratch = { pointer: this.module._malloc(byteCount), bytes: byteCount };
    }
    const pointer = own ? this.module._malloc(byteCount) : this.scratch.pointer;
    hdf5ReadCounts.viaHdf5 += 1;
    try {
      const readIntoHeap = (): void => {
        this.call(`reading dataset "${name}"`, () =>
          this.module.get_dataset_data(this.id, `/${name}`, null, null, null, BigInt(pointer))
        );
      };
      const unconverted =
        metadata.littleEndian && (metadata.type === Hdf5TypeClass.integer || metadata.type === Hdf5TypeClass.float);
      const direct = unconverted ? readDirect(this.module, pointer, target, readIntoHeap) : (readIntoHeap(), false);
      if (!direct) {
        target.set(this.module.HEAPU8.subarray(pointer, pointer + byteCount));
      }
    } finally {
      if (own) this.module._free(pointer);
    }
  }

  /**
   * Closes and reopens the file id after a flush, emptying HDF5's metadata cache (see
   * DATASETS_PER_REOPEN). Closing writes only what the flush already wrote; it is committed
   * through the journal as any flush is.
   */
  private reopen(): void {
    this.call('closing', () => this.module.close_file(this.fileId));
    this.createdSinceOpen = 0;
    try {
      this.journal?.commit();
    } finally {
      this.fileId = openFileId(this.module, this.absolutePath, 'write');
    }
  }

  /**
   * The dataset's metadata, or undefined when HDF5 cannot give it (no such dataset, not a
   * dataset, damaged): the caller then looks up what is there, a lookup costing a fifth of a
   * read when done for every dataset.
   */
  private tryMetadata(name: string): H5Metadata | undefined {
    if (!isPlainName(name)) return undefined;
    try {
      return this.module.get_dataset_metadata(this.id, `/${name}`);
    } catch {
      return undefined;
    }
  }

  /** The link's object type: H5G_DATASET, H5G_GROUP, ..., or -1 when there is no such link. */
  private objectType(name: string): number {
    return this.call(`looking up "${name}"`, () => this.module.get_type(this.id, `/${name}`));
  }

  private datasetInfo(name: string): { dtype: DType; shape: number[]; metadata: H5Metadata } {
    let metadata = this.describedForRead.get(name) ?? this.tryMetadata(name);
    if (metadata === undefined) {
      const type = isPlainName(name) ? this.objectType(name) : -1;
      if (type !== this.module.H5G_DATASET) {
        const problem =
          type === -1
            ? 'does not exist'
            : type === this.module.H5G_GROUP
              ? 'is a group, not a dataset'
              : 'is not a dataset';
        throw new DatasetError(this.path, name, problem);
      }
      // A dataset whose header HDF5 cannot read: fail with HDF5's reason.
      metadata = this.call(`reading dataset "${name}"`, () => this.module.get_dataset_metadata(this.id, `/${name}`));
    }
    if (!this.describedForRead.has(name)) {
      this.inspector ??= new DatasetInspector({ path: this.path, absolutePath: this.absolutePath }, this.mode === 'r');
      const inspector = this.inspector;
      const known = metadata;
      this.call(`inspecting dataset "${name}"`, () =>
        inspector.requireContained(this.module, this.id, name, known, this.readLimits)
      );
    }
    if (this.mode === 'r') {
      // Datasets never change once written; array() describes every trial, then reads each.
      if (this.describedForRead.size >= DESCRIBED_CACHE_ENTRIES) this.describedForRead.clear();
      this.describedForRead.set(name, metadata);
    }
    const hdf5Type = hdf5TypeOfMetadata(metadata);
    const dtype = dtypeForHdf5Type(hdf5Type);
    if (dtype === undefined) {
      throw new FormatError(
        this.path,
        `dataset "${name}" has unsupported type ${describeHdf5Type(hdf5Type)}; expected a numeric or bool array`
      );
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
    this.createdSinceOpen = 0;
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
      const cause = this.journal?.takeFailure();
      if (cause instanceof AxoPyError) {
        throw cause; // a typed file-system error (DiskFullError, PermissionError)
      }
      if (error instanceof FormatError || error instanceof DatasetError) {
        throw error;
      }
      throw new FormatError(this.path, `${what}: ${hdf5ErrorReason(error)}`);
    }
  }
}

/** Writers never write through a link: one planted in a task folder could point anywhere. */
function refuseLink(path: string): void {
  try {
    if (!fs.lstatSync(path).isSymbolicLink()) return;
  } catch {
    return; // missing: created below
  }
  throw new PermissionError(path, 'is a symbolic link; the writer does not write through links');
}

/** Creates an empty file that was not there, never through a link (mode 0644 less the umask). */
function createExclusively(path: string): void {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  try {
    fs.closeSync(fs.openSync(path, flags, 0o644));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      refuseLink(path);
      return; // made meanwhile: opened below as any existing file
    }
    throw typedFsError(error, nodePath.resolve(path));
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

/**
 * Reads root dataset `dataset` of an HDF5 file whole (Python AxoPy's `read_hdf5`). `limits`
 * may allow what h5py reads and this reader refuses by default (data in other files, see
 * `Hdf5ReadLimits`).
 */
export async function readHdf5(path: string, dataset = 'data', limits: Hdf5ReadLimits = {}): Promise<NDArray> {
  const file = await Hdf5File.open(path, 'r');
  file.readLimits = limits;
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
