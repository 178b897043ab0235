/**
 * What labels an array's axes: its sample rate and channel names, from the task's own sidecar
 * (`<array>.json`, core/array-sidecar.ts) or from a setting per storage root (and array), the
 * sidecar winning field by field; and the one rule that names the axes from them: seconds and
 * channel names with metadata, else "sample" and "channel 0..n-1". The trial plot, the
 * analysis view and the kernel's epochs all name channels by this rule.
 */
import type { ArrayMetadata } from './array-sidecar.js';

/** Array metadata with where each field came from (a sidecar's path, or "settings"). */
export interface IArrayAxesMetadata extends ArrayMetadata {
  readonly sampleRateFrom?: string;
  readonly channelNamesFrom?: string;
}

/**
 * One entry of the previews' `arrayMetadata` setting: the sample rate and channel names of the
 * arrays of every task under storage root `root` (as the sidebar shows it, from the server
 * root; "" for the server root itself), or of array `array` only.
 */
export interface IArrayMetadataSetting {
  readonly root: string;
  readonly array?: string;
  readonly sampleRate?: number;
  readonly channelNames?: readonly string[];
}

/** Where the metadata of settings is said to come from. */
export const FROM_SETTINGS = 'settings';

/** The name of channel `channel` when no name is given. */
export function unnamedChannel(channel: number): string {
  return `channel ${channel}`;
}

/** Channel `channel`'s name: the given name, else "channel <channel>". */
export function channelName(names: readonly string[] | undefined, channel: number): string {
  return names?.[channel] ?? unnamedChannel(channel);
}

function pathComponents(path: string): string[] {
  return path.split('/').filter(part => part !== '' && part !== '.');
}

/** A task's storage root (`<root>/<subject>/<task>`): its path without the last two folders. */
export function storageRootOfTask(taskPath: string): string {
  return pathComponents(taskPath).slice(0, -2).join('/');
}

/**
 * An array's metadata with the sidecar first, then the setting for its root and array, then
 * the setting for its root: each field from the first that gives it. `sidecar` is what the
 * task's `<array>.json` at `sidecarPath` says ({} or undefined without a usable one).
 */
export function resolveArrayMetadata(
  taskPath: string,
  arrayName: string,
  sidecar: ArrayMetadata | undefined,
  sidecarPath: string,
  settings: readonly IArrayMetadataSetting[]
): IArrayAxesMetadata {
  const root = storageRootOfTask(taskPath);
  const ofRoot = settings.filter(entry => pathComponents(entry.root).join('/') === root);
  const sources: [ArrayMetadata | undefined, string][] = [
    [sidecar, sidecarPath],
    [ofRoot.find(entry => entry.array === arrayName), FROM_SETTINGS],
    [ofRoot.find(entry => entry.array === undefined), FROM_SETTINGS]
  ];
  const rate = sources.find(([metadata]) => metadata?.sampleRate !== undefined);
  const names = sources.find(([metadata]) => metadata?.channelNames !== undefined);
  return {
    ...(rate ? { sampleRate: rate[0]!.sampleRate, sampleRateFrom: rate[1] } : {}),
    ...(names ? { channelNames: [...names[0]!.channelNames!], channelNamesFrom: names[1] } : {})
  };
}

/** How the axes of an array with `channels` channels are named. */
export interface IAxesText {
  /** The x axis' unit: "time (s)" with a sample rate, else "sample". */
  readonly xLabel: 'time (s)' | 'sample';
  /** What the x axis title says: the unit, the rate and where rate and names came from. */
  readonly xTitle: string;
  /** One name per channel: the metadata's when there is one per channel, else "channel c". */
  readonly channelNames: string[];
  /** Why the metadata's channel names are not used ('' when they are, or absent). */
  readonly problem: string;
}

/** The axes' names of an array with `channels` channels, by the metadata. */
export function describeAxes(metadata: IArrayAxesMetadata, channels: number): IAxesText {
  const { sampleRate, channelNames } = metadata;
  const fits = channelNames !== undefined && channelNames.length === channels;
  const xLabel = sampleRate !== undefined ? 'time (s)' : 'sample';
  const from = (source: string | undefined): string => (source === undefined ? '' : ` from ${source}`);
  const parts = [sampleRate !== undefined ? `${xLabel}, ${sampleRate} Hz${from(metadata.sampleRateFrom)}` : xLabel];
  if (fits && metadata.channelNamesFrom !== undefined && metadata.channelNamesFrom !== metadata.sampleRateFrom) {
    parts.push(`channel names from ${metadata.channelNamesFrom}`);
  }
  return {
    xLabel,
    xTitle: parts.join('; '),
    channelNames: Array.from({ length: channels }, (_, c) => channelName(fits ? channelNames : undefined, c)),
    problem:
      channelNames === undefined || fits
        ? ''
        : `channel names${from(metadata.channelNamesFrom)} not used: ${channelNames.length} names for ${channels} channels`
  };
}
