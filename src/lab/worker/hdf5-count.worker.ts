/**
 * Web Worker that counts the datasets in the root group of an HDF5 file with h5wasm, off the
 * main thread (h5wasm is several MB of WebAssembly and the file is parsed synchronously).
 * Message in: {@link ICountRequest}; message out: {@link ICountReply}.
 */
import { loadH5wasm } from './h5wasm-loader.js';
import { countContainedDatasets } from './hdf5-dataset-guard.js';

/** Request: the whole file's bytes (transferred, not copied). */
export interface ICountRequest {
  readonly id: number;
  readonly path: string;
  readonly bytes: ArrayBuffer;
}

/** Reply: the count, or the error message naming the file. */
export type ICountReply =
  | { readonly id: number; readonly count: number }
  | { readonly id: number; readonly error: string };

interface IWorkerScope {
  onmessage: ((event: { data: ICountRequest }) => void) | null;
  postMessage(message: ICountReply): void;
}

const scope = self as unknown as IWorkerScope;
let nextFile = 0;

async function countDatasets(request: ICountRequest): Promise<number> {
  const h5wasm = await loadH5wasm();
  // Each request gets its own name in the in-memory file system, removed afterwards.
  const memoryPath = `/count-${nextFile++}.h5`;
  h5wasm.FS!.writeFile(memoryPath, new Uint8Array(request.bytes));
  const file = new h5wasm.File(memoryPath, 'r');
  try {
    if (file.file_id < 0n) {
      throw new Error('not an HDF5 file');
    }
    return countContainedDatasets(h5wasm, file, new Uint8Array(request.bytes));
  } finally {
    file.close();
    h5wasm.FS!.unlink(memoryPath);
  }
}

scope.onmessage = event => {
  const request = event.data;
  countDatasets(request).then(
    count => scope.postMessage({ id: request.id, count }),
    (error: unknown) =>
      scope.postMessage({
        id: request.id,
        error: `${request.path}: ${error instanceof Error ? error.message : String(error)}`
      })
  );
};
