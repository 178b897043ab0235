/**
 * The contract between the storage model and the bytes it shows: the model asks for a folder
 * listing or a text file; whether that comes from the Jupyter Contents API, a test fixture or
 * something else is the provider's business.
 */

import type { IDatasetCount } from '../hdf5/protocol.js';

/** One entry of a folder listing. */
export interface IFolderEntry {
  /** File or folder name, as stored (may hold any character the file system allows). */
  readonly name: string;
  /** Path from the server root, "/"-separated. */
  readonly path: string;
  readonly isFolder: boolean;
  /** Last modification time (ISO string) when the provider knows it. */
  readonly lastModified?: string;
  /** Size in bytes when the provider knows it. */
  readonly size?: number;
}

/**
 * The version stamp of a listed file: changes when its modification time or size does ("|"
 * when the provider tells neither).
 */
export function stampOf(entry: IFolderEntry): string {
  return `${entry.lastModified ?? ''}|${entry.size ?? ''}`;
}

/** An item of a Jupyter Contents API folder model, as the server sends it (what a listing keeps). */
export interface IContentsItem {
  readonly name: string;
  readonly path: string;
  readonly type: string;
  readonly last_modified?: string;
  readonly size?: number | null;
}

/** The folder entry of a Contents API item (pure: used by the page and by workers). */
export function folderEntryOfContentsItem(item: IContentsItem): IFolderEntry {
  return {
    name: item.name,
    path: item.path,
    isFolder: item.type === 'directory',
    lastModified: item.last_modified,
    size: typeof item.size === 'number' ? item.size : undefined
  };
}

/** Reads folders and small text files for the storage model. */
export interface IStorageProvider {
  /**
   * Lists a folder.
   * @throws FileNotFoundError (src/core/errors) when the path is missing or not a folder;
   *   any other error when the source cannot answer (network, permissions).
   */
  listFolder(path: string): Promise<IFolderEntry[]>;

  /**
   * Reads a whole text file.
   * @throws FileNotFoundError when the file is missing.
   */
  readText(path: string): Promise<string>;

  /**
   * Datasets in the root group of an HDF5 file, or the first refused by rule (data outside the
   * file) with the reason; absent when the provider cannot read HDF5 (counts then unknown).
   */
  countDatasets?(file: { readonly path: string; readonly stamp: string }): Promise<IDatasetCount>;
}
