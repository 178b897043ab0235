/**
 * The analysis view's requests to the HDF5 worker: the worker file registers
 * {@link answerAnalysisRequest} and gives it its own dataset reader; everything else (filter,
 * reduce, measure, decimate) is {@link reduceTrialChunk}, which Node tests run over real files.
 */
import type { IRemoteFile } from '../hdf5/protocol.js';
import type { IDirectTrial } from '../hdf5/direct-reads.js';
import { datasetNameForRow } from '../../core/layout.js';
import {
  type IReduceChunkRequest,
  type IReducedChunk,
  type ITrialArray,
  reduceTrialChunk,
  transferablesOf
} from './trial-reduction.js';

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

/** The worker's HDF5 reader, reduced to what is used here. */
export interface IScanningReader {
  read(
    remote: IRemoteFile,
    dataset: string
  ):
    | { readonly found: false; readonly bytesFetched: number }
    | {
        readonly found: true;
        readonly shape: readonly number[];
        readonly data: ArrayBufferView;
        readonly bytesFetched: number;
      };
  scanning<T>(remote: IRemoteFile, readAhead: number, scan: () => T): T;
  /** Reads datasets directly (reader.ts readDirect), bound to the worker's Range source. */
  readDirect?(remote: IRemoteFile, names: readonly string[]): Promise<Map<string, IDirectTrial>>;
  /** The file's running count of bytes moved, direct reads included. */
  bytesFetched?(remote: IRemoteFile): number;
  /** Trials read directly and reduced: their buffers may be used again. */
  release?(trials: Iterable<IDirectTrial>): void;
}

/**
 * Answers a reduceTrials request with the worker's reader; `post` is the worker's postMessage.
 * The chunk's trials are read directly first (few Range requests into one buffer per run of
 * adjacent trials, dropped once reduced); the rest through h5wasm in row order, h5py's order in
 * the file: each dataset's read fetches the next ones' bytes with it (4 MiB, a quarter of the
 * default cache), so a scan is few requests.
 */
export async function answerAnalysisRequest(
  request: IReduceTrialsRequest,
  reader: IScanningReader,
  post: (reply: IReduceTrialsReply, transfer: Transferable[]) => void
): Promise<void> {
  const names = request.chunk.trials.map(({ row }) => datasetNameForRow(row));
  let direct = (await reader.readDirect?.(request.file, names)) ?? new Map<string, IDirectTrial>();
  let bytesFetched = 0;
  const reduced = reader.scanning(request.file, SCAN_READ_AHEAD_BYTES, () =>
    reduceTrialChunk((dataset): ITrialArray | undefined => {
      const known = direct.get(dataset);
      if (known !== undefined) return known as ITrialArray;
      const value = reader.read(request.file, dataset);
      bytesFetched = value.bytesFetched;
      return value.found ? { shape: value.shape, data: value.data as unknown as ArrayLike<number> } : undefined;
    }, request.chunk)
  );
  // Nothing reduced refers to the trials' bytes (moments, features, spans are arrays of their own).
  reader.release?.(direct.values());
  direct = new Map();
  if (reader.bytesFetched) bytesFetched = reader.bytesFetched(request.file);
  post({ id: request.id, reduced, bytesFetched }, transferablesOf(reduced));
}
