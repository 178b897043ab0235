/**
 * The contract between the storage model and the bytes it shows: the model asks for a folder
 * listing or a text file; whether that comes from the Jupyter Contents API, a test fixture or
 * something else is the provider's business.
 */

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
   * Number of datasets in the root group of an HDF5 file; absent when the provider cannot
   * read HDF5 (the tree then shows the count as unknown).
   */
  countDatasets?(path: string): Promise<number>;
}
