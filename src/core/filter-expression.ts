/**
 * Column expressions for the trials table's filter ("target_force > 0.5 and label == 'fist'"),
 * parsed by a small recursive-descent parser into a tree and evaluated against one row: no
 * eval, no Function, nothing but comparisons of a column with a literal, joined by and / or /
 * not and parentheses. Text that is not an expression is a plain substring filter.
 */

/** A literal on the right of a comparison. */
export type FilterLiteral = number | string | boolean | null;

/** The comparison operators (`=` is read as `==`). */
export type FilterOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains';

/** A parsed filter expression. */
export type FilterExpression =
  | { readonly kind: 'compare'; readonly column: string; readonly op: FilterOperator; readonly value: FilterLiteral }
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'not'; readonly operand: FilterExpression };

/** How the filter box's text is read: an expression, a substring, or a broken expression. */
export type FilterQuery =
  | { readonly kind: 'all' }
  | { readonly kind: 'text'; readonly needle: string }
  | { readonly kind: 'expression'; readonly expression: FilterExpression }
  | { readonly kind: 'invalid'; readonly message: string };

/** One line telling the syntax, for the filter box's placeholder and hint. */
export const FILTER_SYNTAX_HINT =
  "text, or column expressions: target_force > 0.5 and label == 'fist' (== != < <= > >= contains, and or not, parentheses)";

type Token =
  | { kind: 'name'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'op'; text: string }
  | { kind: 'paren'; text: '(' | ')' };

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '='];
const KEYWORDS = new Set(['and', 'or', 'not', 'contains', 'true', 'false', 'null', 'none', 'nan']);

class FilterSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', text: c });
      i++;
    } else if (c === '&' && text[i + 1] === '&') {
      tokens.push({ kind: 'name', text: 'and' });
      i += 2;
    } else if (c === '|' && text[i + 1] === '|') {
      tokens.push({ kind: 'name', text: 'or' });
      i += 2;
    } else if (c === '!' && text[i + 1] !== '=') {
      tokens.push({ kind: 'name', text: 'not' });
      i++;
    } else if (OPERATORS.some(op => text.startsWith(op, i))) {
      const op = OPERATORS.find(candidate => text.startsWith(candidate, i))!;
      tokens.push({ kind: 'op', text: op === '=' ? '==' : op });
      i += op.length;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new FilterSyntaxError(`unclosed ${c}`);
      const body = text.slice(i + 1, end);
      // Backquotes name a column (one with spaces or symbols), quotes hold a text literal.
      tokens.push(c === '`' ? { kind: 'name', text: body } : { kind: 'string', value: body });
      i = end + 1;
    } else {
      const match = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?![\w.])/.exec(text.slice(i));
      if (match !== null) {
        tokens.push({ kind: 'number', value: Number(match[0]) });
        i += match[0].length;
        continue;
      }
      const word = /^[^\s()=!<>'"`&|]+/.exec(text.slice(i));
      if (word === null) throw new FilterSyntaxError(`unexpected ${JSON.stringify(c)}`);
      tokens.push({ kind: 'name', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

class Parser {
  constructor(
    private readonly _tokens: Token[],
    private readonly _columns: readonly string[]
  ) {}

  parse(): FilterExpression {
    const expression = this._or();
    if (this._at < this._tokens.length)
      throw new FilterSyntaxError(`unexpected ${this._describe(this._tokens[this._at])}`);
    return expression;
  }

  private _or(): FilterExpression {
    let left = this._and();
    while (this._keyword('or')) left = { kind: 'or', left, right: this._and() };
    return left;
  }

  private _and(): FilterExpression {
    let left = this._not();
    while (this._keyword('and')) left = { kind: 'and', left, right: this._not() };
    return left;
  }

  private _not(): FilterExpression {
    if (this._keyword('not')) return { kind: 'not', operand: this._not() };
    const token = this._tokens[this._at];
    if (token?.kind === 'paren' && token.text === '(') {
      this._at++;
      const inner = this._or();
      const close = this._tokens[this._at++];
      if (close?.kind !== 'paren' || close.text !== ')') throw new FilterSyntaxError('missing )');
      return inner;
    }
    return this._compare();
  }

  private _compare(): FilterExpression {
    const name = this._tokens[this._at++];
    if (name?.kind !== 'name' || KEYWORDS.has(name.text.toLowerCase())) {
      throw new FilterSyntaxError(
        name === undefined ? 'a column name is missing' : `expected a column name, not ${this._describe(name)}`
      );
    }
    if (!this._columns.includes(name.text)) throw new FilterSyntaxError(`no column ${JSON.stringify(name.text)}`);
    const op = this._tokens[this._at++];
    let operator: FilterOperator;
    if (op?.kind === 'op') operator = op.text as FilterOperator;
    else if (op?.kind === 'name' && op.text.toLowerCase() === 'contains') operator = 'contains';
    else throw new FilterSyntaxError(`expected an operator after ${name.text}`);
    return { kind: 'compare', column: name.text, op: operator, value: this._literal() };
  }

  private _literal(): FilterLiteral {
    const token = this._tokens[this._at++];
    if (token === undefined) throw new FilterSyntaxError('a value is missing');
    if (token.kind === 'number' || token.kind === 'string') return token.value;
    if (token.kind === 'name') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null' || word === 'none') return null;
      if (word === 'nan') return NaN;
      // A bare word is text: label == fist.
      return token.text;
    }
    throw new FilterSyntaxError(`expected a value, not ${this._describe(token)}`);
  }

  private _keyword(word: string): boolean {
    const token = this._tokens[this._at];
    if (token?.kind === 'name' && token.text.toLowerCase() === word) {
      this._at++;
      return true;
    }
    return false;
  }

  private _describe(token: Token): string {
    return token.kind === 'number'
      ? String(token.value)
      : token.kind === 'string'
        ? JSON.stringify(token.value)
        : token.text;
  }

  private _at = 0;
}

/**
 * Reads the filter box's text: empty keeps all; text that starts with a column name followed
 * by an operator is an expression (or, when it does not parse, says why); anything else is a
 * substring to find in any cell.
 */
export function parseFilterQuery(text: string, columns: readonly string[]): FilterQuery {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'all' };
  let tokens: Token[];
  try {
    tokens = tokenize(trimmed);
  } catch {
    return { kind: 'text', needle: trimmed.toLowerCase() };
  }
  if (!looksLikeExpression(tokens, columns)) return { kind: 'text', needle: trimmed.toLowerCase() };
  try {
    return { kind: 'expression', expression: new Parser(tokens, columns).parse() };
  } catch (error) {
    return { kind: 'invalid', message: (error as Error).message };
  }
}

/** An expression has an operator or a column name followed by one (after any not / "("). */
function looksLikeExpression(tokens: Token[], columns: readonly string[]): boolean {
  return tokens.some(
    (token, i) =>
      token.kind === 'op' ||
      (token.kind === 'name' &&
        columns.includes(token.text) &&
        tokens[i + 1]?.kind === 'name' &&
        (tokens[i + 1] as { text: string }).text.toLowerCase() === 'contains')
  );
}

/** A cell as the filter compares it. */
export type FilterCell = number | bigint | string | boolean | null;

function compareValues(cell: FilterCell, op: FilterOperator, value: FilterLiteral): boolean {
  if (op === 'contains') {
    return cell !== null && String(cell).toLowerCase().includes(String(value).toLowerCase());
  }
  const missing = (v: FilterCell | FilterLiteral): boolean => v === null || (typeof v === 'number' && Number.isNaN(v));
  if (missing(cell) || missing(value)) {
    // Missing equals missing (== null / == nan); it is never less or greater than anything.
    const same = missing(cell) && missing(value);
    return op === '==' ? same : op === '!=' ? !same : false;
  }
  let a: number | bigint | string;
  let b: number | bigint | string;
  if ((typeof cell === 'number' || typeof cell === 'bigint') && typeof value === 'number') {
    [a, b] = [cell, value];
    if (typeof a === 'bigint' && Number.isInteger(value)) b = BigInt(value);
  } else if (typeof cell === 'boolean' && typeof value === 'boolean') {
    [a, b] = [Number(cell), Number(value)];
  } else if (typeof cell === 'boolean' && typeof value === 'number') {
    [a, b] = [Number(cell), value];
  } else {
    // Text compares as text; so does a number column against a text literal ("5" vs 5.0 aside).
    [a, b] = [typeof cell === 'boolean' ? (cell ? 'True' : 'False') : String(cell), String(value)];
    if (typeof value === 'boolean') b = value ? 'True' : 'False';
  }
  switch (op) {
    case '==':
      return a === b || (typeof a !== typeof b && Number(a) === Number(b));
    case '!=':
      return !(a === b || (typeof a !== typeof b && Number(a) === Number(b)));
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Whether a row (its cell of a column by `cellOf`) satisfies the expression. */
export function evaluateFilter(expression: FilterExpression, cellOf: (column: string) => FilterCell): boolean {
  switch (expression.kind) {
    case 'compare':
      return compareValues(cellOf(expression.column), expression.op, expression.value);
    case 'and':
      return evaluateFilter(expression.left, cellOf) && evaluateFilter(expression.right, cellOf);
    case 'or':
      return evaluateFilter(expression.left, cellOf) || evaluateFilter(expression.right, cellOf);
    case 'not':
      return !evaluateFilter(expression.operand, cellOf);
  }
}
