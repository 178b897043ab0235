/**
 * What h5wasm reports, read the same way in Node (the kernel) and in the browser (the preview
 * worker): a dataset's type description and the reason of an HDF5 error.
 */
import { type Hdf5TypeDescription, describeHdf5Type, dtypeForHdf5Type } from './dtype.js';

/** The part of h5wasm's dataset metadata that says what type its elements have. */
export interface H5TypeMetadata {
  type: number;
  size: number;
  signed: boolean;
  enum_type?: { members: Record<string, number>; type: number };
}

/** The type description the dtype mapping reads, from h5wasm's metadata. */
export function hdf5TypeOfMetadata(metadata: H5TypeMetadata): Hdf5TypeDescription {
  return {
    typeClass: metadata.type,
    size: metadata.size,
    signed: metadata.signed,
    enumMembers: metadata.enum_type?.members,
    enumBaseClass: metadata.enum_type?.type
  };
}

/** The dtype a dataset reads as ("float64"...), or HDF5's description of a type no reader takes. */
export function dtypeNameOfMetadata(metadata: H5TypeMetadata): string {
  const type = hdf5TypeOfMetadata(metadata);
  return dtypeForHdf5Type(type) ?? describeHdf5Type(type);
}

/**
 * The innermost message of an h5wasm/HDF5 error ("truncated file: eof = 100, ...", "file
 * signature not found"), for our own error messages; HDF5's full stack is dozens of lines.
 */
export function hdf5ErrorReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const frames = text.split('\n').filter(line => /^\s*#\d+:/.test(line));
  const innermost = frames.length > 0 ? frames[frames.length - 1] : text.split('\n')[0];
  // "H5Dread(): reason": after a function's empty parentheses only, so a reason that itself
  // holds "(...): " (a refusal naming a virtual dataset's sources) is kept whole.
  const reason = /\w\(\):\s*(.*)$/.exec(innermost);
  return (reason ? reason[1] : innermost).trim();
}
