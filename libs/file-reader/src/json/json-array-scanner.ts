import { FileReaderError } from '../file-reader.error';

/** Receives the text of each element of the top-level array and the line it starts on. */
export interface JsonElementSink {
  element(text: string, line: number): void;
}

const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

type State = 'before-array' | 'before-first' | 'before-element' | 'in-element' | 'after-element' | 'done';

/**
 * Finds the elements of a top-level JSON array in text that arrives in pieces,
 * without parsing the whole file: it tracks strings and bracket depth to find
 * where each element ends and passes the element's text on. Only the current
 * element is held in memory. A file that is not one array (text before `[`,
 * a missing comma, text after `]`) raises `INVALID_JSON`. The sink reports an
 * element that is not valid JSON.
 */
export class JsonArrayScanner {
  private state: State = 'before-array';
  private line = 1;
  private elementLine = 1;
  private parts: string[] = [];
  private partsLength = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** True while the element is a number or literal, which ends at a comma, bracket or blank. */
  private scalar = false;

  constructor(
    private readonly sink: JsonElementSink,
    private readonly maxRecordLength: number,
  ) {}

  push(text: string): void {
    const n = text.length;
    let i = 0;
    let start = 0;

    while (i < n) {
      const c = text.charCodeAt(i);

      if (this.state === 'in-element') {
        const end = this.scanElement(text, i);

        if (end < 0) {
          break;
        }

        this.emit(text.slice(start, end));
        i = end;
        continue;
      }

      if (c === LF) {
        this.line += 1;
      }

      if (isWhitespace(c)) {
        i += 1;
        continue;
      }

      switch (this.state) {
        case 'before-array':
          if (c !== OPEN_BRACKET) {
            this.fail('expected the file to start with [ (an array of objects)');
          }

          this.state = 'before-first';
          i += 1;
          break;
        case 'before-first':
        case 'before-element':
          if (c === CLOSE_BRACKET && this.state === 'before-first') {
            this.state = 'done';
            i += 1;
            break;
          }

          if (c === CLOSE_BRACKET || c === COMMA) {
            this.fail(`unexpected '${String.fromCharCode(c)}' where an array element should start`);
          }

          this.state = 'in-element';
          this.elementLine = this.line;
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
          start = i;
          break;
        case 'after-element':
          if (c === COMMA) {
            this.state = 'before-element';
          } else if (c === CLOSE_BRACKET) {
            this.state = 'done';
          } else {
            this.fail(`expected ',' or ']' after an array element, found '${String.fromCharCode(c)}'`);
          }

          i += 1;
          break;
        case 'done':
          this.fail('unexpected text after the closing ] of the array');
      }
    }

    if (this.state === 'in-element') {
      this.parts.push(text.slice(start));
      this.partsLength += n - start;

      if (this.partsLength > this.maxRecordLength) {
        throw new FileReaderError(
          'RECORD_TOO_LARGE',
          `The array element that starts on line ${this.elementLine} is longer than ${this.maxRecordLength} ` +
            'characters: raise maxRecordLength.',
        );
      }
    }
  }

  end(): void {
    if (this.state === 'before-array') {
      return;
    }

    if (this.state !== 'done') {
      this.fail('the file ends before the closing ] of the array');
    }
  }

  /** Returns the index after the element's last character, or -1 when the text ends first. */
  private scanElement(text: string, from: number): number {
    const n = text.length;

    for (let i = from; i < n; i += 1) {
      const c = text.charCodeAt(i);

      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (c === BACKSLASH) {
          this.escaped = true;
        } else if (c === QUOTE) {
          this.inString = false;

          if (this.depth === 0) {
            return i + 1;
          }
        }

        continue;
      }

      if (this.scalar) {
        if (c === COMMA || c === CLOSE_BRACKET || isWhitespace(c)) {
          return i;
        }

        continue;
      }

      if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth += 1;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth -= 1;

        if (this.depth === 0) {
          return i + 1;
        }
      } else if (c === LF) {
        this.line += 1;
      }
    }

    return -1;
  }

  private emit(lastPart: string): void {
    const text = this.parts.length === 0 ? lastPart : this.parts.join('') + lastPart;

    this.parts = [];
    this.partsLength = 0;
    this.state = 'after-element';
    this.sink.element(text, this.elementLine);
  }

  private fail(reason: string): never {
    throw new FileReaderError('INVALID_JSON', `Invalid JSON on line ${this.line}: ${reason}.`);
  }
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
