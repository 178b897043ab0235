/**
 * Lists every file under an exported folder through the Jupyter Contents API, with the size
 * and modification time the archive needs, a few folders at a time.
 */
import type { Contents } from '@jupyterlab/services';
import type { StorageFileInfo } from '../../core/zip-plan.js';

/** A file under the exported folder: where it is on the server, and its archive facts. */
export interface IListedFile extends StorageFileInfo {
  /** Path from the server root. */
  readonly serverPath: string;
}

/** Folder listings requested at once: enough to hide latency, few enough for the server. */
const LISTING_CONCURRENCY = 6;

/**
 * Every file under `folderPath`, recursively, with `relativePath` = `prefix/<path inside the
 * folder>`. Hidden files are not listed by the server, so they are not exported.
 * @throws the Contents API's error when a folder cannot be listed (with its path added).
 */
export async function listFilesUnder(
  contents: Contents.IManager,
  folderPath: string,
  prefix: string,
  signal?: AbortSignal
): Promise<IListedFile[]> {
  const files: IListedFile[] = [];
  const queue: Array<{ path: string; relative: string }> = [{ path: folderPath, relative: prefix }];
  const listOne = async (folder: { path: string; relative: string }): Promise<void> => {
    signal?.throwIfAborted();
    let model: Contents.IModel;
    try {
      model = await contents.get(folder.path, { type: 'directory', content: true });
    } catch (error) {
      throw new Error(`cannot list ${folder.path}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error
      });
    }
    for (const item of (model.content ?? []) as Contents.IModel[]) {
      const relative = folder.relative === '' ? item.name : `${folder.relative}/${item.name}`;
      if (item.type === 'directory') {
        queue.push({ path: item.path, relative });
      } else {
        files.push({
          serverPath: item.path,
          relativePath: relative,
          size: typeof item.size === 'number' ? item.size : 0,
          mtime: new Date(item.last_modified)
        });
      }
    }
  };
  const running = new Set<Promise<void>>();
  while (queue.length > 0 || running.size > 0) {
    while (queue.length > 0 && running.size < LISTING_CONCURRENCY) {
      const task: Promise<void> = listOne(queue.shift()!).finally(() => running.delete(task));
      running.add(task);
    }
    await Promise.race(running);
  }
  return files;
}
