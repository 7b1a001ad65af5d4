/** The deepest nesting the exact parser accepts, so hostile input cannot overflow the stack. */
export const MAX_JSON_DEPTH = 512;

const LONG_DIGIT_RUN = /\d{16}/;

/**
 * Parses one JSON value. Integers beyond ±(2^53 - 1) become bigints instead of
 * rounded numbers; other numbers are numbers as JSON.parse gives them. The fast
 * JSON.parse runs unless the text contains a run of 16 or more digits.
 */
export function parseJsonValue(text: string): unknown {
  if (!LONG_DIGIT_RUN.test(text)) {
    return JSON.parse(text) as unknown;
  }

  return new ExactJsonParser(text).parseDocument();
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class ExactJsonParser {
  private index = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.parseValue(0);

    this.skipWhitespace();

    if (this.index < this.text.length) {
      this.fail('unexpected text after the value');
    }

    return value;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) {
      this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    }

    this.skipWhitespace();
    const char = this.text[this.index];

    switch (char) {
      case '{':
        return this.parseObject(depth);
      case '[':
        return this.parseArray(depth);
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      default:
        return this.parseNumber();
    }
  }

  private parseObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};

    this.index += 1;
    this.skipWhitespace();

    if (this.text[this.index] === '}') {
      this.index += 1;

      return result;
    }

    for (;;) {
      this.skipWhitespace();

      if (this.text[this.index] !== '"') {
        this.fail('expected a property name');
      }

      const key = this.parseString();

      this.skipWhitespace();
      this.expect(':');
      // defineProperty keeps a key such as "__proto__" an ordinary own property, as JSON.parse does.
      Object.defineProperty(result, key, {
        value: this.parseValue(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipWhitespace();

      if (this.text[this.index] === ',') {
        this.index += 1;
        continue;
      }

      this.expect('}');

      return result;
    }
  }

  private parseArray(depth: number): unknown[] {
    const result: unknown[] = [];

    this.index += 1;
    this.skipWhitespace();

    if (this.text[this.index] === ']') {
      this.index += 1;

      return result;
    }

    for (;;) {
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();

      if (this.text[this.index] === ',') {
        this.index += 1;
        continue;
      }

      this.expect(']');

      return result;
    }
  }

  private parseString(): string {
    let result = '';

    this.index += 1;

    for (;;) {
      const start = this.index;

      while (this.index < this.text.length && !isStringSpecial(this.text.charCodeAt(this.index))) {
        this.index += 1;
      }

      result += this.text.slice(start, this.index);
      const char = this.text[this.index];

      if (char === '"') {
        this.index += 1;

        return result;
      }

      if (char !== '\\') {
        this.fail(char === undefined ? 'unterminated string' : 'control character in a string');
      }

      const escape = this.text[this.index + 1];

      if (escape === 'u') {
        const hex = this.text.slice(this.index + 2, this.index + 6);

        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.fail('invalid \\u escape');
        }

        result += String.fromCharCode(parseInt(hex, 16));
        this.index += 6;
      } else if (escape !== undefined && escape in ESCAPES) {
        result += ESCAPES[escape];
        this.index += 2;
      } else {
        this.fail('invalid escape');
      }
    }
  }

  private parseLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.index)) {
      this.fail('unexpected token');
    }

    this.index += word.length;

    return value;
  }

  private parseNumber(): number | bigint {
    NUMBER.lastIndex = this.index;
    const match = NUMBER.exec(this.text);

    if (match === null) {
      this.fail('unexpected token');
    }

    this.index = NUMBER.lastIndex;
    const literal = match[0];
    const isInteger = match[1] === undefined && match[2] === undefined;

    if (isInteger) {
      const value = Number(literal);

      return Number.isSafeInteger(value) ? value : BigInt(literal);
    }

    return Number(literal);
  }

  private skipWhitespace(): void {
    while (WHITESPACE.has(this.text[this.index])) {
      this.index += 1;
    }
  }

  private expect(char: string): void {
    if (this.text[this.index] !== char) {
      this.fail(`expected '${char}'`);
    }

    this.index += 1;
  }

  private fail(reason: string): never {
    throw new SyntaxError(`${reason} at position ${this.index + 1}`);
  }
}

/** Tells whether a character ends a plain run inside a JSON string: a quote, a backslash or a control character. */
function isStringSpecial(code: number): boolean {
  return code === 0x22 || code === 0x5c || code < 0x20;
}
