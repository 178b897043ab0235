/**
 * How pandas 1.5 types a column built from a Python list (`DataFrame(dict_of_lists)` runs
 * `lib.maybe_convert_objects`), and how `to_csv` then writes each cell of that column.
 */
import { ValueFormatError } from '../errors.js';
import { pythonFloatRepr } from './float-repr.js';

/** A trial attribute value as JavaScript holds it. */
export type CellValue = number | bigint | string | boolean | null | undefined;

/**
 * A pandas column dtype. `uint64` is what pandas gives integers in [2**63, 2**64).
 */
export type ColumnDType = 'int64' | 'uint64' | 'float64' | 'bool' | 'object';

/** A JavaScript value seen as the Python value AxoPy would have been given. */
export type PythonValue =
  | { kind: 'none' }
  | { kind: 'int'; value: bigint | number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'str'; value: string };

const NONE: PythonValue = { kind: 'none' };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Maps a cell to a Python value. JavaScript has one number type, so a safe integer (other
 * than -0) stands for a Python int and anything else for a float; a column declared float64
 * makes every number a float (so 2 is written "2.0"). Integers beyond 2**53 must be bigint.
 */
export function toPythonValue(value: CellValue, numbersAreFloats = false): PythonValue {
  switch (typeof value) {
    case 'number':
      if (!numbersAreFloats && Number.isSafeInteger(value) && !Object.is(value, -0)) {
        return { kind: 'int', value };
      }
      return { kind: 'float', value };
    case 'bigint':
      return numbersAreFloats ? { kind: 'float', value: Number(value) } : { kind: 'int', value };
    case 'boolean':
      return { kind: 'bool', value };
    case 'string':
      return { kind: 'str', value };
    default:
      return NONE;
  }
}

/**
 * The flags of pandas' `Seen` in `maybe_convert_objects`, updated one value at a time, so a
 * column's dtype after any prefix of its values is known without looking back.
 */
export class ColumnDTypeInference {
  private sawNone = false;
  private sawBool = false;
  private sawInt = false;
  private sawFloat = false;
  private sawUnsigned = false;
  private sawSigned = false;
  private sawObject = false;

  /** Records one more value of the column (in row order: pandas' result depends on it). */
  observe(value: PythonValue): void {
    if (this.sawObject) return; // pandas stops scanning at the first object
    switch (value.kind) {
      case 'none':
        this.sawNone = true;
        break;
      case 'bool':
        this.sawBool = true;
        break;
      case 'float':
        this.sawFloat = true;
        break;
      case 'str':
        this.sawObject = true;
        break;
      case 'int':
        this.sawInt = true;
        // pandas skips its int64/uint64 range checks once a None was seen; keep that quirk.
        if (!this.sawNone) this.observeIntegerRange(value.value);
        break;
    }
  }

  private observeIntegerRange(value: bigint | number): void {
    if (typeof value === 'number') {
      // A safe integer is well inside int64: only its sign matters.
      if (value < 0) this.sawSigned = true;
      if (this.sawSigned && this.sawUnsigned) this.sawObject = true;
      return;
    }
    if (value < 0n && value >= INT64_MIN) this.sawSigned = true;
    if (value > INT64_MAX && value <= UINT64_MAX) this.sawUnsigned = true;
    if ((this.sawSigned && this.sawUnsigned) || value > UINT64_MAX || value < INT64_MIN) {
      this.sawObject = true;
    }
  }

  /** The dtype pandas would give the values observed so far. */
  get dtype(): ColumnDType {
    if (this.sawObject) return 'object';
    const numeric = this.sawInt || this.sawFloat;
    if (this.sawNone) return !this.sawBool && numeric ? 'float64' : 'object';
    if (this.sawBool) return numeric ? 'object' : 'bool';
    if (this.sawFloat) return 'float64';
    if (this.sawInt) return this.sawUnsigned ? 'uint64' : 'int64';
    return 'object'; // no values at all
  }
}

/** Python `str()` of a value, as `to_csv` writes cells of an object column. */
function pythonStr(value: PythonValue): string {
  switch (value.kind) {
    case 'none':
      return '';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return String(value.value);
    case 'float':
      return Number.isNaN(value.value) ? '' : pythonFloatRepr(value.value);
    case 'str':
      return value.value;
  }
}

/** The unquoted text `to_csv` writes for a value in a column of the given dtype. */
export function formatCell(value: PythonValue, dtype: ColumnDType): string {
  if (dtype === 'float64') {
    if (value.kind === 'int') return pythonFloatRepr(Number(value.value));
    if (value.kind === 'float') return Number.isNaN(value.value) ? '' : pythonFloatRepr(value.value);
  }
  return pythonStr(value);
}

/**
 * Checks that a value fits a column whose dtype the user declared; pandas could not hold
 * it otherwise (an int64 column has no missing value, a bool column only booleans).
 */
export function checkDeclaredValue(column: string, dtype: ColumnDType, value: PythonValue): void {
  const fits =
    dtype === 'object' ||
    (dtype === 'float64' && (value.kind === 'float' || value.kind === 'none')) ||
    (dtype === 'bool' && value.kind === 'bool') ||
    (dtype === 'int64' &&
      value.kind === 'int' &&
      BigInt(value.value) >= INT64_MIN &&
      BigInt(value.value) <= INT64_MAX) ||
    (dtype === 'uint64' && value.kind === 'int' && BigInt(value.value) >= 0n && BigInt(value.value) <= UINT64_MAX);
  if (!fits) {
    const shown = value.kind === 'none' ? 'a missing value' : `${value.kind} ${pythonStr(value)}`;
    throw new ValueFormatError(`column "${column}" is declared ${dtype} but got ${shown}`);
  }
}

/**
 * Quotes a field the way Python's csv module does for pandas (QUOTE_MINIMAL), plus `\r`:
 * Python 3.11 leaves a bare `\r` unquoted when the line terminator is `\n`, and
 * pandas.read_csv then splits that row in two, so this project quotes it.
 */
export function quoteField(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

/**
 * Joins quoted fields into one line. Python's csv writer quotes a record made of a single
 * empty field (`""`) so that it is not an empty line.
 */
export function joinRecord(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""\n';
  return `${fields.map(quoteField).join(',')}\n`;
}
