/**
 * The storage provider of the JupyterLab extension: folders through the Jupyter Contents API
 * (`app.serviceManager.contents`), so it lists wherever the file browser does; file contents
 * (trials.csv, sidecars, pickles) through the server's /files/ route, as the HDF5 worker reads
 * arrays. The Contents API serves a link that leads out of the served folder (its content is
 * the target's); /files/ refuses it, so nothing outside the data is read.
 */
import type { Contents } from '@jupyterlab/services';
import { ServerConnection } from '@jupyterlab/services';
import { URLExt } from '@jupyterlab/coreutils';
import { FileNotFoundError, FormatError } from '../../core/errors.js';
import { folderEntryOfContentsItem, type IFolderEntry, type IStorageProvider } from './types.js';

/** Options of {@link ContentsStorageProvider}. */
export interface IContentsStorageProviderOptions {
  readonly contents: Contents.IManager;
  /** Counts HDF5 datasets (in the browser: the HDF5 service); none: counts unknown. */
  readonly datasetCounter?: Pick<IStorageProvider, 'countDatasets'>;
}

/** {@link IStorageProvider} over the Jupyter Contents API. */
export class ContentsStorageProvider implements IStorageProvider {
  constructor(options: IContentsStorageProviderOptions) {
    this._contents = options.contents;
    const counter = options.datasetCounter;
    if (counter !== undefined) {
      this.countDatasets = file => counter.countDatasets!(file);
    }
  }

  countDatasets?: IStorageProvider['countDatasets'];

  async listFolder(path: string): Promise<IFolderEntry[]> {
    const model = await this._get(path, { type: 'directory', content: true }, 'folder');
    if (model.type !== 'directory' || !Array.isArray(model.content)) {
      throw new FileNotFoundError(path, 'folder');
    }
    return (model.content as Contents.IModel[]).map(folderEntryOfContentsItem);
  }

  async readText(path: string): Promise<string> {
    const bytes = await this.readBytes(path);
    try {
      // As the server's text model decodes: strict UTF-8, a byte-order mark kept (pandas reads it).
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new FormatError(path, 'is not UTF-8 text');
    }
  }

  /** The file's bytes from /files/ (FileNotFoundError when missing; a link out of the served folder is refused). */
  async readBytes(path: string): Promise<Uint8Array> {
    const settings = this._contents.serverSettings;
    const url = URLExt.join(settings.baseUrl, 'files', URLExt.encodeParts(path));
    const response = await ServerConnection.makeRequest(url, { cache: 'no-store' }, settings);
    if (response.status === 404) throw new FileNotFoundError(path, 'file');
    if (response.status === 403) {
      throw new FormatError(path, 'is refused by the server (a link leading out of the served folder?): not read');
    }
    if (!response.ok) throw new FormatError(path, `could not be read: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  private async _get(path: string, options: Contents.IFetchOptions, what: string): Promise<Contents.IModel> {
    try {
      return await this._contents.get(path, options);
    } catch (error) {
      // The server answers 404 for a missing path, 400 for a file asked as a folder, and 400
      // "… is not UTF-8 encoded" for a text file it cannot decode: that file exists.
      if (
        error instanceof ServerConnection.ResponseError &&
        error.response.status === 400 &&
        /UTF-8/i.test(error.message)
      ) {
        throw new FormatError(path, 'is not UTF-8 text');
      }
      if (
        error instanceof ServerConnection.ResponseError &&
        (error.response.status === 404 || error.response.status === 400)
      ) {
        throw new FileNotFoundError(path, what);
      }
      throw error;
    }
  }

  private readonly _contents: Contents.IManager;
}
