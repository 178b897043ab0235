/**
 * Loads h5wasm (the HDF5 C library compiled to WebAssembly) once per process and describes the
 * part of its low-level Module that this package calls. h5wasm's own types stay private: under
 * tslab's Node10 resolution they would turn into `any` in our public declarations.
 */

/** h5wasm's description of a dataset's datatype and dataspace (`get_dataset_metadata`). */
export interface H5Metadata {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  /** null for a null dataspace. */
  shape: number[] | null;
  chunks: number[] | null;
  total_size: number;
  enum_type?: { members: Record<string, number>; nmembers: number; type: number };
}

/** What `create_dataset` reads from its metadata argument (a subset of h5wasm's WriteMetadata). */
export interface H5WriteMetadata {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  vlen: boolean;
  total_size: number;
  shape: bigint[];
  maxshape: null;
  chunks: null;
  compound_type?: {
    nmembers: number;
    members: Array<
      Omit<H5WriteMetadata, 'shape' | 'maxshape' | 'chunks'> & {
        name: string;
        offset: number;
        shape: null;
        maxshape: null;
      }
    >;
  };
}

/** The Emscripten FS stream h5wasm's HDF5 reads and writes a file through. */
export interface H5FsStream {
  path: string;
}

/** The functions of h5wasm's Module (its Embind exports) that this package uses. */
export interface H5Module {
  open(filename: string, mode: number, trackOrder: boolean, libverLow: number, libverHigh: number): bigint;
  close_file(fileId: bigint): number;
  flush(fileId: bigint): number;
  get_names(fileId: bigint, path: string, recursive: boolean): string[];
  get_type(fileId: bigint, path: string): number;
  get_dataset_metadata(fileId: bigint, path: string): H5Metadata;
  get_dataset_data(fileId: bigint, path: string, count: null, offset: null, strides: null, dataPtr: bigint): number;
  create_dataset(fileId: bigint, name: string, dataPtr: bigint, metadata: H5WriteMetadata): number;
  create_object_reference(fileId: bigint, name: string): number[];
  activate_throwing_error_handler(): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  H5F_ACC_RDONLY: number;
  H5F_ACC_RDWR: number;
  H5F_ACC_TRUNC: number;
  H5F_LIBVER_EARLIEST: number;
  H5F_LIBVER_V110: number;
  H5G_GROUP: number;
  H5G_DATASET: number;
  FS: {
    write(
      stream: H5FsStream,
      buffer: Int8Array | Uint8Array,
      offset: number,
      length: number,
      position?: number
    ): number;
    read(stream: H5FsStream, buffer: Int8Array | Uint8Array, offset: number, length: number, position?: number): number;
  };
}

let modulePromise: Promise<H5Module> | undefined;

/**
 * The h5wasm Module, loaded on first use. h5wasm is ESM-only; tsc (module nodenext) keeps this
 * dynamic import as is in our CommonJS output, and Node loads the ESM package from it.
 *
 * HDF5 errors are switched to thrown exceptions (carrying HDF5's error stack) instead of being
 * printed to stderr with a -1 return: a corrupt file then fails the call that met it, cleanly,
 * and the module stays usable (checked against truncated, garbage and bit-flipped files).
 */
export function loadH5Module(): Promise<H5Module> {
  modulePromise ??= (async () => {
    const h5wasm = (await import('h5wasm/node')) as unknown as { ready: Promise<unknown> };
    const module = (await h5wasm.ready) as H5Module;
    module.activate_throwing_error_handler();
    return module;
  })();
  return modulePromise;
}
