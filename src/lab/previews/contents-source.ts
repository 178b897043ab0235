/**
 * {@link ITaskFilesSource} over the Jupyter Contents API: listings and text through the
 * sidebar's Contents provider, pickles as base64.
 */
import type { Contents } from '@jupyterlab/services';
import { ContentsStorageProvider } from '../provider/contents.js';
import type { IFolderEntry } from '../provider/types.js';
import type { ITaskFilesSource } from './check.js';

/** Task files read through the Contents API. */
export class ContentsTaskSource implements ITaskFilesSource {
  constructor(private readonly _contents: Contents.IManager) {
    this._folders = new ContentsStorageProvider({ contents: _contents });
  }

  listFolder(path: string): Promise<IFolderEntry[]> {
    return this._folders.listFolder(path);
  }

  readText(path: string): Promise<string> {
    return this._folders.readText(path);
  }

  async readBytes(path: string): Promise<Uint8Array> {
    const model = await this._contents.get(path, { type: 'file', format: 'base64', content: true });
    const text = atob(String(model.content ?? '').replace(/\s/g, ''));
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  private readonly _folders: ContentsStorageProvider;
}
