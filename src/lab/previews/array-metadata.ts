/**
 * The sidecar `<array>.json` of an array file in the preview (format: core/array-sidecar.ts):
 * read when it appears or changes, its sample rate and channel names given to the array's plot
 * and analysis view (over the settings', core/axis-metadata.ts), a sidecar that does not parse
 * said above the plot instead of breaking it.
 */
import { parseArraySidecar, type ArrayMetadata } from '../../core/array-sidecar.js';
import type { IArrayAxesMetadata } from '../../core/axis-metadata.js';
import { stampOf, type IFolderEntry } from '../provider/types.js';
import type { ITaskFilesSource } from './check.js';

/** What a sidecar says, and why it is not used ('' when it is, or absent). */
export interface ISidecarReading {
  readonly metadata: ArrayMetadata;
  readonly problem: string;
}

/** What a plot is told: the metadata (sidecar, else settings, with their sources) and the sidecar's problem. */
export interface IArrayMetadataReading {
  readonly metadata: IArrayAxesMetadata;
  readonly problem: string;
}

/** Reads sidecars of one task, each only when its file changed. */
export class SidecarReader {
  constructor(private readonly _source: ITaskFilesSource) {}

  /**
   * The reading of `sidecar` (the listing's `<array>.json`, or undefined without one); undefined
   * when it has not changed since the last call for `array`.
   */
  async read(array: string, sidecar: IFolderEntry | undefined): Promise<ISidecarReading | undefined> {
    const stamp = sidecar === undefined ? '' : stampOf(sidecar);
    if (this._stamps.get(array) === stamp) return undefined;
    this._stamps.set(array, stamp);
    if (sidecar === undefined) return { metadata: {}, problem: '' };
    try {
      return { metadata: parseArraySidecar(await this._source.readText(sidecar.path), sidecar.path), problem: '' };
    } catch (error) {
      return { metadata: {}, problem: `${sidecar.name} not used: ${(error as Error).message}` };
    }
  }

  private readonly _stamps = new Map<string, string>();
}
