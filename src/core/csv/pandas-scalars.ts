/**
 * The scalar parsers of pandas 1.5's C reader (`pandas/_libs/src/parser/tokenizer.c`),
 * re-implemented so that values read here equal pandas' own, including where pandas is not
 * correctly rounded (its default float parser, `precise_xstrtod`, scales a 17-digit mantissa
 * by a power of ten in double arithmetic: about 30% of random doubles read back 1 ulp off).
 */

/** `read_csv`'s default NA strings (pandas._libs.parsers.STR_NA_VALUES in pandas 1.5.3). */
export const PANDAS_NA_STRINGS: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'n/a',
  'nan',
  'null'
]);

/** C `isspace` in the "C" locale, which pandas uses around numbers. */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Outcome of pandas' `str_to_int64` / `str_to_uint64` on one word. */
export type IntegerScan =
  { status: 'ok'; negative: boolean; digits: string } | { status: 'invalid' } | { status: 'overflow' };

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';
const UINT64_MAX_DIGITS = '18446744073709551615';

/** Whether a digit string (no leading zeros) exceeds a limit given as digits. */
function exceeds(digits: string, limit: string): boolean {
  return digits.length > limit.length || (digits.length === limit.length && digits > limit);
}

/**
 * Scans `[spaces][+|-]digits[spaces]`. Overflow is decided by the digit run alone, before
 * trailing characters are looked at, as pandas does.
 */
function scanDigits(word: string, unsigned: boolean): IntegerScan | 'negative' {
  let i = 0;
  while (i < word.length && isAsciiSpace(word.charCodeAt(i))) i++;
  let negative = false;
  const sign = word.charCodeAt(i);
  if (sign === 45) {
    if (unsigned) return 'negative';
    negative = true;
    i++;
  } else if (sign === 43) {
    i++;
  }
  if (!isDigit(word.charCodeAt(i))) return { status: 'invalid' };
  while (word.charCodeAt(i) === 48 && isDigit(word.charCodeAt(i + 1))) i++; // leading zeros
  const start = i;
  while (isDigit(word.charCodeAt(i))) i++;
  const digits = word.slice(start, i);
  const limit = unsigned ? UINT64_MAX_DIGITS : negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS;
  if (exceeds(digits, limit)) return { status: 'overflow' };
  while (i < word.length && isAsciiSpace(word.charCodeAt(i))) i++;
  if (i < word.length) return { status: 'invalid' };
  return { status: 'ok', negative: negative && digits !== '0', digits };
}

/** pandas' `str_to_int64`. */
export function scanInt64(word: string): IntegerScan {
  return scanDigits(word, false) as IntegerScan;
}

/**
 * pandas' `str_to_uint64`: a leading `-` is not an error but only marks that a signed value
 * was seen (whatever follows it).
 */
export function scanUint64(word: string): IntegerScan | 'negative' {
  return scanDigits(word, true);
}

// Powers of ten as C double literals (correctly rounded, like JavaScript literals).
const POWERS_OF_TEN: number[] = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));
const MAX_DIGITS = 17;

/**
 * pandas 1.5.3 `precise_xstrtod` with `skip_trailing`, plus read_csv's fallback to the
 * strings inf/+inf/-inf/Infinity/+Infinity/-Infinity (any case). Returns undefined when
 * the word is not a float to pandas.
 */
export function parsePandasFloat(word: string): number | undefined {
  const value = preciseXstrtod(word);
  if (value !== undefined) return value;
  switch (word.toLowerCase()) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

function preciseXstrtod(word: string): number | undefined {
  const n = word.length;
  let p = 0;
  while (p < n && isAsciiSpace(word.charCodeAt(p))) p++;
  let negative = false;
  if (word.charCodeAt(p) === 45) {
    negative = true;
    p++;
  } else if (word.charCodeAt(p) === 43) {
    p++;
  }
  let number = 0;
  let exponent = 0;
  let numDigits = 0;
  // Digits beyond the 17th are dropped (leading zeros count towards the 17).
  while (isDigit(word.charCodeAt(p))) {
    if (numDigits < MAX_DIGITS) {
      number = number * 10 + (word.charCodeAt(p) - 48);
      numDigits++;
    } else {
      exponent++;
    }
    p++;
  }
  if (word.charCodeAt(p) === 46) {
    p++;
    let numDecimals = 0;
    while (numDigits < MAX_DIGITS && isDigit(word.charCodeAt(p))) {
      number = number * 10 + (word.charCodeAt(p) - 48);
      p++;
      numDigits++;
      numDecimals++;
    }
    if (numDigits >= MAX_DIGITS) while (isDigit(word.charCodeAt(p))) p++;
    exponent -= numDecimals;
  }
  if (numDigits === 0) return undefined;
  if (negative) number = -number;
  const e = word.charCodeAt(p);
  if (e === 69 || e === 101) {
    let q = p + 1;
    let exponentNegative = false;
    if (word.charCodeAt(q) === 45) {
      exponentNegative = true;
      q++;
    } else if (word.charCodeAt(q) === 43) {
      q++;
    }
    let exponentDigits = 0;
    let value = 0;
    while (exponentDigits < MAX_DIGITS && isDigit(word.charCodeAt(q))) {
      value = value * 10 + (word.charCodeAt(q) - 48);
      exponentDigits++;
      q++;
    }
    exponent += exponentNegative ? -value : value;
    // Without exponent digits the "e" (and any sign) is left over, which fails below.
    p = exponentDigits === 0 ? q - 1 : q;
  }
  if (exponent > 308) return undefined;
  if (exponent > 0) number *= POWERS_OF_TEN[exponent];
  else if (exponent < -616)
    number = 0; // pandas returns +0.0 here, even for "-1e-700"
  else if (exponent < -308) number = number / POWERS_OF_TEN[-308 - exponent] / POWERS_OF_TEN[308];
  else number /= POWERS_OF_TEN[-exponent];
  if (number === Infinity || number === -Infinity) return undefined;
  while (p < n && isAsciiSpace(word.charCodeAt(p))) p++;
  return p === n ? number : undefined;
}

/** pandas' bool parsing: True/False in any letter case, nothing else (no spaces). */
export function parsePandasBool(word: string): boolean | undefined {
  if (word.length === 4 && word.toLowerCase() === 'true') return true;
  if (word.length === 5 && word.toLowerCase() === 'false') return false;
  return undefined;
}
