/**
 * Python's `repr(float)`, which is what pandas writes for float cells (numpy's `str` of a
 * float64 gives the same text; checked on 200 000 random doubles).
 */

/** Decimal digits (no leading or trailing zeros) and the exponent of the first digit. */
interface ShortestDigits {
  digits: string;
  exponent: number;
}

/**
 * JavaScript's Number-to-String already picks the shortest digit string that round-trips,
 * and the closest one when several do, exactly like Python's repr; only the layout differs.
 */
function shortestDigits(magnitude: number): ShortestDigits {
  let text = String(magnitude);
  let exponent = 0;
  const exponentAt = text.indexOf('e');
  if (exponentAt >= 0) {
    exponent = Number(text.slice(exponentAt + 1));
    text = text.slice(0, exponentAt);
  }
  const pointAt = text.indexOf('.');
  const integerLength = pointAt < 0 ? text.length : pointAt;
  const allDigits = pointAt < 0 ? text : text.slice(0, pointAt) + text.slice(pointAt + 1);
  let leadingZeros = 0;
  while (allDigits.charCodeAt(leadingZeros) === 48) leadingZeros++;
  let end = allDigits.length;
  while (end > leadingZeros + 1 && allDigits.charCodeAt(end - 1) === 48) end--;
  return {
    digits: allDigits.slice(leadingZeros, end),
    exponent: exponent + integerLength - leadingZeros - 1
  };
}

/**
 * Formats a number as Python's `repr(float)` does: shortest round-trip digits, fixed
 * notation iff -4 <= exponent < 16 with ".0" on integral values, otherwise `d.ddde+XX`
 * with at least two exponent digits; `inf`, `-inf`, `nan`, `-0.0`.
 * (In CSV cells NaN is written as an empty field, not as `nan`.)
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(Math.abs(x));
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1) || '0';
    return `${sign}${integerPart}.${fraction}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${mantissa}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
