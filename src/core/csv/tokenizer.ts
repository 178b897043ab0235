/**
 * Splits CSV text into records the way pandas 1.5's C tokenizer does with read_csv's
 * defaults: `,` separator, `"` quotes with `""` inside, `\n`, `\r\n` or a bare `\r` ending a
 * line (outside quotes), blank and whitespace-only lines skipped, a quote after the start of
 * an unquoted field kept as a character, text after a closing quote appended to the field.
 */
import { FormatError } from '../errors.js';

/** One CSV record with where it is in the text. */
export interface CsvRecord {
  fields: string[];
  /** 1-based line number of the record's first line. */
  line: number;
  /** Offset of the line terminator that ends the record (text length if none). */
  end: number;
  /** Whether a line terminator ends the record (false for a last line cut short). */
  terminated: boolean;
}

/** Options of {@link tokenizeCsv}. */
export interface TokenizeOptions {
  /** Drop a last record that is not ended by a newline (or has an unterminated quote). */
  ignoreIncompleteLastLine?: boolean;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const COMMA = 44;

/** Offset just after a line terminator starting at `at` (`\r\n` counts as one). */
function afterTerminator(text: string, at: number): number {
  return text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF ? at + 2 : at + 1;
}

/** Number of line ends inside a span (for line numbers after quoted newlines). */
function countLineEnds(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) count++;
  }
  return count;
}

/** Offset of the first character that is not a space or tab, from `at`. */
function skipBlanks(text: string, at: number): number {
  let i = at;
  while (i < text.length && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  return i;
}

/**
 * Tokenizes CSV text into records. Throws FormatError(path, "line N: ...") for a quoted
 * field still open at the end of the text (unless incomplete last lines are ignored).
 */
export function tokenizeCsv(text: string, path: string, options: TokenizeOptions = {}): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const first = text.charCodeAt(i);
    if (first === LF || first === CR) {
      i = afterTerminator(text, i);
      line++;
      continue;
    }
    if (first === SPACE || first === TAB) {
      const next = skipBlanks(text, i);
      if (next === n) break;
      const c = text.charCodeAt(next);
      if (c === LF || c === CR) {
        i = afterTerminator(text, next);
        line++;
        continue;
      }
    }
    const record: CsvRecord = { fields: [], line, end: n, terminated: false };
    let field = '';
    for (;;) {
      // Start of a field.
      if (text.charCodeAt(i) === QUOTE) {
        let at = i + 1;
        for (;;) {
          const close = text.indexOf('"', at);
          if (close < 0) {
            if (options.ignoreIncompleteLastLine) return records;
            throw new FormatError(path, `line ${record.line}: quoted field not closed before the end of the file`);
          }
          field += text.slice(at, close);
          line += countLineEnds(text, at, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            field += '"';
            at = close + 2;
          } else {
            i = close + 1;
            break;
          }
        }
      }
      // Unquoted part of the field (or what follows a closing quote).
      const start = i;
      let c = text.charCodeAt(i);
      while (i < n && c !== COMMA && c !== LF && c !== CR) c = text.charCodeAt(++i);
      field += text.slice(start, i);
      record.fields.push(field);
      field = '';
      if (i < n && c === COMMA) {
        i++;
        continue;
      }
      break;
    }
    if (i < n) {
      record.end = i;
      record.terminated = true;
      i = afterTerminator(text, i);
      line++;
    }
    if (!record.terminated && options.ignoreIncompleteLastLine) break;
    records.push(record);
  }
  return records;
}
