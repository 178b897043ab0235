/**
 * Contracts other extensions can rely on: the storage model token and its interface.
 */
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { IStorageNode, StorageProblem } from './model/tree.js';

export type { IStorageNode, StorageNodeKind, StorageProblem } from './model/tree.js';
export type { IFolderEntry, IStorageProvider } from './provider/types.js';

/** A refresh of one path that failed for a reason other than the path being missing. */
export interface IRefreshFailure {
  readonly path: string;
  readonly error: Error;
}

/**
 * The AxoPy storage roots shown in the sidebar, loaded lazily and kept up to date by polling.
 */
export interface IStorageModel extends IDisposable {
  /** Every root shown: the configured ones, then the ones opened by command. */
  readonly roots: readonly string[];
  /** The tree as loaded so far; a new array after every change. */
  readonly tree: readonly IStorageNode[];
  /** Emitted whenever `tree` or `roots` changes. */
  readonly changed: ISignal<IStorageModel, void>;
  /** Emitted once per path when loading it starts failing (not while it keeps failing). */
  readonly refreshFailed: ISignal<IStorageModel, IRefreshFailure>;
  /** Milliseconds between refreshes while the sidebar is visible. */
  refreshInterval: number;
  /** Whether anyone looks at the tree; polling stands by while false. */
  active: boolean;
  /** Replaces the roots that come from the settings. */
  setConfiguredRoots(roots: readonly string[]): void;
  /** Adds a folder as a storage root (no-op if shown already) and expands it. */
  openRoot(path: string): void;
  /** Removes a root opened with `openRoot`; configured roots stay. */
  closeRoot(path: string): void;
  /** Whether `path` is a root opened with `openRoot`. */
  isOpenedRoot(path: string): boolean;
  /** Expands a root, subject or task, loading its children. */
  expand(node: IStorageNode): Promise<void>;
  collapse(node: IStorageNode): void;
  /** Reloads everything shown now; resolves when the tree is up to date. */
  refresh(): Promise<void>;
  /** The problem that makes a root not look like AxoPy storage, if any. */
  problemOf(root: string): StorageProblem | undefined;
}

/** The storage model of the AxoPy sidebar. */
export const IStorageModel = new Token<IStorageModel>(
  'jupyterlab-axopy:IStorageModel',
  'The AxoPy storage roots shown in the sidebar, as a lazily loaded, polled tree.'
);
