/**
 * Web Worker of the pickle preview: loads pickles and makes their display trees here, so a
 * hostile pickle (a 10 MB int, 22 levels of shared lists) never holds up the page. Messages:
 * {@link PickleTreeRequest} in, {@link PickleTreeReply} out.
 */
import { PickleTreeService, type PickleTreeRequest, type PickleTreeReply } from './pickle-tree-service.js';

interface IWorkerScope {
  onmessage: ((event: { data: PickleTreeRequest }) => void) | null;
  postMessage(message: PickleTreeReply): void;
}

const scope = self as unknown as IWorkerScope;
const service = new PickleTreeService();
scope.onmessage = event => scope.postMessage(service.handle(event.data));
