/**
 * Counts the datasets of HDF5 files served by Jupyter: fetches the file's bytes from the
 * server's /files/ route and hands them to a Web Worker running h5wasm.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { FileNotFoundError } from '../../core/errors.js';
import type { ICountReply, ICountRequest } from '../worker/hdf5-count.worker.js';

/** Dataset counter over one Jupyter server; the worker starts on first use. */
export class Hdf5DatasetCounter {
  constructor(private readonly _serverSettings: ServerConnection.ISettings) {}

  /** Number of datasets in the root group of the HDF5 file at `path` (server path). */
  async countDatasets(path: string): Promise<number> {
    const url = URLExt.join(this._serverSettings.baseUrl, 'files', URLExt.encodeParts(path));
    const response = await ServerConnection.makeRequest(url, { cache: 'no-store' }, this._serverSettings);
    if (response.status === 404) {
      throw new FileNotFoundError(path);
    }
    if (!response.ok) {
      throw new ServerConnection.ResponseError(response);
    }
    const bytes = await response.arrayBuffer();
    const id = this._nextId++;
    return new Promise<number>((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      const request: ICountRequest = { id, path, bytes };
      this._worker().postMessage(request, [bytes]);
    });
  }

  /** Stops the worker; pending counts fail. */
  dispose(): void {
    this._workerInstance?.terminate();
    this._workerInstance = undefined;
    this._pending.forEach(({ reject }) => reject(new Error('HDF5 dataset counter disposed')));
    this._pending.clear();
  }

  private _worker(): Worker {
    if (this._workerInstance === undefined) {
      // webpack bundles the worker (and h5wasm with it) as a chunk of its own from this form.
      const worker = new Worker(new URL('../worker/hdf5-count.worker.js', import.meta.url));
      worker.onmessage = (event: MessageEvent<ICountReply>) => {
        const reply = event.data;
        const pending = this._pending.get(reply.id);
        this._pending.delete(reply.id);
        if ('count' in reply) {
          pending?.resolve(reply.count);
        } else {
          pending?.reject(new Error(reply.error));
        }
      };
      worker.onerror = (event: ErrorEvent) => {
        // The worker could not start or crashed: every pending count fails, the next one
        // starts a new worker.
        event.preventDefault();
        this._workerInstance = undefined;
        worker.terminate();
        const error = new Error(`HDF5 worker failed: ${event.message}`);
        this._pending.forEach(({ reject }) => reject(error));
        this._pending.clear();
      };
      this._workerInstance = worker;
    }
    return this._workerInstance;
  }

  private _workerInstance: Worker | undefined;
  private _nextId = 0;
  private readonly _pending = new Map<
    number,
    { resolve: (count: number) => void; reject: (error: Error) => void }
  >();
}
