/**
 * The kernel's side of direct reads (core/hdf5DirectRead.ts): the file's bytes through Node fs,
 * and a plain dataset's data read with one positioned read straight into the caller's buffer.
 */
import * as fs from 'node:fs';
import { type DirectReadPlan, planDirectRead, readRootLinks, swapByteOrder } from '../core/hdf5DirectRead.js';
import { type ReadBytesAt, type Superblock, ObjectHeaderError, readSuperblock } from '../core/hdf5ObjectHeader.js';
import type { Hdf5ReadLimits } from '../core/hdf5Containment.js';
import { DatasetRefusedError } from '../core/errors.js';
import { journalPathFor } from './hdf5-journal.js';

const READ_WINDOW_BYTES = 4096;
/** Tries at a consistent snapshot of the root links before leaving a busy file to HDF5. */
const SNAPSHOT_ATTEMPTS = 3;

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
 * Direct reads of one HDF5 file open read-only. The file's size and root links are taken once,
 * when it is opened: datasets committed later (a running experiment) are not in that snapshot
 * and go through HDF5, as does every dataset the plan does not cover.
 */
export class DirectReader {
  private readonly plans = new Map<string, DirectReadPlan | null>();

  private constructor(
    private readonly fd: number,
    private readonly fileBytes: number,
    private readonly readAt: ReadBytesAt,
    private readonly superblock: Superblock,
    /** Root hard links; undefined when not parsed here (the caller then gives addresses). */
    private readonly links: Map<string, number> | undefined
  ) {}

  /**
   * A reader for `absolutePath`, or undefined when its bytes may be mid-update. A writer of
   * this package updates the root group in place only inside a commit, with a journal beside
   * the file (hdf5-journal.ts), and any writer's in-place write changes the file's mtime: the
   * links are taken only when no journal is there and neither size nor mtime moved while they
   * were read (a few tries), else HDF5's path reads the file with its own rule (retries).
   */
  static open(absolutePath: string): DirectReader | undefined {
    let fd: number;
    try {
      fd = fs.openSync(absolutePath, 'r');
    } catch {
      return undefined;
    }
    try {
      for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
        if (fs.existsSync(journalPathFor(absolutePath))) break;
        const before = fs.fstatSync(fd);
        const readAt = windowedReadAt(fd, before.size);
        let snapshot: { superblock: Superblock; links: Map<string, number> | undefined } | undefined;
        try {
          const superblock = readSuperblock(readAt);
          snapshot = { superblock, links: readRootLinks(readAt, superblock) };
        } catch (error) {
          if (!(error instanceof ObjectHeaderError)) throw error;
        }
        const after = fs.fstatSync(fd);
        const still = after.size === before.size && after.mtimeMs === before.mtimeMs && !fs.existsSync(journalPathFor(absolutePath));
        if (!still) continue;
        if (snapshot === undefined) break; // not parsed here: HDF5 says what is wrong
        return new DirectReader(fd, before.size, readAt, snapshot.superblock, snapshot.links);
      }
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    fs.closeSync(fd);
    return undefined;
  }

  /**
   * The plan for dataset `name`, or undefined when HDF5 must read it; DatasetRefusedError
   * (naming `displayPath`) when the containment rule refuses it. `addressOf` gives the
   * dataset's object header address when the root links were not parsed here (undefined for a
   * link that is not a hard one). Plans are kept: a dataset is looked up once.
   */
  plan(name: string, displayPath: string, limits: Hdf5ReadLimits, addressOf: () => number | undefined): DirectReadPlan | undefined {
    const known = this.plans.get(name);
    if (known !== undefined) return known ?? undefined;
    const address = this.links !== undefined ? this.links.get(name) : addressOf();
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
