/**
 * The worker's direct reads of many trials (core/hdf5-direct-read.ts, the rules the kernel reads
 * by): the root links and each dataset's object header are parsed from the file's bytes, then
 * the data of a chunk of trials comes in as few asynchronous Range requests as the layout allows
 * (h5py writes trial after trial, so a chunk's data is usually one run with small metadata
 * blocks between datasets). Whatever gets no plan (chunked, filtered, refused by rule, a file
 * that changed) is left to h5wasm by the caller. Pure: the byte sources are given.
 */
import { type DirectReadPlan, planDirectRead, readRootLinks, swapByteOrder } from '../../core/hdf5-direct-read.js';
import {
  type ReadBytesAt,
  type Superblock,
  BytesNotRead,
  ObjectHeaderError,
  readSuperblock
} from '../../core/hdf5-object-header.js';
import type { Hdf5ReadLimits } from '../../core/hdf5-containment.js';
import { TYPED_ARRAY_FOR_DTYPE } from '../../core/ndarray.js';

/** Bytes of a dataset's object header fetched ahead of parsing it (h5py's take about 300). */
const HEADER_WINDOW_BYTES = 1024;
/**
 * Bytes between two datasets' data still fetched in one request: HDF5's 2 KiB metadata blocks
 * lie between h5py's trials; a larger gap (another array, a B-tree) splits the request.
 */
export const MAX_GAP_BYTES = 16 * 1024;
/**
 * Share of a chunk's data bytes its gaps may add for the chunk to be fetched as one run all the
 * same: each run takes a buffer of its own, and h5py's trials lie back to back but for an odd
 * hole past MAX_GAP_BYTES (its local heap moved as it grew), which split a chunk in two and
 * held a third chunk-sized buffer in the worker.
 */
const MAX_GAP_SHARE = 1 / 64;

/** One trial read directly: its shape and its elements, a view into its chunk's buffer when aligned. */
export interface IDirectTrial {
  readonly shape: readonly number[];
  readonly data: ArrayBufferView & ArrayLike<number | bigint>;
}

/**
 * Bytes fetched around each node of the root group's tree (a symbol table node of 8 links is
 * 328 bytes): h5py puts the nodes in the metadata blocks that hold the datasets' object headers,
 * so these windows bring nearly every header with them (97% of 2000 trials' in h5py's layout).
 */
const NODE_WINDOW_BEFORE = 2048;
const NODE_WINDOW_AFTER = 4096;
/** Batches of tree nodes fetched at most (one per level of the tree, a few more for the heap). */
const MAX_TREE_PASSES = 40;

/** What is known of one open file (one version): kept while the file keeps its version. */
export interface IDirectFileState {
  readonly superblock: Superblock;
  /** Root hard links; null when not a symbol-table group (h5wasm finds the datasets). */
  readonly links: Map<string, number> | null;
  /** Plans by dataset name; null: h5wasm reads it. */
  readonly plans: Map<string, DirectReadPlan | null>;
}

/** The state of a file from its bytes (the reader's block cache); undefined when not parsable here. */
export function directFileState(readAt: ReadBytesAt): IDirectFileState | undefined {
  try {
    const superblock = readSuperblock(readAt);
    return { superblock, links: readRootLinks(readAt, superblock) ?? null, plans: new Map() };
  } catch (error) {
    if (error instanceof ObjectHeaderError) return undefined;
    throw error;
  }
}

/** Byte ranges fetched so far, looked up by position; a read of bytes not among them throws {@link BytesNotRead}. */
class FetchedBytes {
  constructor(
    private readonly _fileBytes: number,
    private readonly _cached: (offset: number, length: number) => Uint8Array | undefined
  ) {}

  add(start: number, bytes: Uint8Array): void {
    this._ranges.push({ start, bytes });
  }

  readonly readAt: ReadBytesAt = (offset, length) => {
    const end = Math.min(offset + length, this._fileBytes);
    for (const { start, bytes } of this._ranges)
      if (offset >= start && end <= start + bytes.length) return bytes.subarray(offset - start, end - start);
    const cached = this._cached(offset, end - offset);
    if (cached !== undefined) return cached;
    throw new BytesNotRead([{ start: offset, end }]);
  };

  private readonly _ranges: { start: number; bytes: Uint8Array }[] = [];
}

/**
 * {@link directFileState} with the root group's tree fetched asynchronously: each pass parses
 * what is fetched and names the nodes it still needs, which come in one batch: one request
 * through the multi-range endpoint, else parallel ones (h5py scatters the nodes of 2000 links
 * over the file; read one by one, synchronously, they were hundreds of round trips). `head` is
 * the start of the file, already read; `cached` gives bytes the reader already holds (h5wasm
 * walks the same tree to list the datasets), which need no request.
 */
export async function loadDirectFileState(
  head: Uint8Array,
  fetchPieces: AsyncPiecesFetch,
  fileBytes: number,
  limits: Hdf5ReadLimits,
  cached: (offset: number, length: number) => Uint8Array | undefined = () => undefined
): Promise<IDirectFileState | undefined> {
  const fetched = new FetchedBytes(fileBytes, cached);
  fetched.add(0, head);
  for (let pass = 0; pass < MAX_TREE_PASSES; pass++) {
    let state: IDirectFileState | undefined;
    try {
      state = directFileState(fetched.readAt);
    } catch (error) {
      if (!(error instanceof BytesNotRead)) throw error;
      const windows = coalesceRanges(
        error.ranges.map(({ start, end }) => ({
          start: Math.max(0, start - NODE_WINDOW_BEFORE),
          end: Math.min(fileBytes, Math.max(end, start + NODE_WINDOW_AFTER))
        })),
        0
      );
      const buffers = await fetchPieces(windows);
      if (buffers === undefined) return undefined;
      windows.forEach((w, i) => fetched.add(w.start, buffers[i]));
      continue;
    }
    // The headers that came with the tree are planned now; the others when their chunk comes.
    for (const name of state?.links?.keys() ?? []) {
      try {
        planDataset(state!, name, fetched.readAt, fileBytes, limits);
      } catch (error) {
        if (!(error instanceof BytesNotRead)) throw error;
      }
    }
    return state;
  }
  return undefined;
}

/** Plans the read of dataset `name` from its header (null: h5wasm reads it, as for a refusal). */
function planDataset(
  state: IDirectFileState,
  name: string,
  readAt: ReadBytesAt,
  fileBytes: number,
  limits: Hdf5ReadLimits
): void {
  let plan: DirectReadPlan | undefined;
  try {
    // A refusal is h5wasm's to report, with the same rule: no plan here.
    plan = planDirectRead(readAt, state.superblock, state.links!.get(name)!, fileBytes, limits).plan;
  } catch (error) {
    if (!(error instanceof ObjectHeaderError)) throw error;
  }
  state.plans.set(name, plan ?? null);
}

/** Byte ranges sorted and merged where they overlap or lie at most `maxGap` bytes apart. */
export function coalesceRanges(
  ranges: readonly { start: number; end: number }[],
  maxGap: number
): { start: number; end: number }[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const runs: { start: number; end: number }[] = [];
  for (const { start, end } of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && start - last.end <= maxGap) last.end = Math.max(last.end, end);
    else runs.push({ start, end });
  }
  return runs;
}

/**
 * The runs a chunk's data is fetched in: ranges at most MAX_GAP_BYTES apart merged, and all of
 * them one run when the gaps between them add at most MAX_GAP_SHARE of the data's bytes.
 */
function dataRuns(ranges: readonly { start: number; end: number }[]): { start: number; end: number }[] {
  const runs = coalesceRanges(ranges, MAX_GAP_BYTES);
  if (runs.length < 2) return runs;
  const data = ranges.reduce((sum, range) => sum + range.end - range.start, 0);
  const span = { start: runs[0].start, end: Math.max(...runs.map(run => run.end)) };
  return span.end - span.start - data <= data * MAX_GAP_SHARE ? [span] : runs;
}

/** Fetches bytes [start, end) of the file; undefined when the file is no longer the one planned. */
export type AsyncByteFetch = (start: number, end: number) => Promise<Uint8Array | undefined>;
/**
 * Fetches many small pieces of the file at once (metadata: tree nodes, object headers), in as
 * few requests as the server allows; undefined when the file is no longer the one planned.
 */
export type AsyncPiecesFetch = (ranges: readonly { start: number; end: number }[]) => Promise<Uint8Array[] | undefined>;

/**
 * Reads the datasets `names` directly: their headers (windows fetched together, anything past
 * them through `readAt`), then their data in coalesced runs, one buffer per run. Returns the
 * trials read; a name left out is for h5wasm (no plan, refused, or the file changed: then none).
 */
export async function readDirectTrials(
  state: IDirectFileState,
  names: readonly string[],
  fetchPieces: AsyncPiecesFetch,
  fetchBytes: AsyncByteFetch,
  readAt: ReadBytesAt,
  fileBytes: number,
  limits: Hdf5ReadLimits
): Promise<Map<string, IDirectTrial>> {
  const read = new Map<string, IDirectTrial>();
  if (state.links === null) return read;
  const base = state.superblock.baseAddress;
  const unplanned = names.filter(name => !state.plans.has(name) && state.links!.has(name));
  if (unplanned.length > 0) {
    const windows = coalesceRanges(
      unplanned.map(name => ({
        start: base + state.links!.get(name)!,
        end: Math.min(fileBytes, base + state.links!.get(name)! + HEADER_WINDOW_BYTES)
      })),
      0
    );
    const fetched = await fetchPieces(windows);
    if (fetched === undefined) return read;
    const windowedReadAt: ReadBytesAt = (offset, length) => {
      const index = windows.findIndex(w => offset >= w.start && offset + length <= w.end);
      return index < 0
        ? readAt(offset, length)
        : fetched[index]!.subarray(offset - windows[index].start, offset - windows[index].start + length);
    };
    for (const name of unplanned) planDataset(state, name, windowedReadAt, fileBytes, limits);
  }
  const planned = names.flatMap(name => {
    const plan = state.plans.get(name);
    return plan ? [{ name, plan }] : [];
  });
  const runs = dataRuns(
    planned
      .filter(({ plan }) => plan.byteCount > 0)
      .map(({ plan }) => ({ start: plan.position, end: plan.position + plan.byteCount }))
  );
  const buffers = await Promise.all(runs.map(run => fetchBytes(run.start, run.end)));
  if (buffers.some(bytes => bytes === undefined)) return read;
  for (const { name, plan } of planned) {
    const Typed = TYPED_ARRAY_FOR_DTYPE[plan.dtype] as unknown as new (
      buffer: ArrayBufferLike,
      byteOffset?: number,
      length?: number
    ) => IDirectTrial['data'];
    const count = plan.byteCount / plan.elementBytes;
    if (count === 0) {
      read.set(name, { shape: plan.shape, data: new Typed(new ArrayBuffer(0)) });
      continue;
    }
    const index = runs.findIndex(run => plan.position >= run.start && plan.position + plan.byteCount <= run.end);
    const bytes = buffers[index]!.subarray(
      plan.position - runs[index].start,
      plan.position - runs[index].start + plan.byteCount
    );
    if (!plan.bigEndian && bytes.byteOffset % plan.elementBytes === 0) {
      read.set(name, { shape: plan.shape, data: new Typed(bytes.buffer, bytes.byteOffset, count) });
      continue;
    }
    const copy = bytes.slice();
    if (plan.bigEndian) swapByteOrder(copy, plan.elementBytes);
    read.set(name, { shape: plan.shape, data: new Typed(copy.buffer, 0, count) });
  }
  return read;
}
