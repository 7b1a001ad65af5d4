import { ExpressionError } from './expression-error';

export type TokenKind =
  'number' | 'string' | 'identifier' | 'quoted-identifier' | 'operator' | 'end';

export interface Token {
  kind: TokenKind;
  /** The identifier or string after unquoting, the number's digits or the operator. */
  text: string;
  /** 1-based character offset of the token's first character. */
  position: number;
}

const OPERATORS = [
  '||',
  '<=',
  '>=',
  '<>',
  '!=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=',
  '<',
  '>',
  '(',
  ')',
  ',',
];

const IDENTIFIER_START = /[\p{L}_]/u;
const IDENTIFIER_PART = /[\p{L}\p{N}_$]/u;

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

/** Splits expression text into tokens; the last token is always `end`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;

  while (index < text.length) {
    const char = text[index];

    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index += 1;
      continue;
    }

    const start = index;

    if (isDigit(char) || (char === '.' && isDigit(text[index + 1] ?? ''))) {
      index = scanNumber(text, index);
      tokens.push({ kind: 'number', text: text.slice(start, index), position: start + 1 });
      continue;
    }

    if (char === "'" || char === '"') {
      const [value, end] = scanQuoted(text, index, char);
      const kind = char === "'" ? 'string' : 'quoted-identifier';

      if (kind === 'quoted-identifier' && value === '') {
        throw new ExpressionError('empty quoted column name', start + 1);
      }

      tokens.push({ kind, text: value, position: start + 1 });
      index = end;
      continue;
    }

    if (IDENTIFIER_START.test(char)) {
      index += 1;

      while (index < text.length && IDENTIFIER_PART.test(text[index])) {
        index += 1;
      }

      tokens.push({ kind: 'identifier', text: text.slice(start, index), position: start + 1 });
      continue;
    }

    const operator = OPERATORS.find((candidate) => text.startsWith(candidate, index));

    if (operator === undefined) {
      throw new ExpressionError(`unexpected character ${JSON.stringify(char)}`, start + 1);
    }

    tokens.push({ kind: 'operator', text: operator, position: start + 1 });
    index += operator.length;
  }

  tokens.push({ kind: 'end', text: '', position: text.length + 1 });

  return tokens;
}

function scanNumber(text: string, start: number): number {
  let index = start;

  while (isDigit(text[index] ?? '')) {
    index += 1;
  }

  if (text[index] === '.') {
    index += 1;

    while (isDigit(text[index] ?? '')) {
      index += 1;
    }
  }

  if (text[index] === 'e' || text[index] === 'E') {
    let exponent = index + 1;

    if (text[exponent] === '+' || text[exponent] === '-') {
      exponent += 1;
    }

    if (!isDigit(text[exponent] ?? '')) {
      throw new ExpressionError('invalid number: the exponent has no digits', start + 1);
    }

    index = exponent;

    while (isDigit(text[index] ?? '')) {
      index += 1;
    }
  }

  if (
    IDENTIFIER_START.test(text[index] ?? '') ||
    isDigit(text[index] ?? '') ||
    text[index] === '.'
  ) {
    throw new ExpressionError(
      `invalid number ${JSON.stringify(text.slice(start, index + 1))}`,
      start + 1,
    );
  }

  return index;
}

/** Reads a quoted string or identifier; a doubled quote stands for one quote character. */
function scanQuoted(text: string, start: number, quote: string): [string, number] {
  let value = '';
  let index = start + 1;

  for (;;) {
    const close = text.indexOf(quote, index);

    if (close < 0) {
      const what = quote === "'" ? 'string' : 'quoted column name';

      throw new ExpressionError(`unterminated ${what}`, start + 1);
    }

    value += text.slice(index, close);

    if (text[close + 1] === quote) {
      value += quote;
      index = close + 2;
      continue;
    }

    return [value, close + 1];
  }
}
