/**
 * The sidecar `<array>.json` beside `<array>.hdf5`: what the HDF5 file does not say about an
 * array, its sample rate and channel names, so plots can label axes in seconds and by
 * channel. Keys are snake_case as a Python user writes them with `json.dump`:
 *
 *   {"sample_rate": 2000, "channel_names": ["FDS", "EDC"]}
 *
 * Both keys are optional; other keys are kept out of the way (a later version may add some).
 * Python AxoPy lists a task's arrays by their `.hdf5` files, so it never sees this file.
 */
import { FormatError } from './errors.js';
import { joinPath, validateId } from './layout.js';

/** What a sidecar says about an array; each field absent when the file does not give it. */
export interface ArrayMetadata {
  /** Samples per second along the last axis of every trial. */
  readonly sampleRate?: number;
  /** One name per channel (the first axis of a 2-D trial). */
  readonly channelNames?: readonly string[];
}

/** A sidecar whose content is not the format above. */
export class SidecarFormatError extends FormatError {}

/** `<task>/<array>.json`. */
export function arraySidecarPath(taskRoot: string, arrayName: string): string {
  return joinPath(taskRoot, `${validateId(arrayName, 'array')}.json`);
}

/** Parses a sidecar's text; SidecarFormatError naming `path` for anything else. */
export function parseArraySidecar(text: string, path: string): ArrayMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SidecarFormatError(path, `is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SidecarFormatError(
      path,
      'must hold a JSON object such as {"sample_rate": 2000, "channel_names": ["FDS", "EDC"]}'
    );
  }
  const record = value as Record<string, unknown>;
  return checkedMetadata({ sampleRate: record.sample_rate, channelNames: record.channel_names }, path);
}

/** The sidecar text for `metadata` (checked first), as `json.dump(..., indent=2)` writes it. */
export function formatArraySidecar(metadata: ArrayMetadata, path: string): string {
  const checked = checkedMetadata(metadata, path);
  const record: Record<string, unknown> = {};
  if (checked.sampleRate !== undefined) record.sample_rate = checked.sampleRate;
  if (checked.channelNames !== undefined) record.channel_names = checked.channelNames;
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** SidecarFormatError unless the channel names fit `channels` channels. */
export function checkChannelCount(metadata: ArrayMetadata, channels: number, path: string): void {
  const names = metadata.channelNames;
  if (names !== undefined && names.length !== channels) {
    throw new SidecarFormatError(
      path,
      `channel_names has ${names.length} names but the array has ${channels} channels`
    );
  }
}

function checkedMetadata(metadata: { sampleRate?: unknown; channelNames?: unknown }, path: string): ArrayMetadata {
  const { sampleRate, channelNames } = metadata;
  if (sampleRate !== undefined && (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0)) {
    throw new SidecarFormatError(
      path,
      `sample_rate must be a positive number of samples per second, got ${JSON.stringify(sampleRate)}`
    );
  }
  if (channelNames !== undefined) {
    if (!Array.isArray(channelNames) || channelNames.some(name => typeof name !== 'string')) {
      throw new SidecarFormatError(
        path,
        `channel_names must be a list of strings, got ${JSON.stringify(channelNames)}`
      );
    }
    const seen = new Set<string>();
    for (const name of channelNames as string[]) {
      if (seen.has(name)) throw new SidecarFormatError(path, `channel_names has "${name}" twice`);
      seen.add(name);
    }
  }
  return {
    ...(sampleRate !== undefined ? { sampleRate: sampleRate as number } : {}),
    ...(channelNames !== undefined ? { channelNames: [...(channelNames as string[])] } : {})
  };
}
