/**
 * The storage model: which roots are shown, what of them is loaded, and keeping it fresh.
 * Loading is lazy so that a large storage costs a bounded number of provider calls: each root
 * is listed once per refresh (its ancestors too while it is not known to exist, plus a
 * two-call structure probe when its list of subjects changes); a
 * subject or task is listed only while expanded; a trials.csv is read only when its size or
 * modification time changed.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { FileNotFoundError } from '../../core/errors.js';
import { DEFAULT_DISCOVERY_LIMITS, discoverStorageRoots } from '../../core/discover.js';
import { joinPath } from '../../core/layout.js';
import type { IRefreshFailure, IStorageModel } from '../tokens.js';
import type { IFolderEntry, IStorageProvider } from '../provider/types.js';
import { TaskFileCounts } from './file-counts.js';
import { StoragePoll } from './storage-poll.js';
import {
  buildTree,
  folderNames,
  probeVerdict,
  rootListingProblem,
  type FolderState,
  type IStorageNode,
  type StorageProblem
} from './tree.js';

/** Options of {@link StorageModel}. */
export interface IStorageModelOptions {
  readonly provider: IStorageProvider;
  /** Milliseconds between refreshes (default 2000). */
  readonly refreshInterval?: number;
  readonly roots?: readonly string[];
  /** Start polling at once (default true); else the first `refresh` starts it. */
  readonly autoPoll?: boolean;
  /** Array files larger than this are not read to count their datasets (default: no limit; counts read metadata by range). */
  readonly datasetCountMaxBytes?: number;
  /** trials.csv files larger than this are not read for their row count (default 256 MiB). */
  readonly rowCountMaxBytes?: number;
  /** Longest trials.csv line accepted, in bytes (default: the core's). */
  readonly maxLineBytes?: number;
  /**
   * Show the server root, or its top-level folders, that look like AxoPy storage without
   * configuration (core/discover.ts says what "look like" means). Off by default here; the
   * sidebar's `discoverRoots` setting turns it on.
   */
  readonly discoverRoots?: boolean;
  /** The server root's folder name, shown as its label when it is a storage root. */
  readonly serverRootName?: string;
}

/** Discovery runs again after this many refreshes even when the top level did not change. */
const REDISCOVER_EVERY_REFRESHES = 15;

const DEFAULT_REFRESH_INTERVAL = 2000;
/** Backoff stops growing at this many refresh intervals after repeated failures. */
const MAX_BACKOFF_INTERVALS = 15;

/**
 * The roots that hold any of `paths` (paths from the server root; the server root "" holds
 * every path). A sibling that only shares a prefix ("data2" for root "data") does not.
 */
export function rootsContaining(roots: readonly string[], paths: readonly string[]): string[] {
  const holds = (root: string, path: string): boolean => root === '' || path === root || path.startsWith(`${root}/`);
  return roots.filter(root => paths.some(path => holds(root, normaliseRoot(path))));
}

/** Normalises a root as typed in settings or given by the file browser ("" is the server root). */
function normaliseRoot(path: string): string {
  return joinPath(...path.split('/'));
}

/** {@link IStorageModel} over any {@link IStorageProvider}. */
export class StorageModel implements IStorageModel {
  constructor(options: IStorageModelOptions) {
    this._provider = options.provider;
    this._configuredRoots = (options.roots ?? []).map(normaliseRoot);
    this._discoverRoots = options.discoverRoots ?? false;
    this._serverRootName = options.serverRootName;
    this._counts = new TaskFileCounts(this._provider, () => this._providerCalls++);
    this._counts.datasetCountMaxBytes = options.datasetCountMaxBytes ?? Infinity;
    if (options.rowCountMaxBytes !== undefined) this._counts.rowCountMaxBytes = options.rowCountMaxBytes;
    this._counts.maxLineBytes = options.maxLineBytes;
    const interval = options.refreshInterval ?? DEFAULT_REFRESH_INTERVAL;
    this._poll = new StoragePoll({
      name: 'jupyterlab-axopy:storage',
      auto: false,
      factory: () => this._refreshAll(),
      frequency: this._frequency(interval),
      standby: () => !this._active || 'when-hidden'
    });
    this._interval = interval;
    this._rebuild();
    if (options.autoPoll ?? true) {
      void this._poll.start();
    }
  }

  /** Array files larger than this are not read to count their datasets. */
  get datasetCountMaxBytes(): number {
    return this._counts.datasetCountMaxBytes;
  }

  set datasetCountMaxBytes(bytes: number) {
    this._counts.datasetCountMaxBytes = bytes;
  }

  /** trials.csv files larger than this are not read for their row count. */
  get rowCountMaxBytes(): number {
    return this._counts.rowCountMaxBytes;
  }

  set rowCountMaxBytes(bytes: number) {
    this._counts.rowCountMaxBytes = bytes;
  }

  /** Longest trials.csv line accepted, in bytes (undefined: the core's default). */
  get maxLineBytes(): number | undefined {
    return this._counts.maxLineBytes;
  }

  set maxLineBytes(bytes: number | undefined) {
    this._counts.maxLineBytes = bytes;
  }

  /** Configured roots, then discovered ones, then those opened from the file browser. */
  get roots(): readonly string[] {
    const discovered = this._discoverRoots ? this._discoveredRoots : [];
    return [...new Set([...this._configuredRoots, ...discovered, ...this._openedRoots])];
  }

  get discoverRoots(): boolean {
    return this._discoverRoots;
  }

  set discoverRoots(discover: boolean) {
    this._discoverRoots = discover;
    this._topSignature = undefined;
  }

  get tree(): readonly IStorageNode[] {
    return this._tree;
  }

  get changed(): ISignal<IStorageModel, void> {
    return this._changed;
  }

  get refreshFailed(): ISignal<IStorageModel, IRefreshFailure> {
    return this._refreshFailed;
  }

  get refreshInterval(): number {
    return this._interval;
  }

  set refreshInterval(interval: number) {
    this._interval = interval;
    this._poll.frequency = this._frequency(interval);
  }

  get active(): boolean {
    return this._active;
  }

  set active(active: boolean) {
    if (active === this._active) {
      return;
    }
    this._active = active;
    if (active) {
      void this._poll.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Provider calls made so far (for benchmarks and diagnostics). */
  get providerCalls(): number {
    return this._providerCalls;
  }

  setConfiguredRoots(roots: readonly string[]): void {
    this._configuredRoots = roots.map(normaliseRoot);
    this._rebuild();
    this._refreshSoon();
  }

  openRoot(path: string): void {
    const root = normaliseRoot(path);
    if (!this._openedRoots.includes(root)) {
      this._openedRoots.push(root);
    }
    this._collapsed.delete(this._key(root, root));
    this._rebuild();
    this._refreshSoon();
  }

  closeRoot(path: string): void {
    const root = normaliseRoot(path);
    this._openedRoots = this._openedRoots.filter(opened => opened !== root);
    this._rebuild();
  }

  isOpenedRoot(path: string): boolean {
    const root = normaliseRoot(path);
    return this._openedRoots.includes(root) && !this._configuredRoots.includes(root);
  }

  problemOf(root: string): StorageProblem | undefined {
    return this._tree.find(node => node.root === root)?.problem;
  }

  async expand(node: IStorageNode): Promise<void> {
    if (!node.expandable || node.expanded) {
      return;
    }
    const key = this._key(node.root, node.path);
    if (node.kind === 'root') {
      this._collapsed.delete(key);
    } else {
      this._expanded.add(key);
    }
    this._rebuild();
    await this._loadFolder(node.kind as 'root' | 'subject' | 'task', node.path);
    this._rebuild();
  }

  collapse(node: IStorageNode): void {
    const key = this._key(node.root, node.path);
    if (node.kind === 'root') {
      this._collapsed.add(key);
    } else {
      this._expanded.delete(key);
    }
    this._rebuild();
  }

  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  /**
   * Refreshes without waiting: failures reach listeners through `refreshFailed`, and a model
   * disposed meanwhile (its poll rejects its last tick) is no error.
   */
  private _refreshSoon(): void {
    this.refresh().catch(() => undefined);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _frequency(interval: number): { interval: number; backoff: boolean; max: number } {
    return { interval, backoff: true, max: interval * MAX_BACKOFF_INTERVALS };
  }

  private _key(root: string, path: string): string {
    return `${root}\u0000${path}`;
  }

  private _isExpanded(root: string, path: string): boolean {
    const key = this._key(root, path);
    return root === path ? !this._collapsed.has(key) : this._expanded.has(key);
  }

  /**
   * Loads every root, then the expanded subjects still listed in their root, then the expanded
   * tasks still listed in their subject. Going level by level means a folder deleted on disk is
   * never asked for (the server would answer 404, which browsers log as a console error).
   * Rejects when something failed, so that the poll backs off.
   */
  private async _refreshAll(): Promise<void> {
    const discovered = await this._discover();
    const loaded = await this._loadRoots(this.roots);
    if (!discovered || !loaded) {
      throw new Error('Some AxoPy storage folders could not be loaded');
    }
  }

  /**
   * Reloads only the roots that hold one of `paths` (a file saved or renamed in JupyterLab):
   * a notebook saved elsewhere reads nothing. Failures reach `refreshFailed`.
   */
  async refreshRootsContaining(paths: readonly string[]): Promise<void> {
    const roots = rootsContaining(this.roots, paths);
    if (roots.length > 0 && !this.isDisposed) await this._loadRoots(roots);
  }

  /** Loads `roots`, then their expanded subjects, then their expanded tasks; false if any failed. */
  private async _loadRoots(roots: readonly string[]): Promise<boolean> {
    const wanted = new Set(roots);
    const expanded: IStorageNode[] = [];
    this._tree.filter(node => wanted.has(node.root)).forEach(node => this._collectExpanded(node, expanded));
    const results = await Promise.all(roots.map(root => this._loadRoot(root)));
    for (const kind of ['subject', 'task'] as const) {
      const level = expanded.filter(node => node.kind === kind);
      results.push(...(await Promise.all(level.map(node => this._loadListedFolder(kind, node.path)))));
    }
    this._rebuild();
    return !results.includes(false);
  }

  private _collectExpanded(node: IStorageNode, into: IStorageNode[]): void {
    if (!node.expanded) {
      return;
    }
    if (node.kind === 'subject' || node.kind === 'task') {
      into.push(node);
    }
    node.children.forEach(child => this._collectExpanded(child, into));
  }

  /**
   * Finds the roots that look like AxoPy storage: one listing of the server root per refresh,
   * and the structure probes of core/discover.ts when that listing changed (or every
   * REDISCOVER_EVERY_REFRESHES refreshes, for a folder that became storage since).
   * False when the server root could not be listed.
   */
  private async _discover(): Promise<boolean> {
    if (!this._discoverRoots) {
      return true;
    }
    let top: IFolderEntry[];
    try {
      top = await this._list('');
    } catch (error) {
      return this._recordFailure('', error);
    }
    const signature = folderNames(top).join('\u0000');
    this._refreshesSinceDiscovery++;
    if (signature === this._topSignature && this._refreshesSinceDiscovery < REDISCOVER_EVERY_REFRESHES) {
      return true;
    }
    this._topSignature = signature;
    this._refreshesSinceDiscovery = 0;
    try {
      this._discoveredRoots = await discoverStorageRoots(path => this._list(path), DEFAULT_DISCOVERY_LIMITS, top);
    } catch (error) {
      return this._recordFailure('', error);
    }
    return true;
  }

  /** A root known to exist is listed at once; otherwise its existence is checked first. */
  private async _loadRoot(root: string): Promise<boolean> {
    if (this._folders.get(root)?.status !== 'loaded') {
      try {
        if (!(await this._folderExists(root))) {
          this._folders.set(root, { status: 'missing' });
          this._verdicts.delete(root);
          return true;
        }
      } catch (error) {
        return this._recordFailure(root, error);
      }
    }
    return this._loadFolder('root', root);
  }

  /** Whether a folder exists, by listing its ancestors from the server root down. */
  private async _folderExists(path: string): Promise<boolean> {
    if (path === '') {
      return true;
    }
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if (!(await this._folderExists(parent))) {
      return false;
    }
    try {
      const entries = await this._list(parent);
      return entries.some(entry => entry.isFolder && entry.path === path);
    } catch (error) {
      if (error instanceof FileNotFoundError) {
        return false;
      }
      throw error;
    }
  }

  /** Lists a subject or task if the fresh listing of its parent still has it. */
  private async _loadListedFolder(kind: 'subject' | 'task', path: string): Promise<boolean> {
    const parent = this._folders.get(path.slice(0, path.lastIndexOf('/')));
    const listed = parent?.status === 'loaded' && parent.entries.some(entry => entry.isFolder && entry.path === path);
    if (!listed) {
      this._folders.set(path, { status: 'missing' });
      return true;
    }
    return this._loadFolder(kind, path);
  }

  private async _list(path: string): Promise<IFolderEntry[]> {
    this._providerCalls++;
    return this._provider.listFolder(path);
  }

  /** Lists one folder into `_folders`; false when it failed for another reason than missing. */
  private async _loadFolder(kind: 'root' | 'subject' | 'task', path: string): Promise<boolean> {
    let state: FolderState;
    try {
      const entries = await this._list(path);
      state = { status: 'loaded', entries };
      if (kind === 'root') {
        await this._probe(path, entries);
      } else if (kind === 'task') {
        await this._counts.countRows(entries);
        // Dataset counts read whole files: the tree shows the task without waiting for them.
        void this._counts.countDatasets(entries).then(() => this.isDisposed || this._rebuild());
      }
      this._failing.delete(path);
    } catch (error) {
      if (!(error instanceof FileNotFoundError)) {
        return this._recordFailure(path, error);
      }
      state = { status: 'missing' };
      this._verdicts.delete(path);
    }
    this._folders.set(path, state);
    return true;
  }

  /** Marks a folder failed, telling listeners the first time only; returns false. */
  private _recordFailure(path: string, error: unknown): false {
    const failure = error instanceof Error ? error : new Error(String(error));
    this._folders.set(path, { status: 'failed', message: failure.message });
    if (!this._failing.has(path)) {
      this._failing.add(path);
      this._refreshFailed.emit({ path, error: failure });
    }
    return false;
  }

  /** Re-probes the structure of a root only when its list of sub-folders changed. */
  private async _probe(root: string, entries: readonly IFolderEntry[]): Promise<void> {
    const subjects = folderNames(entries);
    const signature = subjects.join('\u0000');
    if (this._probeSignatures.get(root) === signature) {
      return;
    }
    let verdict: StorageProblem | undefined;
    if (rootListingProblem(root, entries) === undefined) {
      const firstSubject = joinPath(root, subjects[0]);
      const subjectEntries = await this._list(firstSubject);
      const tasks = folderNames(subjectEntries);
      const taskEntries = tasks.length > 0 ? await this._list(joinPath(firstSubject, tasks[0])) : undefined;
      verdict = probeVerdict(firstSubject, subjectEntries, taskEntries);
    }
    this._verdicts.set(root, verdict);
    this._probeSignatures.set(root, signature);
  }

  private _rebuild(): void {
    this._tree = buildTree({
      roots: this.roots,
      folders: this._folders,
      rowCounts: this._counts.rowCounts(),
      datasetCounts: this._counts.datasetCounts(),
      datasetCountProblems: this._counts.datasetCountProblems(),
      datasetCountReasons: this._counts.datasetCountReasons(),
      verdicts: this._verdicts,
      serverRootName: this._serverRootName,
      isExpanded: (root, path) => this._isExpanded(root, path)
    });
    // Polls mostly find nothing new: spare the view a re-render then.
    const signature = JSON.stringify(this._tree);
    if (signature !== this._treeSignature) {
      this._treeSignature = signature;
      this._changed.emit();
    }
  }

  private readonly _provider: IStorageProvider;
  private readonly _poll: StoragePoll;
  private readonly _changed = new Signal<IStorageModel, void>(this);
  private readonly _refreshFailed = new Signal<IStorageModel, IRefreshFailure>(this);
  private readonly _folders = new Map<string, FolderState>();
  private readonly _counts: TaskFileCounts;
  private readonly _verdicts = new Map<string, StorageProblem | undefined>();
  private readonly _probeSignatures = new Map<string, string>();
  private readonly _expanded = new Set<string>();
  private readonly _collapsed = new Set<string>();
  private readonly _failing = new Set<string>();
  private _configuredRoots: string[];
  private _discoverRoots: boolean;
  private readonly _serverRootName: string | undefined;
  private _discoveredRoots: string[] = [];
  private _topSignature: string | undefined;
  private _refreshesSinceDiscovery = 0;
  private _openedRoots: string[] = [];
  private _tree: IStorageNode[] = [];
  private _treeSignature = '';
  private _interval: number;
  private _active = true;
  private _providerCalls = 0;
}
