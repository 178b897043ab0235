/**
 * Pickle tree items whose pickle is loaded, and whose children are made, in the pickle worker
 * (worker/pickle.worker.ts): a hostile pickle never holds up the page.
 */
import type { IPickleWireNode, PickleTreeReply, PickleTreeRequest } from './pickle-tree-service.js';
import type { IPickleItem } from './pickle-tree.js';

let worker: Worker | undefined;
let nextRequest = 1;
const pending = new Map<number, (reply: PickleTreeReply) => void>();

function ask(request: PickleTreeRequest): Promise<PickleTreeReply & { ok: true }> {
  if (worker === undefined) {
    worker = new Worker(new URL('./pickle.worker.js', import.meta.url));
    worker.onmessage = (event: MessageEvent<PickleTreeReply>) => {
      pending.get(event.data.id)?.(event.data);
      pending.delete(event.data.id);
    };
    worker.onerror = (event: ErrorEvent) => {
      // A worker that died (out of memory) fails what it was asked; the next request starts another.
      event.preventDefault();
      worker?.terminate();
      worker = undefined;
      for (const [id, settle] of pending)
        settle({ id, ok: false, name: 'Error', message: `the pickle worker failed: ${event.message}` });
      pending.clear();
    };
  }
  const sent = worker;
  return new Promise((resolve, reject) => {
    pending.set(request.id, reply => {
      if (reply.ok) return resolve(reply);
      const error = new Error(reply.message);
      error.name = reply.name;
      reject(error);
    });
    sent.postMessage(request);
  });
}

function remoteItem(tree: number, node: IPickleWireNode): IPickleItem {
  let children: Promise<readonly IPickleItem[]> | undefined;
  return {
    key: node.key,
    summary: node.summary,
    expandable: node.expandable,
    loadChildren() {
      children ??= ask({ id: nextRequest++, type: 'children', tree, node: node.node }).then(reply =>
        reply.nodes.map(child => remoteItem(tree, child))
      );
      return children;
    }
  };
}

/**
 * The tree item of the pickle in `bytes`, loaded and made in the pickle worker (the page stays
 * responsive whatever the pickle). Rejects with the loader's error (its `name` kept).
 */
export async function pickleItemInWorker(bytes: Uint8Array, path: string, key: string): Promise<IPickleItem> {
  const reply = await ask({ id: nextRequest++, type: 'open', bytes, path, key });
  return remoteItem(reply.tree, reply.nodes[0]);
}
