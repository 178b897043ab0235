/**
 * The pickle reader: a stack machine over the opcodes of protocols 0-5 that builds data and
 * never executes anything (see globals.ts for the only calls it makes).
 */
import { AxoPyError, UnsafePickleError } from '../errors.js';
import { ByteCursor, decodeQuotedString, decodeRawUnicodeEscape } from './byte-cursor.js';
import { finalizeValue } from './finalize.js';
import { callGlobal, instantiate, resolveGlobal } from './globals.js';
import { NumpyDType, PendingNDArray } from './numpy.js';
import { Op } from './opcodes.js';
import { intFromBigInt, PyFrozenSet, PyObject, PyTuple, type PickleValue } from './values.js';

/**
 * Reads a pickle of plain data (protocols 0-5, as written by `pickle.dump` and AxoPy's
 * `TaskWriter.pickle`), mapped to JavaScript as {@link PickleValue} describes. NEVER executes
 * anything: numpy arrays, sets, bytes, complex numbers and OrderedDicts are rebuilt by
 * JavaScript stand-ins; instances of other classes become inert {@link PyObject}s.
 *
 * @param bytes the whole `.pkl` file
 * @param path the file's path, used in error messages only
 * @throws UnsafePickleError naming the global when the pickle names code (`os.system`,
 *   `builtins.eval`, ...) or asks to call anything outside the allow-list, or uses persistent
 *   ids or the extension registry
 * @throws FormatError when the bytes are truncated or not a well-formed pickle
 */
export function loadPickle(bytes: Uint8Array, path: string): PickleValue {
  const cursor = new ByteCursor(bytes, path);
  try {
    return finalizeValue(new UnpicklingMachine(cursor).run(), path);
  } catch (error) {
    if (error instanceof AxoPyError) throw error;
    throw cursor.error(error instanceof Error ? error.message : String(error));
  }
}

/** Python's `_Unpickler` state: the stack, the stacks saved by MARK, and the memo. */
class UnpicklingMachine {
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(private readonly cursor: ByteCursor) {}

  run(): unknown {
    for (;;) {
      const opcode = this.cursor.uint8();
      if (opcode === Op.STOP) return this.pop();
      if (!this.readScalar(opcode) && !this.readContainer(opcode) && !this.readObject(opcode)) {
        this.cursor.position--;
        throw this.cursor.error(`unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`);
      }
    }
  }

  /** Reads this.stack only after the argument ran, which may have popped to a MARK. */
  private push(value: unknown): void {
    this.stack.push(value);
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw this.cursor.error('stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) throw this.cursor.error('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** The items pushed since the last MARK; restores the stack from before it. */
  private popMark(): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) throw this.cursor.error('no MARK to pop to');
    this.stack = outer;
    return items;
  }

  private memoGet(index: number): void {
    if (!this.memo.has(index)) throw this.cursor.error(`memo entry ${index} was never stored`);
    this.push(this.memo.get(index));
  }

  /** Numbers, strings, bytes, stack and memo bookkeeping. Returns false for other opcodes. */
  private readScalar(opcode: number): boolean {
    const { cursor } = this;
    switch (opcode) {
      case Op.PROTO: {
        const protocol = cursor.uint8();
        if (protocol > 5) throw cursor.error(`unsupported pickle protocol ${protocol}`);
        return true;
      }
      case Op.FRAME:
        cursor.uint64();
        return true; // frames only batch reads; contents follow inline
      case Op.MARK:
        this.metastack.push(this.stack);
        this.stack = [];
        return true;
      case Op.POP:
        if (this.stack.length) this.stack.pop();
        else this.popMark();
        return true;
      case Op.POP_MARK:
        this.popMark();
        return true;
      case Op.DUP:
        this.push(this.top());
        return true;
      case Op.PUT:
        this.memo.set(parseDecimal(cursor.line(), cursor, 'PUT'), this.top());
        return true;
      case Op.BINPUT:
        this.memo.set(cursor.uint8(), this.top());
        return true;
      case Op.LONG_BINPUT:
        this.memo.set(cursor.uint32(), this.top());
        return true;
      case Op.MEMOIZE:
        this.memo.set(this.memo.size, this.top());
        return true;
      case Op.GET:
        this.memoGet(parseDecimal(cursor.line(), cursor, 'GET'));
        return true;
      case Op.BINGET:
        this.memoGet(cursor.uint8());
        return true;
      case Op.LONG_BINGET:
        this.memoGet(cursor.uint32());
        return true;
      case Op.NONE:
        this.push(null);
        return true;
      case Op.NEWTRUE:
        this.push(true);
        return true;
      case Op.NEWFALSE:
        this.push(false);
        return true;
      case Op.INT:
        this.push(parseIntLine(cursor.line(), cursor));
        return true;
      case Op.LONG:
        this.push(intFromBigInt(parseDecimal(cursor.line().replace(/L$/, ''), cursor, 'LONG', true)));
        return true;
      case Op.BININT:
        this.push(cursor.int32());
        return true;
      case Op.BININT1:
        this.push(cursor.uint8());
        return true;
      case Op.BININT2:
        this.push(cursor.uint16());
        return true;
      case Op.LONG1:
        this.push(decodeLong(cursor.bytesCopy(cursor.uint8())));
        return true;
      case Op.LONG4:
        this.push(decodeLong(cursor.bytesCopy(nonNegative(cursor.int32(), cursor))));
        return true;
      case Op.FLOAT:
        this.push(parseFloatLine(cursor.line(), cursor));
        return true;
      case Op.BINFLOAT:
        this.push(cursor.float64BigEndian());
        return true;
      case Op.STRING:
        this.push(decodeQuotedString(cursor.line(), cursor));
        return true;
      case Op.BINSTRING:
        this.push(cursor.latin1(nonNegative(cursor.int32(), cursor)));
        return true;
      case Op.SHORT_BINSTRING:
        this.push(cursor.latin1(cursor.uint8()));
        return true;
      case Op.UNICODE:
        this.push(decodeRawUnicodeEscape(cursor.line()));
        return true;
      case Op.BINUNICODE:
        this.push(cursor.utf8(cursor.uint32()));
        return true;
      case Op.SHORT_BINUNICODE:
        this.push(cursor.utf8(cursor.uint8()));
        return true;
      case Op.BINUNICODE8:
        this.push(cursor.utf8(cursor.uint64()));
        return true;
      case Op.BINBYTES:
        this.push(cursor.bytesCopy(cursor.uint32()));
        return true;
      case Op.SHORT_BINBYTES:
        this.push(cursor.bytesCopy(cursor.uint8()));
        return true;
      case Op.BINBYTES8:
        this.push(cursor.bytesCopy(cursor.uint64()));
        return true;
      case Op.BYTEARRAY8:
        this.push(cursor.bytesCopy(cursor.uint64()));
        return true;
      case Op.READONLY_BUFFER:
        this.top();
        return true;
      case Op.NEXT_BUFFER:
        throw cursor.error('out-of-band buffers (pickle protocol 5 buffer_callback) cannot be read from a file');
      default:
        return false;
    }
  }

  /** Tuples, lists, dicts and sets. Returns false for other opcodes. */
  private readContainer(opcode: number): boolean {
    switch (opcode) {
      case Op.EMPTY_TUPLE:
        this.push(new PyTuple());
        return true;
      case Op.TUPLE:
        this.push(openTuple(this.popMark()));
        return true;
      case Op.TUPLE1:
        this.push(openTuple([this.pop()]));
        return true;
      case Op.TUPLE2: {
        const b = this.pop();
        const a = this.pop();
        this.push(openTuple([a, b]));
        return true;
      }
      case Op.TUPLE3: {
        const c = this.pop();
        const b = this.pop();
        const a = this.pop();
        this.push(openTuple([a, b, c]));
        return true;
      }
      case Op.EMPTY_LIST:
        this.push([]);
        return true;
      case Op.LIST:
        this.push(this.popMark());
        return true;
      case Op.APPEND: {
        const item = this.pop();
        this.append(this.top(), [item]);
        return true;
      }
      case Op.APPENDS: {
        const items = this.popMark();
        this.append(this.top(), items);
        return true;
      }
      case Op.EMPTY_DICT:
        this.push(new Map());
        return true;
      case Op.DICT: {
        const dict = new Map();
        this.setItems(dict, this.popMark());
        this.push(dict);
        return true;
      }
      case Op.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        this.setItems(this.top(), [key, value]);
        return true;
      }
      case Op.SETITEMS: {
        const items = this.popMark();
        this.setItems(this.top(), items);
        return true;
      }
      case Op.EMPTY_SET:
        this.push(new Set());
        return true;
      case Op.ADDITEMS: {
        const items = this.popMark();
        this.addItems(this.top(), items);
        return true;
      }
      case Op.FROZENSET: {
        const items = this.popMark();
        items.forEach(item => this.checkHashable(item));
        this.push(new PyFrozenSet(items));
        return true;
      }
      default:
        return false;
    }
  }

  private append(target: unknown, items: unknown[]): void {
    const list = target instanceof PyObject ? target.listItems : target;
    if (!Array.isArray(list) || list instanceof PyTuple)
      throw this.cursor.error('APPEND to something that is not a list');
    for (const item of items) list.push(item);
  }

  private setItems(target: unknown, keysAndValues: unknown[]): void {
    const dict = target instanceof PyObject ? target.dictItems : target;
    if (!(dict instanceof Map)) throw this.cursor.error('SETITEM on something that is not a dict');
    if (keysAndValues.length % 2) throw this.cursor.error('SETITEMS with an odd number of keys and values');
    for (let i = 0; i < keysAndValues.length; i += 2) {
      (dict as Map<unknown, unknown>).set(this.checkHashable(keysAndValues[i]), keysAndValues[i + 1]);
    }
  }

  private addItems(target: unknown, items: unknown[]): void {
    if (!(target instanceof Set) || target instanceof PyFrozenSet)
      throw this.cursor.error('ADDITEMS to something that is not a set');
    for (const item of items) target.add(this.checkHashable(item));
  }

  /** Python refuses lists, dicts and sets as keys or set members; so does the reader. */
  private checkHashable(key: unknown): unknown {
    const mutable =
      (Array.isArray(key) && !(key instanceof PyTuple)) ||
      key instanceof Map ||
      (key instanceof Set && !(key instanceof PyFrozenSet));
    if (mutable) throw this.cursor.error('unhashable dict key or set member');
    return key;
  }

  /** Globals, calls of allow-listed globals, instances and their state. False for other opcodes. */
  private readObject(opcode: number): boolean {
    const { cursor } = this;
    const path = cursor.path;
    switch (opcode) {
      case Op.GLOBAL: {
        const module = cursor.utf8Line();
        this.push(resolveGlobal(module, cursor.utf8Line(), path));
        return true;
      }
      case Op.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw cursor.error('STACK_GLOBAL needs two str');
        this.push(resolveGlobal(module, name, path));
        return true;
      }
      case Op.REDUCE: {
        const args = this.argsOf(this.pop());
        this.push(callGlobal(this.pop(), args, path));
        return true;
      }
      case Op.INST: {
        const module = cursor.utf8Line();
        const callee = resolveGlobal(module, cursor.utf8Line(), path);
        this.push(callGlobal(callee, this.popMark(), path));
        return true;
      }
      case Op.OBJ: {
        const [callee, ...args] = this.popMark();
        this.push(callGlobal(callee, args, path));
        return true;
      }
      case Op.NEWOBJ: {
        const args = this.argsOf(this.pop());
        this.push(instantiate(this.pop(), args, path));
        return true;
      }
      case Op.NEWOBJ_EX: {
        const keywords = this.pop();
        const args = this.argsOf(this.pop());
        if (!(keywords instanceof Map) || keywords.size > 0)
          throw cursor.error('NEWOBJ_EX with keyword arguments is not supported');
        this.push(instantiate(this.pop(), args, path));
        return true;
      }
      case Op.BUILD: {
        const state = this.pop();
        this.build(this.top(), state);
        return true;
      }
      case Op.PERSID:
      case Op.BINPERSID:
      case Op.EXT1:
      case Op.EXT2:
      case Op.EXT4:
        throw new UnsafePickleError(
          path,
          'refuses persistent ids and the copyreg extension registry: they resolve objects by running code'
        );
      default:
        return false;
    }
  }

  private argsOf(value: unknown): unknown[] {
    if (!(value instanceof PyTuple)) throw this.cursor.error('call arguments are not a tuple');
    return value;
  }

  /** BUILD: `__setstate__` of a numpy array or dtype, or the state of an inert instance. */
  private build(target: unknown, state: unknown): void {
    if (target instanceof PendingNDArray || target instanceof NumpyDType) {
      if (!(state instanceof PyTuple)) throw this.cursor.error('numpy state is not a tuple');
      if (target instanceof PendingNDArray) target.state = state;
      else if (typeof state[1] === 'string') target.byteOrder = state[1];
    } else if (target instanceof PyObject) {
      target.state = state as PickleValue;
    } else {
      throw this.cursor.error('BUILD on a value that is not an object instance');
    }
  }
}

/** A tuple whose items finalizeValue may still replace; it freezes every tuple at the end. */
function openTuple(items: unknown[]): PyTuple<unknown> {
  const tuple = new PyTuple<unknown>();
  for (const item of items) tuple.push(item);
  return tuple;
}

/** LONG1 / LONG4 payload: a little-endian two's complement integer. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  // Through hex rather than shift-and-or per byte, which is quadratic in the length.
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += HEX_BYTE[bytes[i]];
  let value = BigInt(`0x${hex}`);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return intFromBigInt(value);
}

const HEX_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function nonNegative(length: number, cursor: ByteCursor): number {
  if (length < 0) throw cursor.error(`negative length ${length}`);
  return length;
}

function parseDecimal(text: string, cursor: ByteCursor, opcode: string): number;
function parseDecimal(text: string, cursor: ByteCursor, opcode: string, big: true): bigint;
function parseDecimal(text: string, cursor: ByteCursor, opcode: string, big = false): number | bigint {
  // Python 3.11+ refuses int() of more than 4300 digits (quadratic time); so does the reader.
  if (!/^\s*[+-]?\d{1,4300}\s*$/.test(text))
    throw cursor.error(`${opcode} argument ${JSON.stringify(text.slice(0, 40))} is not an integer`);
  return big ? BigInt(text.trim()) : Number(text);
}

/** Protocol 0 INT: `I01`/`I00` are Python 2.2's True/False, anything else an int. */
function parseIntLine(text: string, cursor: ByteCursor): number | bigint | boolean {
  if (text === '01') return true;
  if (text === '00') return false;
  return intFromBigInt(parseDecimal(text, cursor, 'INT', true));
}

const SPECIAL_FLOATS = new Map([
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['nan', NaN],
  ['+nan', NaN],
  ['-nan', NaN]
]);

/** Protocol 0 FLOAT: Python's `repr(float)`, including `inf` and `nan`. */
function parseFloatLine(text: string, cursor: ByteCursor): number {
  const lower = text.trim().toLowerCase().replace('infinity', 'inf');
  const special = SPECIAL_FLOATS.get(lower);
  if (special !== undefined) return special;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower))
    throw cursor.error(`FLOAT argument ${JSON.stringify(text)} is not a number`);
  return Number(lower);
}
