/**
 * The browser's {@link IArrayProvider}: h5wasm in a Web Worker reading HDF5 files lazily with
 * HTTP Range requests to the Jupyter server's /files/ route.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { remoteFileUrl, type IRemoteFile, type IRemoteFolder, type PreviewReply, type PreviewRequest } from '../worker/hdf5-preview-protocol.js';
import type { IArrayData, IArrayProvider, IDatasetInfo, IFileVersion } from './providers.js';
import type { IReduceChunkRequest, IReducedChunk } from '../analysis/trial-reduction.js';

/** Options of {@link WorkerArrayProvider}. */
export interface IWorkerArrayProviderOptions {
  readonly serverSettings: ServerConnection.ISettings;
  /** Bytes per range-request block. */
  readonly blockSize: number;
  /** Blocks cached per file. */
  readonly maxBlocks: number;
}

/**
 * {@link IArrayProvider} over the Jupyter server's /files/ route: h5wasm in a Web Worker reads
 * each file lazily with HTTP Range requests, authenticated with the server token.
 */
export class WorkerArrayProvider implements IArrayProvider {
  constructor(private _options: IWorkerArrayProviderOptions) {}

  /** Changes the block size and cache of files opened from now on. */
  configure(blockSize: number, maxBlocks: number): void {
    this._options = { ...this._options, blockSize, maxBlocks };
    if (this._worker !== undefined) {
      void this._call({ id: 0, op: 'configure', blockSize, maxBlocks });
    }
  }

  /**
   * Starts the worker and has it load and compile h5wasm now, so that the first plot does not
   * wait for them (about 1-2 s). Once per worker; later calls return the same promise.
   */
  warmUp(): Promise<void> {
    this._warming ??= this._call({ id: 0, op: 'warm' }).then(
      () => undefined,
      () => {
        this._warming = undefined;
      }
    );
    return this._warming;
  }

  /**
   * Has the worker list a folder itself and read `dataset` of each of its array files, for the
   * reads of them expected next (matched by path, version and dataset). Errors are left for
   * those reads to report.
   */
  readAheadFolder(path: string, dataset: string): void {
    this._call({ id: 0, op: 'readAheadFolder', folder: this._remoteFolder(path), dataset }).catch(() => undefined);
  }

  async describe(file: IFileVersion): Promise<IDatasetInfo[]> {
    const reply = await this._call({ id: 0, op: 'describe', file: this._remote(file) });
    if (!('datasets' in reply)) {
      throw new Error(`${file.path}: unexpected reply from the HDF5 worker`);
    }
    this._bytes.set(file.path, reply.bytesFetched);
    return reply.datasets;
  }

  async readDataset(file: IFileVersion, dataset: string): Promise<IArrayData | undefined> {
    const reply = await this._call({ id: 0, op: 'read', file: this._remote(file), dataset });
    if (!('found' in reply)) {
      throw new Error(`${file.path}: unexpected reply from the HDF5 worker`);
    }
    this._bytes.set(file.path, reply.bytesFetched);
    if (!reply.found) {
      return undefined;
    }
    return { dtype: reply.dtype, shape: reply.shape, data: reply.data as unknown as ArrayLike<number | bigint> };
  }

  /** Reduces a chunk of trials in the worker (the analysis view; see analysis/trial-reduction). */
  async reduceTrials(file: IFileVersion, chunk: IReduceChunkRequest): Promise<{ reduced: IReducedChunk; bytesFetched: number }> {
    const reply = await this._call({ id: 0, op: 'reduceTrials', file: this._remote(file), chunk });
    if (!('reduced' in reply)) throw new Error(`${file.path}: unexpected reply from the HDF5 worker`);
    this._bytes.set(file.path, reply.bytesFetched);
    return reply;
  }

  bytesFetched(path: string): number | undefined {
    return this._bytes.get(path);
  }

  /** Stops the worker; pending requests fail. */
  dispose(): void {
    this._worker?.terminate();
    this._worker = undefined;
    this._warming = undefined;
    this._failAll(new Error('HDF5 preview reader disposed'));
  }

  private _remote(file: IFileVersion): IRemoteFile {
    const url = remoteFileUrl(this._filesUrl(), file.path, file.stamp);
    return { path: file.path, url, stamp: file.stamp, authorization: this._authorization() };
  }

  private _remoteFolder(path: string): IRemoteFolder {
    const settings = this._options.serverSettings;
    const listing = URLExt.join(settings.baseUrl, 'api/contents', URLExt.encodeParts(path));
    const listingUrl = new URL(`${listing}?type=directory&content=1`, location.href).href;
    return { path, listingUrl, filesUrl: this._filesUrl(), authorization: this._authorization() };
  }

  /** The absolute /files/ URL of the server root, ending with "/". */
  private _filesUrl(): string {
    return new URL(`${URLExt.join(this._options.serverSettings.baseUrl, 'files')}/`, location.href).href;
  }

  private _authorization(): string {
    const token = this._options.serverSettings.token;
    return token ? `token ${token}` : '';
  }

  private _call(request: PreviewRequest): Promise<PreviewReply> {
    const id = ++this._nextId;
    return new Promise<PreviewReply>((resolve, reject) => {
      this._pending.set(id, reply => ('error' in reply ? reject(new Error(reply.error)) : resolve(reply)));
      this._ensureWorker().postMessage({ ...request, id });
    });
  }

  private _ensureWorker(): Worker {
    if (this._worker === undefined) {
      const worker = new Worker(new URL('../worker/hdf5-preview.worker.js', import.meta.url));
      worker.onmessage = (event: MessageEvent<PreviewReply>) => {
        const settle = this._pending.get(event.data.id);
        this._pending.delete(event.data.id);
        settle?.(event.data);
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        worker.terminate();
        this._worker = undefined;
        this._warming = undefined;
        this._failAll(new Error(`HDF5 preview worker failed: ${event.message}`));
      };
      this._worker = worker;
      const { blockSize, maxBlocks } = this._options;
      worker.postMessage({ id: 0, op: 'configure', blockSize, maxBlocks } satisfies PreviewRequest);
    }
    return this._worker;
  }

  private _failAll(error: Error): void {
    this._pending.forEach(settle => settle({ id: -1, error: error.message }));
    this._pending.clear();
  }

  private _worker: Worker | undefined;
  private _warming: Promise<void> | undefined;
  private _nextId = 0;
  private readonly _pending = new Map<number, (reply: PreviewReply) => void>();
  private readonly _bytes = new Map<string, number>();
}
