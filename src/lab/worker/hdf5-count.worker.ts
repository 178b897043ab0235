/**
 * Web Worker that counts the datasets in the root group of an HDF5 file with h5wasm, off the
 * main thread (h5wasm is several MB of WebAssembly and the file is parsed synchronously).
 * Message in: {@link ICountRequest}; message out: {@link ICountReply}.
 */
type H5wasm = typeof import('h5wasm');

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
let h5wasmLoading: Promise<H5wasm> | undefined;

/**
 * h5wasm, imported on first use. A static import would not work here: the extension's build
 * shares h5wasm through module federation, and a worker's startup cannot wait for a shared
 * module; a dynamic import can (it falls back to the bundled copy).
 */
async function loadH5wasm(): Promise<H5wasm> {
  h5wasmLoading ??= import('h5wasm').then(async module => {
    await module.ready;
    // HDF5 errors (a file caught mid-write by a running experiment, a corrupt file) become
    // exceptions, reported in the reply, instead of error stacks printed to the console.
    (module.Module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return module;
  });
  return h5wasmLoading;
}

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
    return file.keys().filter(name => file.get(name) instanceof h5wasm.Dataset).length;
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
