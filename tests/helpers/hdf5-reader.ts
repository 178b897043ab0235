/**
 * The browser's HDF5 reader (src/lab/hdf5/reader.ts) in Node: the same h5wasm build the worker
 * loads (its ESM build, whose in-memory file system has the lazy files the reader uses; the
 * Node build maps files to the disk instead) and range reads from local files in place of HTTP
 * Range requests, so tests run the worker's code and count the bytes it moves.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Hdf5RangeReader, type H5wasm, type IRangeResponse } from '../../src/lab/hdf5/reader.js';
import type { IRemoteFile } from '../../src/lab/hdf5/protocol.js';
import type {
  IArrayData,
  IFileVersion,
  IHdf5Provider,
  IDatasetCount,
  IDatasetInfo
} from '../../src/lab/hdf5/provider.js';

let h5wasmLoading: Promise<H5wasm> | undefined;

/** h5wasm's browser build, loaded once, with HDF5 errors thrown (as the worker has it). */
export function loadNodeH5wasm(): Promise<H5wasm> {
  h5wasmLoading ??= import('h5wasm').then(async module => {
    await module.ready;
    (module.Module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return module as unknown as H5wasm;
  });
  return h5wasmLoading;
}

/** Bytes [start, end) of a local file (`file.url` is its path), as a Range response gives them. */
export function fileRange(file: IRemoteFile, start: number, end: number): IRangeResponse {
  const fd = openSync(file.url, 'r');
  try {
    const total = fstatSync(fd).size;
    const bytes = new Uint8Array(Math.max(0, Math.min(end, total) - start));
    const read = bytes.length > 0 ? readSync(fd, bytes, 0, bytes.length, start) : 0;
    return { bytes: bytes.subarray(0, read), total, received: read };
  } finally {
    closeSync(fd);
  }
}

/** The reader over local files, with every range request recorded. */
export async function nodeHdf5Reader(): Promise<{
  reader: Hdf5RangeReader;
  requests: { path: string; start: number; end: number }[];
}> {
  const requests: { path: string; start: number; end: number }[] = [];
  const reader = new Hdf5RangeReader(await loadNodeH5wasm(), (file, start, end) => {
    requests.push({ path: file.path, start, end });
    return fileRange(file, start, end);
  });
  return { reader, requests };
}

/** A file of `base` as the reader names it (server path, local path as its URL, mtime|size stamp). */
export function localFile(base: string, path: string, stamp?: string): IRemoteFile {
  const full = join(base, path);
  const stat = statSync(full);
  return { path, url: full, stamp: stamp ?? `${stat.mtime.toISOString()}|${stat.size}`, authorization: '' };
}

/** {@link IHdf5Provider} over the files below `base` (paths relative to it, as the server's). */
export async function nodeHdf5Provider(
  base: string
): Promise<IHdf5Provider & { requests: { path: string; start: number; end: number }[] }> {
  const { reader, requests } = await nodeHdf5Reader();
  const remote = (file: IFileVersion): IRemoteFile => ({
    path: file.path,
    url: join(base, file.path),
    stamp: file.stamp,
    authorization: ''
  });
  const bytes = new Map<string, number>();
  return {
    requests,
    async describe(file: IFileVersion): Promise<IDatasetInfo[]> {
      const described = reader.describe(remote(file));
      bytes.set(file.path, described.bytesFetched);
      return described.datasets;
    },
    async countDatasets(file: IFileVersion): Promise<IDatasetCount> {
      const counted = reader.count(remote(file));
      bytes.set(file.path, counted.bytesFetched);
      return counted;
    },
    async readDataset(file: IFileVersion, dataset: string): Promise<IArrayData | undefined> {
      const result = reader.read(remote(file), dataset);
      bytes.set(file.path, result.bytesFetched);
      return result.found
        ? { dtype: result.dtype, shape: result.shape, data: result.data as unknown as ArrayLike<number> }
        : undefined;
    },
    bytesFetched: path => bytes.get(path)
  };
}
