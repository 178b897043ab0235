/**
 * Messages between the HDF5 service (main thread, service.ts) and its one Web Worker, and how
 * both spell a file's URL. Separate from the worker so the main thread does not load its code.
 */
import type { Hdf5ReadLimits } from '../../core/hdf5-containment.js';
import type { IReduceTrialsReply, IReduceTrialsRequest } from '../analysis/worker-handlers.js';
import type { ISerializedError } from './errors.js';

/** Where the worker reads a file from, and which version of it. */
export interface IRemoteFile {
  /** The server path, for messages. */
  readonly path: string;
  /** The /files/ URL of the file. */
  readonly url: string;
  /** Changes whenever the file changes (modification time and size): the worker re-opens it. */
  readonly stamp: string;
  /** Authorization header value (`token …`), or '' for none (cookie or no auth). */
  readonly authorization: string;
  /** The Contents API URL listing the file's folder (direct reads look there for a journal). */
  readonly folderListingUrl?: string;
  /** The file's URL at the server extension's files endpoint, which answers many ranges at once (if the server has it). */
  readonly multiRangeUrl?: string;
}

/** Where the worker lists a folder (Contents API) and reads its files (/files/). */
export interface IRemoteFolder {
  /** The server path, for messages. */
  readonly path: string;
  /** The Contents API URL listing the folder (with its files' sizes and modification times). */
  readonly listingUrl: string;
  /** The absolute /files/ URL of the server root, ending with "/". */
  readonly filesUrl: string;
  readonly authorization: string;
}

/** The URL a version of a file is read from: one URL per version, for the HTTP cache. */
export function remoteFileUrl(filesUrl: string, path: string, stamp: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${filesUrl}${encoded}?axopy-version=${encodeURIComponent(stamp)}`;
}

/**
 * Requests: list the datasets (metadata only), count them, or read one dataset; `warm` loads
 * and compiles h5wasm ahead of the first file; `readAheadFolder` lists a folder and reads
 * `dataset` of each of its array files, kept for the `read` of it expected next.
 */
export type Hdf5Request =
  | { readonly id: number; readonly op: 'warm' }
  | { readonly id: number; readonly op: 'readAheadFolder'; readonly folder: IRemoteFolder; readonly dataset: string }
  | { readonly id: number; readonly op: 'describe'; readonly file: IRemoteFile }
  | { readonly id: number; readonly op: 'count'; readonly file: IRemoteFile }
  | { readonly id: number; readonly op: 'read'; readonly file: IRemoteFile; readonly dataset: string }
  | {
      readonly id: number;
      readonly op: 'configure';
      readonly blockSize: number;
      readonly maxBlocks: number;
      readonly limits: Hdf5ReadLimits;
    }
  | IReduceTrialsRequest;

/** A dataset's description, as the core's checks take it (dtype: numpy name or HDF5 type). */
export interface IDatasetInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Why the reader refuses its data (core/hdf5-containment.ts), if it does. */
  readonly refused?: string;
}

/** Datasets of a file, or the first one refused by rule with the reason. */
export type IDatasetCount =
  | { readonly count: number; readonly bytesFetched: number }
  | { readonly refused: { readonly dataset: string; readonly reason: string }; readonly bytesFetched: number };

/** Replies; `bytesFetched` is the file's running total of bytes moved over the network. */
export type Hdf5Reply =
  | { readonly id: number; readonly datasets: IDatasetInfo[]; readonly bytesFetched: number }
  | ({ readonly id: number; readonly op: 'count' } & IDatasetCount)
  | {
      readonly id: number;
      readonly found: true;
      readonly dtype: string;
      readonly shape: number[];
      readonly data: ArrayBufferView;
      readonly bytesFetched: number;
    }
  | { readonly id: number; readonly found: false; readonly bytesFetched: number }
  | { readonly id: number; readonly configured: true }
  | { readonly id: number; readonly warmed: true }
  | { readonly id: number; readonly readAhead: number }
  | { readonly id: number; readonly error: ISerializedError }
  | IReduceTrialsReply;
