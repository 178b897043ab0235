/**
 * A synchronous block cache over a byte source read by ranges: what the lazy HDF5 file of the
 * preview worker reads through. HDF5 asks for many small metadata reads and, per dataset, one
 * large contiguous read; blocks keep the small ones cheap, and a large read fetches only the
 * missing blocks it spans (each run of them in one range request) so a preview moves about one
 * trial's bytes. Pure: the range fetcher is given (sync XHR in the worker, a file in tests).
 */

/** Reads bytes [start, end) of the source; must return exactly that many bytes. */
export type RangeFetcher = (start: number, end: number) => Uint8Array;

/** Options of {@link LruBlockCache}. */
export interface ILruBlockCacheOptions {
  /** Size of the source in bytes. */
  readonly length: number;
  /** Bytes per block (the unit of caching and of range alignment). */
  readonly blockSize: number;
  /** Blocks kept; the least recently used go first. */
  readonly maxBlocks: number;
  readonly fetchRange: RangeFetcher;
}

/** Byte source with an LRU cache of fixed-size blocks. */
export class LruBlockCache {
  constructor(options: ILruBlockCacheOptions) {
    if (!(options.blockSize > 0) || !(options.maxBlocks > 0)) {
      throw new RangeError('LruBlockCache: blockSize and maxBlocks must be positive');
    }
    this.length = options.length;
    this._blockSize = options.blockSize;
    this._maxBlocks = options.maxBlocks;
    this._fetchRange = options.fetchRange;
  }

  /** Size of the source in bytes. */
  readonly length: number;

  /**
   * Bytes after a missed read fetched with it (default 0): set while scanning trial after
   * trial, whose datasets h5py lays out one after another.
   */
  readAhead = 0;

  /** Bytes fetched from the source so far. */
  get bytesFetched(): number {
    return this._bytesFetched;
  }

  /** Range requests made so far. */
  get fetches(): number {
    return this._fetches;
  }

  /**
   * Caches bytes already fetched from the start of the source (the first request, which also
   * told the source's size): its whole blocks, and the last partial one when it ends the source.
   * They count in {@link bytesFetched} and {@link fetches} as one fetch.
   */
  prime(head: Uint8Array): void {
    const size = this._blockSize;
    const usable = Math.min(head.length, this.length);
    this._fetches++;
    this._bytesFetched += head.length;
    for (let block = 0; block * size < usable; block++) {
      const end = Math.min((block + 1) * size, this.length);
      if (end > usable) break;
      this._store(block, head.slice(block * size, end));
    }
  }

  /**
   * The bytes [position, position + count) when every block they lie in is cached (clipped at
   * the end of the source), else undefined: nothing is fetched and the order is not changed.
   */
  peek(position: number, count: number): Uint8Array | undefined {
    const end = Math.min(position + count, this.length);
    if (position >= end) return position === end ? new Uint8Array(0) : undefined;
    const size = this._blockSize;
    for (let block = Math.floor(position / size); block <= Math.floor((end - 1) / size); block++)
      if (!this._blocks.has(block)) return undefined;
    const bytes = new Uint8Array(end - position);
    for (let block = Math.floor(position / size); block <= Math.floor((end - 1) / size); block++)
      this._copy(this._blocks.get(block)!, block * size, bytes, 0, position, end);
    return bytes;
  }

  /**
   * Copies up to `count` bytes from `position` into `target` at `offset`; returns how many
   * (fewer at the end of the source, 0 past it).
   */
  read(target: Uint8Array, offset: number, count: number, position: number): number {
    const end = Math.min(position + count, this.length);
    if (position >= end) {
      return 0;
    }
    const size = this._blockSize;
    const firstBlock = Math.floor(position / size);
    const lastBlock = Math.floor((end - 1) / size);
    let block = firstBlock;
    while (block <= lastBlock) {
      const cached = this._blocks.get(block);
      if (cached !== undefined) {
        this._touch(block, cached);
        this._copy(cached, block * size, target, offset, position, end);
        block++;
        continue;
      }
      // A run of missing blocks comes in one range request.
      let runEnd = block;
      while (runEnd + 1 <= lastBlock && !this._blocks.has(runEnd + 1)) {
        runEnd++;
      }
      if (runEnd === lastBlock && end - position >= size) {
        // Read-ahead (a scan over many datasets): after a dataset's data (a large read, not
        // the small metadata reads), the missing blocks after it, in the same request.
        const aheadEnd = Math.min(
          lastBlock + Math.floor(this.readAhead / size),
          Math.ceil(this.length / size) - 1,
          block + Math.floor(this._maxBlocks / 2) - 1
        );
        while (runEnd + 1 <= aheadEnd && !this._blocks.has(runEnd + 1)) {
          runEnd++;
        }
      }
      const runStart = block * size;
      const runStop = Math.min((runEnd + 1) * size, this.length);
      const bytes = this._fetch(runStart, runStop);
      this._copy(bytes, runStart, target, offset, position, end);
      // Keep the blocks at the edges of the run (metadata often sits next to data) and, for
      // runs that fit, the whole run; the middle of a large read is seldom read again.
      for (let b = block; b <= runEnd; b++) {
        if (runEnd - block < this._maxBlocks / 2 || b === block || b === runEnd) {
          const from = (b - block) * size;
          this._store(b, bytes.slice(from, Math.min(from + size, bytes.length)));
        }
      }
      block = runEnd + 1;
    }
    return end - position;
  }

  /** Copies the part of `source` (starting at byte `sourceStart` of the file) within [position, end). */
  private _copy(
    source: Uint8Array,
    sourceStart: number,
    target: Uint8Array,
    offset: number,
    position: number,
    end: number
  ): void {
    const from = Math.max(position, sourceStart);
    const to = Math.min(end, sourceStart + source.length);
    if (from < to) {
      target.set(source.subarray(from - sourceStart, to - sourceStart), offset + (from - position));
    }
  }

  private _fetch(start: number, end: number): Uint8Array {
    const bytes = this._fetchRange(start, end);
    if (bytes.length !== end - start) {
      throw new Error(`expected bytes ${start}-${end - 1} (${end - start} bytes), got ${bytes.length}`);
    }
    this._fetches++;
    this._bytesFetched += bytes.length;
    return bytes;
  }

  private _touch(block: number, bytes: Uint8Array): void {
    this._blocks.delete(block);
    this._blocks.set(block, bytes);
  }

  private _store(block: number, bytes: Uint8Array): void {
    this._touch(block, bytes);
    while (this._blocks.size > this._maxBlocks) {
      const oldest = this._blocks.keys().next().value as number;
      this._blocks.delete(oldest);
    }
  }

  private readonly _blockSize: number;
  private readonly _maxBlocks: number;
  private readonly _fetchRange: RangeFetcher;
  /** Insertion order is recency order: a Map re-inserted on use. */
  private readonly _blocks = new Map<number, Uint8Array>();
  private _bytesFetched = 0;
  private _fetches = 0;
}
