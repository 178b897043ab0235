/**
 * Messages between the preview's HDF5 reader (main thread) and its Web Worker. Separate from the
 * worker so the main thread imports types only, not the worker's code.
 */

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

/**
 * Requests: list the datasets (metadata only) or read one dataset; `warm` loads and compiles
 * h5wasm ahead of the first file, `open` opens a file (superblock and root group) ahead of a read and, given `dataset`,
 * reads that dataset and keeps it for the `read` expected next.
 */
export type PreviewRequest =
  | { readonly id: number; readonly op: 'warm' }
  | { readonly id: number; readonly op: 'open'; readonly file: IRemoteFile; readonly dataset?: string }
  | { readonly id: number; readonly op: 'describe'; readonly file: IRemoteFile }
  | { readonly id: number; readonly op: 'read'; readonly file: IRemoteFile; readonly dataset: string }
  | { readonly id: number; readonly op: 'configure'; readonly blockSize: number; readonly maxBlocks: number };

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
  | { readonly id: number; readonly opened: true; readonly bytesFetched: number }
  | { readonly id: number; readonly error: string };
