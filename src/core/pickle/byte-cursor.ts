/**
 * Bounds-checked reading of a pickle's bytes, and the text encodings pickle uses: UTF-8 with
 * lone surrogates allowed ("surrogatepass"), and protocol 0's escaped text lines.
 */
import { FormatError } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Reads forward through a pickle; every read past the end is a FormatError naming the path. */
export class ByteCursor {
  position = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly path: string
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A FormatError at the current position. */
  error(problem: string): FormatError {
    return new FormatError(this.path, `${problem} (pickle byte ${this.position})`);
  }

  private take(length: number): number {
    const start = this.position;
    if (!Number.isSafeInteger(length) || length < 0 || start + length > this.bytes.length) {
      throw this.error(`truncated: needs ${length} more bytes, has ${this.bytes.length - start}`);
    }
    this.position = start + length;
    return start;
  }

  uint8(): number {
    return this.bytes[this.take(1)];
  }
  uint16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  int32(): number {
    return this.view.getInt32(this.take(4), true);
  }
  uint32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  /** A 64-bit length; lengths beyond 2**53 cannot fit in memory anyway and are refused. */
  uint64(): number {
    const value = this.view.getBigUint64(this.take(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.error(`length ${value} is too large`);
    return Number(value);
  }
  /** BINFLOAT is the one big-endian field of the format. */
  float64BigEndian(): number {
    return this.view.getFloat64(this.take(8), false);
  }
  /** A copy, so the value does not keep the whole file alive or alias it. */
  bytesCopy(length: number): Uint8Array {
    const start = this.take(length);
    return copyBytes(this.bytes.subarray(start, start + length));
  }
  utf8(length: number): string {
    const start = this.take(length);
    return decodeUtf8(this.bytes.subarray(start, start + length), this);
  }
  latin1(length: number): string {
    const start = this.take(length);
    return latin1.decode(this.bytes.subarray(start, start + length));
  }
  /** A protocol-0 argument: bytes up to the next newline, as latin-1 text. */
  line(): string {
    return latin1.decode(this.lineBytes());
  }
  /** A module or class name line of GLOBAL / INST, which Python decodes as UTF-8. */
  utf8Line(): string {
    return decodeUtf8(this.lineBytes(), this);
  }
  private lineBytes(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw this.error('truncated: line without a newline');
    const line = this.bytes.subarray(this.position, end);
    this.position = end + 1;
    return line;
  }
}

/**
 * A plain Uint8Array with its own buffer. (`slice` is not enough: on a Node Buffer it returns
 * a view into Node's shared pool.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/** Python's `str.encode('utf-8', 'surrogatepass')`, which pickle uses for every str. */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8, accepting encoded lone surrogates as Python's surrogatepass does. */
function decodeUtf8(bytes: Uint8Array, cursor: ByteCursor): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeUtf8Surrogatepass(bytes, cursor);
  }
}

function decodeUtf8Surrogatepass(bytes: Uint8Array, cursor: ByteCursor): string {
  let text = '';
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    const length = lead < 0x80 ? 1 : lead >= 0xf0 && lead < 0xf8 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (length === 0 || i + length > bytes.length) throw cursor.error('str is not valid UTF-8');
    let code = length === 1 ? lead : lead & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) throw cursor.error('str is not valid UTF-8');
      code = (code << 6) | (next & 0x3f);
    }
    text += String.fromCodePoint(code);
    i += length;
  }
  return text;
}

/** Protocol 0 UNICODE argument: raw-unicode-escape (latin-1 bytes plus \uXXXX, \UXXXXXXXX). */
export function decodeRawUnicodeEscape(line: string): string {
  return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_escape, short?: string, long?: string) =>
    String.fromCodePoint(parseInt(short ?? long ?? '', 16))
  );
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v'
};

/** Protocol 0 STRING argument: a Python 2 `repr` of a byte string, quotes included. */
export function decodeQuotedString(line: string, cursor: ByteCursor): string {
  const quote = line[0];
  if (line.length < 2 || (quote !== "'" && quote !== '"') || line[line.length - 1] !== quote) {
    throw cursor.error('STRING argument is not quoted');
  }
  return line.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_escape, body: string) => {
    if (body[0] === 'x') return String.fromCharCode(parseInt(body.slice(1), 16));
    if (/^[0-7]/.test(body)) return String.fromCharCode(parseInt(body, 8) & 0xff);
    return SIMPLE_ESCAPES[body] ?? `\\${body}`;
  });
}
