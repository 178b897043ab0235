/**
 * Contracts other extensions can rely on: the storage model, the storage browser (the sidebar
 * panel and its targeted node) and the HDF5 provider.
 */
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';
import type { IHdf5Provider } from './hdf5/provider.js';
import type { IStorageNode, StorageProblem } from './sidebar/tree.js';

export type { IStorageNode, StorageNodeKind, StorageProblem } from './sidebar/tree.js';
export type { IFolderEntry, IStorageProvider } from './provider/types.js';
export type {
  IArrayData,
  IArrayProvider,
  IDatasetCount,
  IDatasetInfo,
  IFileVersion,
  IHdf5Provider
} from './hdf5/provider.js';

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

/** The page's one HDF5 reader: what the sidebar counts, the previews show and Check Dataset checks. */
export interface IHdf5Service extends IHdf5Provider {
  /** Starts the worker and compiles h5wasm ahead of the first read. */
  warmUp(): Promise<void>;
}

/** The HDF5 service of the page (one worker, one h5wasm instance, reads by HTTP Range). */
export const IHdf5Service = new Token<IHdf5Service>(
  'jupyterlab-axopy:IHdf5Service',
  'Reads HDF5 files served by Jupyter by HTTP Range requests: describe, count datasets, read one dataset.'
);

/** The id of the storage sidebar's panel (its one definition). */
export const STORAGE_PANEL_ID = 'jupyterlab-axopy-storage';

/**
 * The storage sidebar as other plugins use it: its panel, its model, and the node a command
 * acts on (as JupyterLab's file browser offers `selectedItems()`), so that no plugin queries
 * the sidebar's DOM.
 */
export interface IStorageBrowser {
  /** The sidebar panel (id {@link STORAGE_PANEL_ID}; its toolbar comes from schema/sidebar.json). */
  readonly panel: Widget;
  readonly model: IStorageModel;
  /** The node selected in the tree (the keyboard's), if any. */
  readonly selectedNode: IStorageNode | undefined;
  /** The node an element of the tree stands for (an event target), if any. */
  nodeForTarget(target: EventTarget | null): IStorageNode | undefined;
  /** The node under the tree's open context menu, else the selected node. */
  targetNode(): IStorageNode | undefined;
}

/** The AxoPy storage sidebar. */
export const IStorageBrowser = new Token<IStorageBrowser>(
  'jupyterlab-axopy:IStorageBrowser',
  'The AxoPy storage sidebar: its panel, model and the node a command targets.'
);
