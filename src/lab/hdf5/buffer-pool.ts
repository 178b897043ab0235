/**
 * Buffers of the worker's direct reads, used again once the chunk read into them is reduced: a
 * scan of 256 MB in 6 MB runs otherwise leaves 256 MB of dead ArrayBuffers, which V8 collects
 * only after many have piled up (their bytes live outside its heap), so the worker's memory
 * climbs by tens of MB though it holds two or three chunks. Pure: no fetch, tested in Node.
 */

/** Reads smaller than this get buffers of their own (headers, tree nodes): not worth keeping. */
export const POOLED_MIN_BYTES = 1024 * 1024;
/** Pooled buffers are rounded up to this, so that runs of slightly different sizes share them. */
const ROUNDING_BYTES = 256 * 1024;
/**
 * And made this share larger than the run: chunks of as many trials grow by the metadata h5py
 * puts between trials further into a file (2 KiB each, and a hole a chunk may carry), and a
 * run past every free buffer made a third chunk-sized buffer, the one before it dropped.
 */
const HEADROOM = 1 / 8;

export class BufferPool {
  /** `maxFree`: buffers kept while free (the chunks in flight need that many at once). */
  constructor(private readonly _maxFree: number) {}

  /** A zero-offset view of `length` bytes: over a free buffer at least that large, else a new one. */
  take(length: number): Uint8Array {
    if (length < POOLED_MIN_BYTES) return new Uint8Array(length);
    let best = -1;
    this._free.forEach((buffer, i) => {
      if (buffer.byteLength >= length && (best < 0 || buffer.byteLength < this._free[best].byteLength)) best = i;
    });
    if (best < 0) {
      const bytes = Math.ceil((length + length * HEADROOM) / ROUNDING_BYTES) * ROUNDING_BYTES;
      return new Uint8Array(new ArrayBuffer(bytes), 0, length);
    }
    const [buffer] = this._free.splice(best, 1);
    return new Uint8Array(buffer, 0, length);
  }

  /** Gives back the buffers of views no longer used (each once; small and detached ones are dropped). */
  give(buffers: Iterable<ArrayBufferLike>): void {
    for (const buffer of new Set(buffers)) {
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < POOLED_MIN_BYTES || this._free.includes(buffer))
        continue;
      this._free.push(buffer);
      // The largest are kept: any run fits them.
      if (this._free.length > this._maxFree) {
        this._free.sort((a, b) => b.byteLength - a.byteLength);
        this._free.length = this._maxFree;
      }
    }
  }

  /** Free buffers now (for tests). */
  get free(): number {
    return this._free.length;
  }

  private readonly _free: ArrayBuffer[] = [];
}

/**
 * At most `count` holders at once; the others wait in the order they asked. The worker's direct
 * reads hold one each from before their fetch until their chunk is reduced, so their buffers
 * are bounded while the view asks for more chunks than that: the next one's fetch starts as
 * soon as a reduction ends, without a round trip to the page.
 */
export class Slots {
  constructor(private readonly _count: number) {}

  /** Resolves when a slot is free, with the function that frees it (once; later calls do nothing). */
  acquire(): Promise<() => void> {
    return new Promise(resolve => {
      const grant = () => {
        this._held++;
        let freed = false;
        resolve(() => {
          if (freed) return;
          freed = true;
          this._held--;
          this._waiting.shift()?.();
        });
      };
      if (this._held < this._count) grant();
      else this._waiting.push(grant);
    });
  }

  /** Slots held now (for tests). */
  get held(): number {
    return this._held;
  }

  private _held = 0;
  private readonly _waiting: (() => void)[] = [];
}
