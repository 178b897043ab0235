/**
 * h5wasm for the workers (dataset counts, previews), loaded once per worker on first use.
 */
export type H5wasm = typeof import('h5wasm');

let h5wasmLoading: Promise<H5wasm> | undefined;

/**
 * h5wasm, imported on first use. A static import would not work here: the extension's build
 * shares h5wasm through module federation, and a worker's startup cannot wait for a shared
 * module; a dynamic import can (it falls back to the bundled copy). HDF5 errors (a corrupt
 * file, a file caught mid-write by a running experiment) become exceptions carrying HDF5's
 * error stack, instead of stacks printed to the console with a -1 return.
 */
export function loadH5wasm(): Promise<H5wasm> {
  h5wasmLoading ??= import('h5wasm').then(async module => {
    await module.ready;
    (module.Module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return module;
  });
  return h5wasmLoading;
}
