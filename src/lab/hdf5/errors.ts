/**
 * Typed errors across the worker boundary: postMessage's structured clone keeps only an Error's
 * message (and not its class or fields), so the worker sends name, message and own fields and
 * the page rebuilds an instance of the same class (core/errors.ts), `instanceof` included.
 */
import { axopyErrorClass } from '../../core/errors.js';

/** An error as it crosses postMessage. */
export interface ISerializedError {
  readonly name: string;
  readonly message: string;
  /** Own enumerable fields (path, dataset, ...), when they clone. */
  readonly fields: Record<string, unknown>;
}

/** The error as data. */
export function serializeError(error: unknown): ISerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'name' && key !== 'message' && key !== 'stack' && isCloneable(value)) fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

function isCloneable(value: unknown): boolean {
  return (
    value === null ||
    ['string', 'number', 'boolean'].includes(typeof value) ||
    (typeof value === 'object' && !(value instanceof Error))
  );
}

/** The error again, as an instance of its class when it is one of the project's typed errors. */
export function deserializeError(serialized: ISerializedError): Error {
  const errorClass = axopyErrorClass(serialized.name);
  const error: Error = Object.create((errorClass ?? Error).prototype as object) as Error;
  Object.defineProperty(error, 'message', { value: serialized.message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  Object.assign(error, serialized.fields);
  return error;
}
