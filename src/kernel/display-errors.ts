/**
 * Errors in notebooks: tslab prints a failed cell's error with `console.error(error)`, which
 * shows the whole stack trace through this package's internals. For the errors this project
 * raises on purpose (typed, with a message naming the file or id), that trace only hides the
 * one line the user needs, so the kernel launcher shortens them to `Name: message`.
 */
import { AxoPyError } from '../core/errors.js';

/** The one-line form of an error this project raises on purpose, else undefined. */
export function conciseErrorLine(error: unknown): string | undefined {
  if (!(error instanceof AxoPyError)) {
    return undefined;
  }
  const cause = error.cause instanceof Error ? ` (caused by ${error.cause.name}: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`.replace(/\s*\n\s*/g, ' ');
}

/** The part of `Console` that {@link installConciseErrors} replaces. */
export interface ErrorConsole {
  error(...args: unknown[]): void;
}

/**
 * Makes `target.error` print project errors ({@link AxoPyError} and subclasses) as one line
 * `Name: message` instead of a stack trace; every other argument is passed through unchanged,
 * so bugs (TypeError, RangeError, ...) keep their stack. Returns a function that restores the
 * original. The tslab kernel launcher calls it on `console` before tslab captures
 * `console.error`.
 */
export function installConciseErrors(target: ErrorConsole = console): () => void {
  const original = target.error;
  target.error = function errorWithConciseProjectErrors(...args: unknown[]): void {
    const shortened = args.map(arg => conciseErrorLine(arg) ?? arg);
    original.apply(target, shortened);
  };
  return () => {
    target.error = original;
  };
}
