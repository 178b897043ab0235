/**
 * The kernel's side of direct reads (core/hdf5-direct-read.ts): the file's bytes through Node fs,
 * and a plain dataset's data read with one positioned read straight into the caller's buffer.
 */
import * as fs from 'node:fs';
import { type DirectReadPlan, planDirectRead, readRootLinks, swapByteOrder } from '../core/hdf5-direct-read.js';
import { type ReadBytesAt, type Superblock, ObjectHeaderError, readSuperblock } from '../core/hdf5-object-header.js';
import type { Hdf5ReadLimits } from '../core/hdf5-containment.js';
import { DatasetRefusedError } from '../core/errors.js';
import { journalPathFor } from './hdf5-journal.js';

const READ_WINDOW_BYTES = 4096;
/** Tries at a consistent snapshot of the root links before leaving a busy file to HDF5. */
const SNAPSHOT_ATTEMPTS = 3;
/**
 * Datasets found through HDF5 before the root links are read here: one trial's read should not
 * pay for listing a file of thousands of trials, while stacking every trial gains from one
 * listing.
 */
const LOOKUPS_BEFORE_LINKS = 16;

/**
 * Reads at `fd` through a window of a few KiB: a header is read in small pieces close together,
 * and one read of the window serves them all. Nothing past `fileBytes` is read.
 */
export function windowedReadAt(fd: number, fileBytes: number): ReadBytesAt {
  let window = { start: 0, bytes: Buffer.alloc(0) };
  return (offset: number, length: number): Uint8Array => {
    const end = Math.min(offset + length, fileBytes);
    if (offset >= window.start && end <= window.start + window.bytes.length) {
      return window.bytes.subarray(offset - window.start, end - window.start);
    }
    const count = Math.max(0, Math.max(end, Math.min(offset + READ_WINDOW_BYTES, fileBytes)) - offset);
    const bytes = Buffer.allocUnsafe(count);
    const read = count > 0 ? fs.readSync(fd, bytes, 0, count, offset) : 0;
    window = { start: offset, bytes: bytes.subarray(0, read) };
    return window.bytes.subarray(0, Math.max(0, Math.min(read, end - offset)));
  };
}

/** Data reads so far that went straight from the file, and through HDF5 (for tests, benchmarks). */
export const hdf5ReadCounts = { direct: 0, viaHdf5: 0 };

/**
 * Direct reads of one HDF5 file open read-only. The first few datasets are found through HDF5
 * (a file opened for one trial does not pay for listing thousands); after that the root links
 * are read here once, as a snapshot: datasets committed later (a running experiment) are not in
 * it and go through HDF5, as does every dataset the plan does not cover.
 */
export class DirectReader {
  private readonly plans = new Map<string, DirectReadPlan | null>();
  /** Root hard links once read here; null when they cannot be (dense storage, a busy file). */
  private links: Map<string, number> | null | undefined;
  private lookups = 0;

  private constructor(
    private readonly fd: number,
    private readonly absolutePath: string,
    private fileBytes: number,
    private readAt: ReadBytesAt,
    private readonly superblock: Superblock
  ) {}

  /**
   * A reader for `absolutePath`, or undefined when it has no superblock this reader parses or
   * a flush journal lies beside it: a writer of this package is committing in-place updates
   * (hdf5-journal.ts), which HDF5's path reads with its own rule (retries).
   */
  static open(absolutePath: string): DirectReader | undefined {
    if (fs.existsSync(journalPathFor(absolutePath))) return undefined;
    let fd: number;
    try {
      fd = fs.openSync(absolutePath, 'r');
    } catch {
      return undefined;
    }
    try {
      const fileBytes = fs.fstatSync(fd).size;
      const readAt = windowedReadAt(fd, fileBytes);
      return new DirectReader(fd, absolutePath, fileBytes, readAt, readSuperblock(readAt));
    } catch (error) {
      fs.closeSync(fd);
      if (error instanceof ObjectHeaderError) return undefined; // HDF5 says what is wrong
      throw error;
    }
  }

  /**
   * The plan for dataset `name`, or undefined when HDF5 must read it; DatasetRefusedError
   * (naming `displayPath`) when the containment rule refuses it. `addressOf` gives the
   * dataset's object header address through HDF5 (undefined for a link that is not a hard
   * one), used until the root links are read here. Plans are kept: a dataset is looked up once.
   */
  plan(
    name: string,
    displayPath: string,
    limits: Hdf5ReadLimits,
    addressOf: () => number | undefined
  ): DirectReadPlan | undefined {
    const known = this.plans.get(name);
    if (known !== undefined) return known ?? undefined;
    if (this.links === undefined && ++this.lookups > LOOKUPS_BEFORE_LINKS) this.links = this.readLinks();
    const address = this.links ? this.links.get(name) : addressOf();
    let plan: DirectReadPlan | undefined;
    if (address !== undefined) {
      try {
        const { plan: found, refusal } = planDirectRead(this.readAt, this.superblock, address, this.fileBytes, limits);
        if (refusal !== undefined) throw new DatasetRefusedError(displayPath, name, refusal);
        plan = found;
      } catch (error) {
        if (!(error instanceof ObjectHeaderError)) throw error;
      }
    }
    this.plans.set(name, plan ?? null);
    return plan;
  }

  /**
   * The root links as one consistent snapshot, or null. Any writer's in-place write changes the
   * file's mtime, and a writer of this package commits with a journal beside the file: the
   * links are kept only when no journal is there and neither size nor mtime moved while they
   * were read (a few tries).
   */
  private readLinks(): Map<string, number> | null {
    for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
      if (fs.existsSync(journalPathFor(this.absolutePath))) return null;
      const before = fs.fstatSync(this.fd);
      const readAt = windowedReadAt(this.fd, before.size);
      let links: Map<string, number> | null;
      try {
        links = readRootLinks(readAt, this.superblock) ?? null;
      } catch (error) {
        if (!(error instanceof ObjectHeaderError)) throw error;
        links = null;
      }
      const after = fs.fstatSync(this.fd);
      if (
        after.size !== before.size ||
        after.mtimeMs !== before.mtimeMs ||
        fs.existsSync(journalPathFor(this.absolutePath))
      )
        continue;
      // Data committed since the file was opened is inside the file too.
      this.fileBytes = before.size;
      this.readAt = readAt;
      return links;
    }
    return null;
  }

  /** Reads the plan's bytes into `target` (exactly `plan.byteCount` bytes), in native order. */
  read(plan: DirectReadPlan, target: Uint8Array): void {
    let done = 0;
    while (done < plan.byteCount) {
      const read = fs.readSync(this.fd, target, done, plan.byteCount - done, plan.position + done);
      if (read === 0) throw new ObjectHeaderError(`the file ended at byte ${plan.position + done}, inside a dataset`);
      done += read;
    }
    if (plan.bigEndian) swapByteOrder(target, plan.elementBytes);
    hdf5ReadCounts.direct += 1;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
