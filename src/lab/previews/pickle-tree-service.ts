/**
 * The pickle preview's work off the page's thread: loading a .pkl and holding its lazy display
 * tree (core/pickle/display-tree.ts: shared objects once, a node budget, bounded big ints); the
 * page asks for a node's children when the user opens it. Plain functions over messages, so
 * Node tests drive the same code the worker runs (pickle.worker.ts).
 */
import { loadPickle } from '../../core/pickle/index.js';
import {
  type PickleDisplayNode,
  type PickleDisplayOptions,
  PickleDisplayTree
} from '../../core/pickle/display-tree.js';

/** A display node as it crosses to the page: `node` names it in a later `children` request. */
export interface IPickleWireNode {
  readonly node: number;
  readonly key: string;
  readonly summary: string;
  readonly expandable: boolean;
}

export type PickleTreeRequest =
  /** Loads a pickle; the reply's `tree` names it, `nodes` holds its root. */
  | {
      readonly id: number;
      readonly type: 'open';
      readonly bytes: Uint8Array;
      readonly path: string;
      readonly key: string;
      readonly options?: PickleDisplayOptions;
    }
  | { readonly id: number; readonly type: 'children'; readonly tree: number; readonly node: number }
  | { readonly id: number; readonly type: 'close'; readonly tree: number };

export type PickleTreeReply =
  | { readonly id: number; readonly ok: true; readonly tree: number; readonly nodes: readonly IPickleWireNode[] }
  /** `name` is the error's class (UnsafePickleError, FormatError, ...). */
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };

interface IOpenTree {
  readonly tree: PickleDisplayTree;
  readonly nodes: PickleDisplayNode[];
}

/** The trees loaded, by number; each node by its index in its tree's `nodes`. */
export class PickleTreeService {
  handle(request: PickleTreeRequest): PickleTreeReply {
    try {
      switch (request.type) {
        case 'open': {
          const tree = new PickleDisplayTree(request.key, loadPickle(request.bytes, request.path), request.options);
          const number = this.nextTree++;
          const open: IOpenTree = { tree, nodes: [] };
          this.trees.set(number, open);
          return { id: request.id, ok: true, tree: number, nodes: [wire(open, tree.root)] };
        }
        case 'children': {
          const open = this.trees.get(request.tree);
          const node = open?.nodes[request.node];
          if (open === undefined || node === undefined)
            throw new RangeError(`no node ${request.node} in tree ${request.tree}`);
          return {
            id: request.id,
            ok: true,
            tree: request.tree,
            nodes: open.tree.children(node).map(child => wire(open, child))
          };
        }
        case 'close':
          this.trees.delete(request.tree);
          return { id: request.id, ok: true, tree: request.tree, nodes: [] };
      }
    } catch (error) {
      const named = error instanceof Error ? error : new Error(String(error));
      return { id: request.id, ok: false, name: named.name, message: named.message };
    }
  }

  private readonly trees = new Map<number, IOpenTree>();
  private nextTree = 1;
}

function wire(open: IOpenTree, node: PickleDisplayNode): IPickleWireNode {
  open.nodes.push(node);
  return { node: open.nodes.length - 1, key: node.key, summary: node.summary, expandable: node.expandable };
}
