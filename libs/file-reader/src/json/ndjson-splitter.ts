import { FileReaderError } from '../file-reader.error';
import { type JsonElementSink } from './json-array-scanner';

/**
 * Splits NDJSON (JSON Lines) text that arrives in pieces into its lines and
 * passes each non-blank line on, without its CR or LF. Blank lines, including
 * lines of only spaces or tabs, are skipped but counted.
 */
export class NdjsonSplitter {
  private parts: string[] = [];
  private partsLength = 0;
  private line = 1;

  constructor(
    private readonly sink: JsonElementSink,
    private readonly maxRecordLength: number,
  ) {}

  push(text: string): void {
    let start = 0;

    for (;;) {
      const end = text.indexOf('\n', start);

      if (end < 0) {
        break;
      }

      const part = text.slice(start, end);

      this.emit(this.parts.length === 0 ? part : this.parts.join('') + part);
      this.parts = [];
      this.partsLength = 0;
      start = end + 1;
    }

    if (start < text.length) {
      this.parts.push(text.slice(start));
      this.partsLength += text.length - start;

      if (this.partsLength > this.maxRecordLength) {
        throw new FileReaderError(
          'RECORD_TOO_LARGE',
          `Line ${this.line} is longer than ${this.maxRecordLength} characters: raise maxRecordLength.`,
        );
      }
    }
  }

  end(): void {
    if (this.parts.length > 0) {
      this.emit(this.parts.join(''));
      this.parts = [];
      this.partsLength = 0;
    }
  }

  private emit(lineText: string): void {
    const line = this.line;
    const text = lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText;

    this.line += 1;

    if (text.trim().length > 0) {
      this.sink.element(text, line);
    }
  }
}
