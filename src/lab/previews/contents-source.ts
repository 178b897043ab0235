/**
 * {@link ITaskFilesSource} over the sidebar's Contents provider: listings through the Contents
 * API, file contents through /files/.
 */
import type { Contents } from '@jupyterlab/services';
import { ContentsStorageProvider } from '../provider/contents.js';
import type { IFolderEntry } from '../provider/types.js';
import type { ITaskFilesSource } from './check.js';

/** Task files read through the Contents API. */
export class ContentsTaskSource implements ITaskFilesSource {
  constructor(contents: Contents.IManager) {
    this._folders = new ContentsStorageProvider({ contents });
  }

  listFolder(path: string): Promise<IFolderEntry[]> {
    return this._folders.listFolder(path);
  }

  readText(path: string): Promise<string> {
    return this._folders.readText(path);
  }

  readBytes(path: string): Promise<Uint8Array> {
    return this._folders.readBytes(path);
  }

  private readonly _folders: ContentsStorageProvider;
}
