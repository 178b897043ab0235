/**
 * Messages between the preview's HDF5 reader (main thread) and its Web Worker, and how both
 * spell a file's URL. Separate from the worker so the main thread does not load its code.
 */
import type { IReduceTrialsReply, IReduceTrialsRequest } from '../analysis/worker-handlers.js';

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
 * Requests: list the datasets (metadata only) or read one dataset; `warm` loads and compiles
 * h5wasm ahead of the first file; `readAheadFolder` lists a folder and reads `dataset` of each
 * of its array files, kept for the `read` of it expected next.
 */
export type PreviewRequest =
  | { readonly id: number; readonly op: 'warm' }
  | { readonly id: number; readonly op: 'readAheadFolder'; readonly folder: IRemoteFolder; readonly dataset: string }
  | { readonly id: number; readonly op: 'describe'; readonly file: IRemoteFile }
  | { readonly id: number; readonly op: 'read'; readonly file: IRemoteFile; readonly dataset: string }
  | { readonly id: number; readonly op: 'configure'; readonly blockSize: number; readonly maxBlocks: number }
  | IReduceTrialsRequest;

/** A dataset's description, as the core's checks take it (dtype: numpy name or HDF5 type). */
export interface IDatasetInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

/** Replies; `bytesFetched` is the file's running total of bytes moved over the network. */
export type PreviewReply =
  | { readonly id: number; readonly datasets: IDatasetInfo[]; readonly bytesFetched: number }
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
  | { readonly id: number; readonly error: string }
  | IReduceTrialsReply;
