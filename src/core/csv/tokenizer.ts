/**
 * Splits CSV text into records the way pandas 1.5's C tokenizer does with read_csv's
 * defaults: `,` separator, `"` quotes with `""` inside, `\n`, `\r\n` or a bare `\r` ending a
 * line (outside quotes), blank and whitespace-only lines skipped, a quote after the start of
 * an unquoted field kept as a character, text after a closing quote appended to the field.
 *
 * The tokenizer is fed the text in pieces split anywhere (a file is decoded chunk by chunk:
 * V8 cannot hold a text over 2^29 characters, and holding the whole text doubles memory);
 * its state carries over between pieces, so the records do not depend on where they split.
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

/** Where the tokenizer is between two characters. */
const enum State {
  /** Before a line: a record, a blank line or the end. */
  LineStart,
  /** Spaces/tabs at a line's start: a blank line if a terminator follows, else a record. */
  LeadingBlanks,
  /** After a comma: the next field may open a quote. */
  FieldStart,
  /** In an unquoted field (or after a closing quote): up to a comma or a terminator. */
  Unquoted,
  /** Inside quotes. */
  Quoted,
  /** Just after a quote inside quotes: `""` is a quote character, anything else closes. */
  QuoteInQuoted
}

/**
 * The chunk-fed tokenizer: `feed` pieces of the text in order, then `finish`. Each record
 * ended by a line terminator is handed to `onRecord` as soon as it is complete.
 */
export class CsvTokenizer {
  private state = State.LineStart;
  /** The current field's text so far (pieces of earlier chunks included). */
  private field = '';
  private fields: string[] = [];
  /** Line of the next character (1-based). */
  private line = 1;
  private recordLine = 1;
  /** Text offset of the next chunk's first character. */
  private offset = 0;
  /** A CR ended the last line: an LF right after it belongs to the same terminator. */
  private afterCR = false;
  /** The last character read inside quotes was a CR (a following LF is the same line end). */
  private quotedCR = false;

  constructor(
    private readonly path: string,
    private readonly onRecord: (record: CsvRecord) => void
  ) {}

  /** Whether the text so far ends inside a quoted field. */
  get insideQuotes(): boolean {
    return this.state === State.Quoted;
  }

  /** Tokenizes the next piece of the text. */
  feed(text: string): void {
    const n = text.length;
    let i = 0;
    if (this.afterCR && n > 0) {
      this.afterCR = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      switch (this.state) {
        case State.LineStart: {
          const c = text.charCodeAt(i);
          if (c === LF || c === CR) {
            i = this.endLine(text, i);
          } else if (c === SPACE || c === TAB) {
            this.field = '';
            this.state = State.LeadingBlanks;
          } else {
            this.recordLine = this.line;
            this.state = State.FieldStart;
          }
          break;
        }
        case State.LeadingBlanks: {
          const start = i;
          let c = text.charCodeAt(i);
          while (i < n && (c === SPACE || c === TAB)) c = text.charCodeAt(++i);
          this.field += text.slice(start, i);
          if (i === n) break;
          if (c === LF || c === CR) {
            this.field = '';
            this.state = State.LineStart;
            i = this.endLine(text, i);
          } else {
            // Not blank: the blanks start the first field, which is then unquoted.
            this.recordLine = this.line;
            this.state = State.Unquoted;
          }
          break;
        }
        case State.FieldStart:
          if (text.charCodeAt(i) === QUOTE) {
            i++;
            this.quotedCR = false;
            this.state = State.Quoted;
          } else {
            this.state = State.Unquoted;
          }
          break;
        case State.Unquoted: {
          const start = i;
          let c = text.charCodeAt(i);
          while (i < n && c !== COMMA && c !== LF && c !== CR) c = text.charCodeAt(++i);
          this.field += text.slice(start, i);
          if (i === n) break;
          this.fields.push(this.field);
          this.field = '';
          if (c === COMMA) {
            i++;
            this.state = State.FieldStart;
          } else {
            this.onRecord({ fields: this.fields, line: this.recordLine, end: this.offset + i, terminated: true });
            this.fields = [];
            this.state = State.LineStart;
            i = this.endLine(text, i);
          }
          break;
        }
        case State.Quoted: {
          const close = text.indexOf('"', i);
          const end = close < 0 ? n : close;
          this.field += text.slice(i, end);
          this.countQuotedLineEnds(text, i, end);
          if (close < 0) {
            i = n;
          } else {
            i = close + 1;
            this.quotedCR = false;
            this.state = State.QuoteInQuoted;
          }
          break;
        }
        case State.QuoteInQuoted:
          if (text.charCodeAt(i) === QUOTE) {
            this.field += '"';
            i++;
            this.state = State.Quoted;
          } else {
            this.state = State.Unquoted;
          }
          break;
      }
    }
    this.offset += n;
  }

  /**
   * Ends the text: returns the last record when no terminator ended it (undefined if there is
   * none). Throws FormatError(path, "line N: ...") for a quoted field still open.
   */
  finish(): CsvRecord | undefined {
    switch (this.state) {
      case State.LineStart:
      case State.LeadingBlanks:
        return undefined;
      case State.Quoted:
        throw new FormatError(this.path, `line ${this.recordLine}: quoted field not closed before the end of the file`);
      default: {
        this.fields.push(this.field);
        const record = { fields: this.fields, line: this.recordLine, end: this.offset, terminated: false };
        this.fields = [];
        this.field = '';
        this.state = State.LineStart;
        return record;
      }
    }
  }

  /** Passes the line terminator at `at` (`\r\n` is one, even split between two pieces). */
  private endLine(text: string, at: number): number {
    this.line++;
    if (text.charCodeAt(at) === LF) return at + 1;
    if (at + 1 < text.length) return text.charCodeAt(at + 1) === LF ? at + 2 : at + 1;
    this.afterCR = true;
    return at + 1;
  }

  /** Counts line ends inside quotes: an LF, a CR, a CR LF once. */
  private countQuotedLineEnds(text: string, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === CR) this.line++;
      else if (c === LF && !this.quotedCR) this.line++;
      this.quotedCR = c === CR;
    }
  }
}

/**
 * Tokenizes CSV text into records. Throws FormatError(path, "line N: ...") for a quoted
 * field still open at the end of the text (unless incomplete last lines are ignored).
 */
export function tokenizeCsv(text: string, path: string, options: TokenizeOptions = {}): CsvRecord[] {
  const records: CsvRecord[] = [];
  const tokenizer = new CsvTokenizer(path, record => records.push(record));
  tokenizer.feed(text);
  if (options.ignoreIncompleteLastLine) return records;
  const last = tokenizer.finish();
  if (last) records.push(last);
  return records;
}
