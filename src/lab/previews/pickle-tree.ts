/**
 * A loaded pickle as a tree of labelled items for display: the core's lazy display tree
 * (core/pickle/displayTree.ts: shared objects shown once, a node budget, bounded big ints),
 * whose children are made when the view first asks for them (when a node is opened).
 */
import { type PickleValue } from '../../core/pickle/index.js';
import { type PickleDisplayOptions, PickleDisplayTree } from '../../core/pickle/displayTree.js';

/** One item of the tree: a key (index, dict key), a one-line summary, and children made on demand. */
export interface IPickleItem {
  readonly key: string;
  readonly summary: string;
  /** Whether the item has children (without making them). */
  readonly expandable: boolean;
  /** Made on first access, then kept. */
  readonly children: readonly IPickleItem[];
}

function itemOf(tree: PickleDisplayTree, node: ReturnType<PickleDisplayTree['children']>[number]): IPickleItem {
  let children: IPickleItem[] | undefined;
  return {
    key: node.key,
    summary: node.summary,
    expandable: node.expandable,
    get children(): IPickleItem[] {
      children ??= tree.children(node).map(child => itemOf(tree, child));
      return children;
    }
  };
}

/** The tree item of `value` under `key`. */
export function pickleItem(key: string, value: PickleValue, options: PickleDisplayOptions = {}): IPickleItem {
  const tree = new PickleDisplayTree(key, value, options);
  return itemOf(tree, tree.root);
}
