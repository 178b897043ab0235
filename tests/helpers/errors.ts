/** Assertion helpers for the project's typed errors. */

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * A predicate for assert.throws/rejects: the error is a `type`, its message names `path` (and
 * its `path` property is that path, when the class has one), and it matches `pattern` if given.
 */
export function errorNaming(type: ErrorClass, path: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown): boolean => {
    if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`);
    if (!error.message.includes(path)) throw new Error(`the message does not name ${path}: ${error.message}`);
    const own = (error as { path?: unknown }).path;
    if (own !== undefined && own !== path) throw new Error(`error.path is ${String(own)}, expected ${path}`);
    if (pattern && !pattern.test(error.message))
      throw new Error(`the message does not match ${pattern}: ${error.message}`);
    return true;
  };
}
