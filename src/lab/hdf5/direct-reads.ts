/**
 * The worker's direct reads of many trials (core/hdf5-direct-read.ts, the rules the kernel reads
 * by): the root links and each dataset's object header are parsed from the file's bytes, then
 * the data of a chunk of trials comes in as few asynchronous Range requests as the layout allows
 * (h5py writes trial after trial, so a chunk's data is usually one run with small metadata
 * blocks between datasets). Whatever gets no plan (chunked, filtered, refused by rule, a file
 * that changed) is left to h5wasm by the caller. Pure: the byte sources are given.
 */
import { type DirectReadPlan, planDirectRead, readRootLinks, swapByteOrder } from '../../core/hdf5-direct-read.js';
import { type ReadBytesAt, type Superblock, ObjectHeaderError, readSuperblock } from '../../core/hdf5-object-header.js';
import type { Hdf5ReadLimits } from '../../core/hdf5-containment.js';
import { TYPED_ARRAY_FOR_DTYPE } from '../../core/ndarray.js';

/** Bytes of a dataset's object header fetched ahead of parsing it (h5py's take about 300). */
const HEADER_WINDOW_BYTES = 1024;
/**
 * Bytes between two datasets' data still fetched in one request: HDF5's 2 KiB metadata blocks
 * lie between h5py's trials; a larger gap (another array, a B-tree) splits the request.
 */
export const MAX_GAP_BYTES = 16 * 1024;

/** One trial read directly: its shape and its elements, a view into its chunk's buffer when aligned. */
export interface IDirectTrial {
  readonly shape: readonly number[];
  readonly data: ArrayBufferView & ArrayLike<number | bigint>;
}

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

/** Fetches bytes [start, end) of the file; undefined when the file is no longer the one planned. */
export type AsyncByteFetch = (start: number, end: number) => Promise<Uint8Array | undefined>;

/**
 * Reads the datasets `names` directly: their headers (windows fetched together, anything past
 * them through `readAt`), then their data in coalesced runs, one buffer per run. Returns the
 * trials read; a name left out is for h5wasm (no plan, refused, or the file changed: then none).
 */
export async function readDirectTrials(
  state: IDirectFileState,
  names: readonly string[],
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
    const fetched = await Promise.all(windows.map(w => fetchBytes(w.start, w.end)));
    if (fetched.some(bytes => bytes === undefined)) return read;
    const windowedReadAt: ReadBytesAt = (offset, length) => {
      const index = windows.findIndex(w => offset >= w.start && offset + length <= w.end);
      return index < 0
        ? readAt(offset, length)
        : fetched[index]!.subarray(offset - windows[index].start, offset - windows[index].start + length);
    };
    for (const name of unplanned) {
      let plan: DirectReadPlan | undefined;
      try {
        // A refusal is h5wasm's to report, with the same rule: no plan here.
        plan = planDirectRead(windowedReadAt, state.superblock, state.links.get(name)!, fileBytes, limits).plan;
      } catch (error) {
        if (!(error instanceof ObjectHeaderError)) throw error;
      }
      state.plans.set(name, plan ?? null);
    }
  }
  const planned = names.flatMap(name => {
    const plan = state.plans.get(name);
    return plan ? [{ name, plan }] : [];
  });
  const runs = coalesceRanges(
    planned
      .filter(({ plan }) => plan.byteCount > 0)
      .map(({ plan }) => ({ start: plan.position, end: plan.position + plan.byteCount })),
    MAX_GAP_BYTES
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
