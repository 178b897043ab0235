/**
 * A loaded pickle as a tree of labelled items for display: the core's lazy display tree
 * (core/pickle/display-tree.ts: shared objects shown once, a node budget, bounded big ints),
 * whose children are made when the view first asks for them (when a node is opened). The
 * preview has its trees made in a worker (pickle-in-worker.ts); Node tests make them here.
 */
import { type PickleValue } from '../../core/pickle/index.js';
import { type PickleDisplayOptions, PickleDisplayTree } from '../../core/pickle/display-tree.js';

/** One item of the tree: a key (index, dict key), a one-line summary, and children made on demand. */
export interface IPickleItem {
  readonly key: string;
  readonly summary: string;
  /** Whether the item has children (without making them). */
  readonly expandable: boolean;
  /** The children, made on first call, then kept. */
  loadChildren(): Promise<readonly IPickleItem[]>;
}

/** An item of a tree made on this thread: its children at hand. */
export interface ILocalPickleItem extends IPickleItem {
  /** Made on first access, then kept. */
  readonly children: readonly ILocalPickleItem[];
}

function itemOf(tree: PickleDisplayTree, node: ReturnType<PickleDisplayTree['children']>[number]): ILocalPickleItem {
  let children: ILocalPickleItem[] | undefined;
  return {
    key: node.key,
    summary: node.summary,
    expandable: node.expandable,
    get children(): ILocalPickleItem[] {
      children ??= tree.children(node).map(child => itemOf(tree, child));
      return children;
    },
    loadChildren(): Promise<readonly IPickleItem[]> {
      return Promise.resolve(this.children);
    }
  };
}

/** The tree item of `value` under `key`, made on this thread. */
export function pickleItem(key: string, value: PickleValue, options: PickleDisplayOptions = {}): ILocalPickleItem {
  const tree = new PickleDisplayTree(key, value, options);
  return itemOf(tree, tree.root);
}
