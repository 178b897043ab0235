/**
 * The storage provider of the JupyterLab extension: folders and trials.csv through the Jupyter
 * Contents API (`app.serviceManager.contents`), so it works wherever the file browser does.
 */
import type { Contents } from '@jupyterlab/services';
import { ServerConnection } from '@jupyterlab/services';
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
    const model = await this._get(path, { type: 'file', format: 'text', content: true }, 'file');
    return typeof model.content === 'string' ? model.content : '';
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
