/**
 * The lab's file source (listings, texts, bytes) over a folder on disk, with paths as the
 * kernel names them: the browser code's Node stand-in for the Contents API in interop tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ITaskFilesSource } from '../../src/lab/previews/check.js';
import type { IFolderEntry, IStorageProvider } from '../../src/lab/provider/types.js';

export const diskFilesSource: ITaskFilesSource & IStorageProvider = {
  async listFolder(folder: string): Promise<IFolderEntry[]> {
    return fs.readdirSync(folder, { withFileTypes: true }).map(entry => {
      const full = path.join(folder, entry.name);
      const stat = fs.statSync(full);
      return {
        name: entry.name,
        path: full,
        isFolder: entry.isDirectory(),
        lastModified: stat.mtime.toISOString(),
        size: stat.size
      };
    });
  },
  readText: async file => fs.readFileSync(file, 'utf8'),
  readBytes: async file => fs.readFileSync(file)
};
