/**
 * The browser's HDF5 service: one Web Worker (hdf5.worker.ts), one h5wasm instance, reading
 * HDF5 files lazily with HTTP Range requests to the Jupyter server's /files/ route, for every
 * user: the sidebar's dataset counts, the previews and Check Dataset ({@link IHdf5Provider}).
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { Hdf5ReadLimits } from '../../core/hdf5-containment.js';
import { deserializeError } from './errors.js';
import {
  remoteFileUrl,
  type Hdf5Reply,
  type Hdf5Request,
  type IDatasetCount,
  type IRemoteFile,
  type IRemoteFolder
} from './protocol.js';
import type { IArrayData, IDatasetInfo, IFileVersion, IHdf5Provider } from './provider.js';
import type { IReduceChunkRequest, IReducedChunk } from '../analysis/trial-reduction.js';

/** How the service reads (the settings of schema/previews.json and schema/sidebar.json). */
export interface IHdf5ServiceConfig {
  /** Bytes per range-request block. */
  readonly blockSize: number;
  /** Blocks cached per file. */
  readonly maxBlocks: number;
  /** Largest dataset read, external data. */
  readonly limits: Hdf5ReadLimits;
}

/** Options of {@link Hdf5Service}. */
export interface IHdf5ServiceOptions extends IHdf5ServiceConfig {
  readonly serverSettings: ServerConnection.ISettings;
}

/**
 * {@link IHdf5Provider} over the Jupyter server's /files/ route: h5wasm in a Web Worker reads
 * each file lazily with HTTP Range requests, authenticated with the server token.
 */
export class Hdf5Service implements IHdf5Provider {
  constructor(private _options: IHdf5ServiceOptions) {}

  /** Changes the block size and cache of files opened from now on, and the read limits. */
  configure(config: Partial<IHdf5ServiceConfig>): void {
    this._options = { ...this._options, ...config };
    if (this._worker !== undefined) void this._call(this._configureRequest());
  }

  private _configureRequest(): Hdf5Request {
    const { blockSize, maxBlocks, limits } = this._options;
    return { id: 0, op: 'configure', blockSize, maxBlocks, limits };
  }

  async countDatasets(file: IFileVersion): Promise<IDatasetCount> {
    const reply = await this._call({ id: 0, op: 'count', file: this._remote(file) });
    if (!('op' in reply) || reply.op !== 'count')
      throw new Error(`${file.path}: unexpected reply from the HDF5 worker`);
    this._bytes.set(file.path, reply.bytesFetched);
    return reply;
  }

  /**
   * Starts the worker and has it load and compile h5wasm now, so that the first plot does not
   * wait for them. Once per worker; later calls return the same promise.
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
  async reduceTrials(
    file: IFileVersion,
    chunk: IReduceChunkRequest
  ): Promise<{ reduced: IReducedChunk; bytesFetched: number }> {
    const reply = await this._call(
      { id: 0, op: 'reduceTrials', file: this._remote(file), chunk },
      [chunk.momentsBuffer, chunk.spansBuffer].filter((buffer): buffer is ArrayBuffer => buffer !== undefined)
    );
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
    this._failAll(new Error('HDF5 service disposed'));
  }

  private _remote(file: IFileVersion): IRemoteFile {
    const url = remoteFileUrl(this._filesUrl(), file.path, file.stamp);
    const folder = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
    return {
      path: file.path,
      url,
      stamp: file.stamp,
      authorization: this._authorization(),
      folderListingUrl: this._remoteFolder(folder).listingUrl,
      multiRangeUrl:
        PageConfig.getOption('axopyMultiRangeFiles') === '1'
          ? remoteFileUrl(this._serverUrl('jupyterlab-axopy/files'), file.path, file.stamp)
          : undefined
    };
  }

  private _remoteFolder(path: string): IRemoteFolder {
    const settings = this._options.serverSettings;
    const listing = URLExt.join(settings.baseUrl, 'api/contents', URLExt.encodeParts(path));
    const listingUrl = new URL(`${listing}?type=directory&content=1`, location.href).href;
    return { path, listingUrl, filesUrl: this._filesUrl(), authorization: this._authorization() };
  }

  /** The absolute /files/ URL of the server root, ending with "/". */
  private _filesUrl(): string {
    return this._serverUrl('files');
  }

  /** The absolute URL of a route of the server, ending with "/". */
  private _serverUrl(route: string): string {
    return new URL(`${URLExt.join(this._options.serverSettings.baseUrl, route)}/`, location.href).href;
  }

  private _authorization(): string {
    const token = this._options.serverSettings.token;
    return token ? `token ${token}` : '';
  }

  private _call(request: Hdf5Request, transfer: Transferable[] = []): Promise<Hdf5Reply> {
    const id = ++this._nextId;
    return new Promise<Hdf5Reply>((resolve, reject) => {
      this._pending.set(id, reply => ('error' in reply ? reject(deserializeError(reply.error)) : resolve(reply)));
      this._ensureWorker().postMessage({ ...request, id }, transfer);
    });
  }

  private _ensureWorker(): Worker {
    if (this._worker === undefined) {
      const worker = new Worker(new URL('./hdf5.worker.js', import.meta.url));
      worker.onmessage = (event: MessageEvent<Hdf5Reply>) => {
        const settle = this._pending.get(event.data.id);
        this._pending.delete(event.data.id);
        settle?.(event.data);
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        worker.terminate();
        this._worker = undefined;
        this._warming = undefined;
        this._failAll(new Error(`HDF5 worker failed: ${event.message}`));
      };
      this._worker = worker;
      worker.postMessage(this._configureRequest());
    }
    return this._worker;
  }

  private _failAll(error: Error): void {
    this._pending.forEach(settle =>
      settle({ id: -1, error: { name: error.name, message: error.message, fields: {} } })
    );
    this._pending.clear();
  }

  private _worker: Worker | undefined;
  private _warming: Promise<void> | undefined;
  private _nextId = 0;
  private readonly _pending = new Map<number, (reply: Hdf5Reply) => void>();
  private readonly _bytes = new Map<string, number>();
}
