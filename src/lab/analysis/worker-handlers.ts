/**
 * The analysis view's requests to the HDF5 worker: the worker file registers
 * {@link answerAnalysisRequest} and gives it its own dataset reader; everything else (filter,
 * reduce, measure, decimate) is {@link reduceTrialChunk}, which Node tests run over real files.
 */
import type { IRemoteFile } from '../worker/hdf5-preview-protocol.js';
import { type IReduceChunkRequest, type IReducedChunk, type ITrialArray, reduceTrialChunk, transferablesOf } from './trial-reduction.js';

/** Bytes read ahead while reducing trials. */
const SCAN_READ_AHEAD_BYTES = 4 * 1024 * 1024;

/** Reduce a chunk of trials of one array file. */
export interface IReduceTrialsRequest {
  readonly id: number;
  readonly op: 'reduceTrials';
  readonly file: IRemoteFile;
  readonly chunk: IReduceChunkRequest;
}

/** The reductions of a chunk and the file's running count of bytes moved. */
export interface IReduceTrialsReply {
  readonly id: number;
  readonly reduced: IReducedChunk;
  readonly bytesFetched: number;
}

/** What the worker's read of one dataset gives (its read reply, reduced to what is used here). */
export type WorkerRead = { readonly found: false } | { readonly found: true; readonly shape: readonly number[]; readonly data: ArrayBufferView };

/** Answers a reduceTrials request with the worker's reader; `post` is the worker's postMessage. */
export function answerAnalysisRequest(
  request: IReduceTrialsRequest,
  read: (dataset: string) => WorkerRead,
  bytesFetched: () => number,
  post: (reply: IReduceTrialsReply, transfer: Transferable[]) => void,
  cache?: { readAhead: number }
): void {
  // Trials are read in row order, which is h5py's order in the file: a miss fetches the next
  // ones' bytes with it (a quarter of the cache), so a scan is few large requests.
  const before = cache?.readAhead ?? 0;
  if (cache) cache.readAhead = SCAN_READ_AHEAD_BYTES;
  let reduced: IReducedChunk;
  try {
    reduced = reduceTrialChunk((dataset): ITrialArray | undefined => {
      const value = read(dataset);
      return value.found ? { shape: value.shape, data: value.data as unknown as ArrayLike<number> } : undefined;
    }, request.chunk);
  } finally {
    if (cache) cache.readAhead = before;
  }
  post({ id: request.id, reduced, bytesFetched: bytesFetched() }, transferablesOf(reduced));
}
