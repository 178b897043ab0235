/**
 * Which Python globals a pickle may name, and what the few callable ones do. Safety rests on
 * one rule: the reader only ever calls the JavaScript stand-ins in {@link ALLOWED_CALLS}, which
 * build data; any other global is at most kept as an inert {@link PyGlobal} / {@link PyObject}.
 * Globals from modules that exist to run code are refused outright, so such a pickle fails
 * with a clear {@link UnsafePickleError} even where the name would only have been stored.
 */
import { UnsafePickleError } from '../errors.js';
import { copyBytes } from './byte-cursor.js';
import { NumpyDType, PendingNDArray, ndarrayFromRaw, scalarFromRaw } from './numpy.js';
import { PyComplex, PyFrozenSet, PyGlobal, PyObject } from './values.js';

/** A stand-in for an allow-listed Python callable; throws a plain Error on bad arguments. */
type StandIn = (args: readonly unknown[]) => unknown;

/** Python 2 module names that protocols 0-2 write for Python 3 ones (`fix_imports`). */
const MODULE_ALIASES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg'
};

function expectString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a str`);
  return value;
}

function expectBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Error(`${what} must be bytes`);
  return value;
}

function expectItems(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be a list or tuple`);
  return value;
}

function expectDType(value: unknown): NumpyDType {
  if (!(value instanceof NumpyDType)) throw new Error('numpy dtype argument is not a dtype');
  return value;
}

function expectShape(value: unknown): number[] {
  const shape = expectItems(value, 'numpy shape');
  if (!shape.every(n => Number.isSafeInteger(n) && (n as number) >= 0))
    throw new Error('numpy shape is not a tuple of sizes');
  return shape as number[];
}

/** `_codecs.encode(text, 'latin1')`: how protocols 0-2 spell bytes. */
function latin1Bytes(args: readonly unknown[]): Uint8Array {
  const text = expectString(args[0], '_codecs.encode argument');
  const encoding = args[1] === undefined ? 'utf-8' : expectString(args[1], '_codecs.encode encoding');
  if (!/^latin[-_]?1$|^iso[-_]?8859[-_]1$/i.test(encoding))
    throw new Error(`_codecs.encode to ${encoding} is not supported`);
  return Uint8Array.from(text, ch => {
    const code = ch.charCodeAt(0);
    if (code > 0xff) throw new Error('_codecs.encode argument is not latin-1');
    return code;
  });
}

/** `bytes()` / `bytearray()` with no argument, bytes, or (str, 'latin-1'). */
function bytesFromArgs(args: readonly unknown[]): Uint8Array {
  if (args.length === 0) return new Uint8Array(0);
  if (typeof args[0] === 'string') return latin1Bytes(args);
  return copyBytes(expectBytes(args[0], 'bytes argument'));
}

function numpyScalar(args: readonly unknown[]): unknown {
  const dtype = expectDType(args[0]);
  const raw = args[1] instanceof Uint8Array ? args[1] : latin1Bytes([args[1], 'latin1']);
  return scalarFromRaw(dtype, raw) ?? new PyObject('numpy.scalar', [dtype.descr, raw]);
}

/** `_frombuffer(buffer, dtype, shape, order)`: protocol 5's spelling of an array. */
function numpyFromBuffer(args: readonly unknown[]): unknown {
  const raw = expectBytes(args[0], 'numpy buffer');
  const dtype = expectDType(args[1]);
  const shape = expectShape(args[2]);
  return ndarrayFromRaw(dtype, shape, raw, args[3] === 'F') ?? new PyObject('numpy.ndarray', [dtype.descr, shape]);
}

/** `copyreg._reconstructor(cls, base, state)`: protocols 0-1 spelling of an instance. */
function reconstructInstance(args: readonly unknown[]): PyObject {
  if (!(args[0] instanceof PyGlobal)) throw new Error('copyreg._reconstructor needs a class');
  const baseState = args[2] === null || args[2] === undefined ? [] : [args[2]];
  return new PyObject(args[0].qualifiedName, baseState as unknown as PyObject['args']);
}

const reconstructArray: StandIn = () => new PendingNDArray();

/** Every Python callable the reader will run, as data-building JavaScript. */
const ALLOWED_CALLS: Readonly<Record<string, StandIn>> = {
  'builtins.set': args => new Set(args.length ? expectItems(args[0], 'set argument') : []),
  'builtins.frozenset': args => new PyFrozenSet(args.length ? expectItems(args[0], 'frozenset argument') : []),
  'builtins.bytes': bytesFromArgs,
  'builtins.bytearray': bytesFromArgs,
  'builtins.complex': args => {
    const [real, imag] = args;
    if (typeof real !== 'number' || (imag !== undefined && typeof imag !== 'number'))
      throw new Error('complex needs floats');
    return new PyComplex(real, imag ?? 0);
  },
  '_codecs.encode': latin1Bytes,
  'collections.OrderedDict': args => {
    if (args.length) throw new Error('OrderedDict with arguments is not supported');
    return new Map();
  },
  'copyreg._reconstructor': reconstructInstance,
  'numpy.dtype': args => new NumpyDType(expectString(args[0], 'numpy dtype descriptor')),
  'numpy.core.multiarray._reconstruct': reconstructArray,
  'numpy._core.multiarray._reconstruct': reconstructArray,
  'numpy.core.multiarray.scalar': numpyScalar,
  'numpy._core.multiarray.scalar': numpyScalar,
  'numpy.core.numeric._frombuffer': numpyFromBuffer,
  'numpy._core.numeric._frombuffer': numpyFromBuffer
};

/** Built-in classes that may be named (as a base class or value) but are never called. */
const INERT_BUILTINS = new Set(['object', 'list', 'dict', 'tuple', 'int', 'float', 'str', 'bool', 'NoneType']);

/** Modules whose globals exist to run code, touch the system or load more pickles. */
const REFUSED_MODULES = new Set([
  'os',
  'posix',
  'nt',
  'subprocess',
  'sys',
  'shutil',
  'socket',
  'ctypes',
  'runpy',
  'code',
  'codeop',
  'pty',
  'webbrowser',
  'multiprocessing',
  'asyncio',
  'signal',
  'threading',
  '_thread',
  'io',
  '_io',
  'types',
  'functools',
  'operator',
  'inspect',
  'marshal',
  'pickle',
  '_pickle',
  'pdb',
  'timeit',
  'importlib',
  'pkgutil',
  'zipimport',
  'site',
  'tempfile',
  'pathlib',
  'glob',
  'platform',
  'shelve',
  'commands',
  'popen2',
  'dill',
  'cloudpickle',
  'joblib',
  'torch',
  'posixpath',
  'ntpath',
  'tkinter',
  'ensurepip',
  'venv',
  'distutils',
  'setuptools',
  'pip',
  'numpy.testing',
  'numpy.f2py',
  'numpy.distutils',
  'numpy.lib.npyio',
  'ssl',
  'http',
  'urllib',
  'ftplib',
  'smtplib'
]);

function isRefusedModule(module: string): boolean {
  for (let prefix = module; ; prefix = prefix.slice(0, prefix.lastIndexOf('.'))) {
    if (REFUSED_MODULES.has(prefix)) return true;
    if (!prefix.includes('.')) return false;
  }
}

/** A global the reader may hold: inert, or with a stand-in it may call. */
export class ResolvedGlobal extends PyGlobal {
  constructor(
    module: string,
    name: string,
    readonly standIn: StandIn | undefined
  ) {
    super(module, name);
  }
}

/**
 * Resolves `module.name` from a GLOBAL, STACK_GLOBAL or INST opcode, refusing names that
 * could run code. Nothing is imported.
 */
export function resolveGlobal(rawModule: string, name: string, path: string): ResolvedGlobal {
  const module = MODULE_ALIASES[rawModule] ?? rawModule;
  const qualifiedName = `${module}.${name}`;
  const standIn = Object.prototype.hasOwnProperty.call(ALLOWED_CALLS, qualifiedName)
    ? ALLOWED_CALLS[qualifiedName]
    : undefined;
  if (standIn) return new ResolvedGlobal(module, name, standIn);
  const harmlessBuiltin = module === 'builtins' && INERT_BUILTINS.has(name);
  if ((module === 'builtins' && !harmlessBuiltin) || isRefusedModule(module) || !isIdentifierPath(module, name)) {
    throw new UnsafePickleError(
      path,
      `refuses the global ${qualifiedName}: it could run code; only plain data is read`
    );
  }
  return new ResolvedGlobal(module, name, undefined);
}

function isIdentifierPath(module: string, name: string): boolean {
  const identifiers = /^[\p{L}_][\p{L}\p{N}_]*(\.[\p{L}_][\p{L}\p{N}_]*)*$/u;
  return identifiers.test(module) && identifiers.test(name);
}

/**
 * REDUCE / INST / OBJ: calls the global's stand-in, or refuses. Instances of other classes
 * come through NEWOBJ, which never needs a call (see {@link instantiate}).
 */
export function callGlobal(callee: unknown, args: readonly unknown[], path: string): unknown {
  if (!(callee instanceof ResolvedGlobal)) {
    throw new UnsafePickleError(path, 'refuses to call a value that is not an allow-listed global');
  }
  if (!callee.standIn) {
    throw new UnsafePickleError(
      path,
      `refuses to call ${callee.qualifiedName}: only numpy, set, bytes, complex and OrderedDict constructors are run`
    );
  }
  return callee.standIn(args);
}

/** NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args)`, kept as an inert PyObject for other classes. */
export function instantiate(cls: unknown, args: readonly unknown[], path: string): unknown {
  if (!(cls instanceof ResolvedGlobal)) throw new UnsafePickleError(path, 'NEWOBJ of a value that is not a class');
  if (cls.standIn) return cls.standIn(args);
  return new PyObject(cls.qualifiedName, [...args] as PyObject['args']);
}
