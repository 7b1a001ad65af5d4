import { FileReaderError } from '../file-reader.error';

const LF = 10;
const CR = 13;

/** Receives each record the parser completes. `parser.recordText()` is valid during the call. */
export interface CsvRecordSink {
  record(fields: (string | null)[], line: number): void;
  /** Receives a record whose quoting is broken, with the text read in `fields` and the reason in `message`. */
  malformed(fields: (string | null)[], line: number, message: string): void;
}

export interface CsvParserOptions {
  delimiter: string;
  quote: string;
  maxRecordLength: number;
  /** The usual number of fields per record, if known: each record's array is allocated at this size. */
  expectedFields?: number;
  /** The physical line number of the first line of text; default 1. */
  firstLine?: number;
}

/** How many records ended with each kind of line terminator. */
export interface TerminatorCounts {
  crlf: number;
  lf: number;
  cr: number;
}

/**
 * An incremental CSV parser in the RFC 4180 dialect: a field that starts with
 * the quote is quoted, a doubled quote inside it is one quote, and delimiters
 * and line breaks inside it are text. Records end at CRLF, LF or CR, mixed
 * freely. An empty unquoted field is null, a quoted empty field is ''.
 * A line with no characters at all is skipped, but still counted as a line.
 *
 * Text arrives in pieces through `push`. A record is reported once its line
 * terminator is seen (or at `end`), so a record cut between pieces is parsed
 * again from its start when more text arrives. A long incomplete record waits
 * until the new text is as long as the record so far, which keeps the total
 * work linear in the record's length.
 */
export class CsvParser {
  readonly terminators: TerminatorCounts = { crlf: 0, lf: 0, cr: 0 };

  private readonly delimiter: string;
  private readonly delimiterCode: number;
  private readonly quoteCode: number;
  private readonly quote: string;
  private readonly maxRecordLength: number;
  private readonly expectedFields: number;
  /** The text of the record that was incomplete at the end of the last parse. */
  private pending = '';
  private waiting: string[] = [];
  private waitingLength = 0;
  /** Set when a piece ended with CR, so an LF at the start of the next one ends no new line. */
  private skipLineFeed = false;
  /** The physical line on which `pending` starts. */
  private line = 1;
  private text = '';
  private recordStart = 0;
  private recordEnd = 0;

  constructor(
    options: CsvParserOptions,
    private readonly sink: CsvRecordSink,
  ) {
    this.delimiter = options.delimiter;
    this.delimiterCode = options.delimiter.charCodeAt(0);
    this.quote = options.quote;
    this.quoteCode = options.quote.charCodeAt(0);
    this.maxRecordLength = options.maxRecordLength;
    this.expectedFields = options.expectedFields ?? 0;
    this.line = options.firstLine ?? 1;
  }

  /** The physical line on which the next record starts. */
  get nextLine(): number {
    return this.line;
  }

  /**
   * True when every text pushed so far ended in complete records, so the
   * next text starts a record. Text held back behind a long incomplete
   * record counts as unparsed, so call `parseHeldBack` first.
   */
  get atRecordStart(): boolean {
    return this.pending.length === 0 && this.waitingLength === 0 && !this.skipLineFeed;
  }

  /** Parses the pieces held back behind a long incomplete record, which `push` waits to parse. */
  parseHeldBack(): void {
    if (this.waiting.length > 0) {
      this.parse(this.takePendingText(), false);
    }
  }

  push(chunk: string): void {
    if (chunk.length === 0) {
      return;
    }

    if (this.pending.length > 0 && this.waitingLength + chunk.length < this.pending.length) {
      this.waiting.push(chunk);
      this.waitingLength += chunk.length;

      return;
    }

    this.parse(this.takePendingText() + chunk, false);
  }

  /** Parses what is left as the file's last record. */
  end(): void {
    const text = this.takePendingText();

    if (text.length > 0) {
      this.parse(text, true);
    }
  }

  /** Returns the text of the record being reported, without its line terminator. */
  recordText(): string {
    return this.text.slice(this.recordStart, this.recordEnd);
  }

  private takePendingText(): string {
    const text = this.waiting.length === 0 ? this.pending : this.pending + this.waiting.join('');

    this.pending = '';
    this.waiting = [];
    this.waitingLength = 0;

    return text;
  }

  private parse(s: string, final: boolean): void {
    const n = s.length;
    const delimiter = this.delimiterCode;
    const quote = this.quoteCode;
    const terminators = this.terminators;
    let i = 0;
    let line = this.line;
    // Positions of the next delimiter, LF and CR at or after some earlier index (n when
    // none), kept across fields so that each is searched for once per occurrence.
    let nextDelimiter = -1;
    let nextLineFeed = -1;
    let nextCarriageReturn = -1;
    let recordStart = 0;
    let recordLine = line;
    let incomplete = false;

    if (this.skipLineFeed) {
      this.skipLineFeed = false;

      if (s.charCodeAt(0) === LF) {
        terminators.cr -= 1;
        terminators.crlf += 1;
        i = 1;
      }
    }

    records: while (i < n) {
      recordStart = i;
      recordLine = line;
      let c = s.charCodeAt(i);

      if (c === LF || c === CR) {
        i = this.skipTerminator(s, i, final);
        line += 1;
        continue;
      }

      // An array allocated at its final size is much cheaper than one grown by push.
      const fields = new Array<string | null>(this.expectedFields);
      let count = 0;
      let problem: string | null = null;

      for (;;) {
        if (i >= n) {
          if (!final) {
            incomplete = true;
            break records;
          }

          // The record ends at the end of the file, right after a delimiter.
          fields[count++] = null;
          this.emit(s, recordStart, n, fields, count, recordLine, problem);
          break records;
        }

        c = s.charCodeAt(i);

        if (c === quote) {
          let value = '';
          let start = i + 1;
          let close = -1;

          for (;;) {
            const found = s.indexOf(this.quote, start);

            if (found < 0 || (found + 1 >= n && !final)) {
              break;
            }

            if (s.charCodeAt(found + 1) === quote) {
              value += s.slice(start, found + 1);
              start = found + 2;
              continue;
            }

            value += s.slice(start, found);
            close = found;
            break;
          }

          if (close < 0) {
            if (!final) {
              incomplete = true;
              break records;
            }

            value += s.slice(start);
            close = n;
            problem ??= `the quoted field ${count + 1} is not closed before the end of the file`;
          }

          // Line breaks inside the quoted field: each LF, and each CR not followed by LF.
          if (nextLineFeed < i) {
            nextLineFeed = indexOrEnd(s, '\n', i);
          }

          while (nextLineFeed < close) {
            line += 1;
            nextLineFeed = indexOrEnd(s, '\n', nextLineFeed + 1);
          }

          if (nextCarriageReturn < i) {
            nextCarriageReturn = indexOrEnd(s, '\r', i);
          }

          while (nextCarriageReturn < close) {
            if (s.charCodeAt(nextCarriageReturn + 1) !== LF) {
              line += 1;
            }

            nextCarriageReturn = indexOrEnd(s, '\r', nextCarriageReturn + 1);
          }

          i = close + 1;

          if (i < n) {
            c = s.charCodeAt(i);

            if (c !== delimiter && c !== LF && c !== CR) {
              // Text after the closing quote is kept, so no character is lost, and the record is reported.
              let j = i + 1;

              while (j < n && (c = s.charCodeAt(j)) !== delimiter && c !== LF && c !== CR) {
                j += 1;
              }

              if (j >= n && !final) {
                incomplete = true;
                break records;
              }

              problem ??= `unexpected text after the closing quote of field ${count + 1}`;
              value += s.slice(i, j);
              i = j;
            }
          }

          fields[count++] = value;
        } else if (c === delimiter || c === LF || c === CR) {
          fields[count++] = null;
        } else {
          // indexOf finds the end of an unquoted field several times faster than a loop over
          // its characters. Each position found stays valid until the parser moves past it.
          if (nextDelimiter < i) {
            nextDelimiter = indexOrEnd(s, this.delimiter, i);
          }

          if (nextLineFeed < i) {
            nextLineFeed = indexOrEnd(s, '\n', i);
          }

          if (nextCarriageReturn < i) {
            nextCarriageReturn = indexOrEnd(s, '\r', i);
          }

          let j = nextDelimiter < nextLineFeed ? nextDelimiter : nextLineFeed;

          if (nextCarriageReturn < j) {
            j = nextCarriageReturn;
          }

          if (j >= n && !final) {
            incomplete = true;
            break records;
          }

          fields[count++] = s.slice(i, j);
          i = j;
        }

        if (i >= n) {
          this.emit(s, recordStart, n, fields, count, recordLine, problem);
          break records;
        }

        if (s.charCodeAt(i) === delimiter) {
          i += 1;
          continue;
        }

        const end = i;

        i = this.skipTerminator(s, i, final);
        line += 1;
        this.emit(s, recordStart, end, fields, count, recordLine, problem);
        break;
      }
    }

    if (incomplete) {
      this.pending = s.slice(recordStart);
      this.line = recordLine;

      if (this.pending.length > this.maxRecordLength) {
        throw this.recordTooLarge(recordLine);
      }
    } else {
      this.line = line;
    }

    this.text = '';
  }

  private recordTooLarge(line: number): FileReaderError {
    return new FileReaderError(
      'RECORD_TOO_LARGE',
      `The record that starts on line ${line} is longer than ${this.maxRecordLength} characters: ` +
        'check for a quote that is never closed, or raise maxRecordLength.',
    );
  }

  /** Returns the index after the line terminator at `i` and counts it. */
  private skipTerminator(s: string, i: number, final: boolean): number {
    if (s.charCodeAt(i) === LF) {
      this.terminators.lf += 1;

      return i + 1;
    }

    if (i + 1 < s.length) {
      if (s.charCodeAt(i + 1) === LF) {
        this.terminators.crlf += 1;

        return i + 2;
      }
    } else if (!final) {
      this.skipLineFeed = true;
    }

    this.terminators.cr += 1;

    return i + 1;
  }

  private emit(
    s: string,
    start: number,
    end: number,
    fields: (string | null)[],
    count: number,
    line: number,
    problem: string | null,
  ): void {
    if (end - start > this.maxRecordLength) {
      throw this.recordTooLarge(line);
    }

    if (count < fields.length) {
      fields.length = count;
    }

    this.text = s;
    this.recordStart = start;
    this.recordEnd = end;

    if (problem === null) {
      this.sink.record(fields, line);
    } else {
      this.sink.malformed(fields, line, problem);
    }
  }
}

function indexOrEnd(s: string, search: string, from: number): number {
  const index = s.indexOf(search, from);

  return index < 0 ? s.length : index;
}
