import { type ChunkBuilder } from '../chunk-builder';
import { describeField } from '../describe.util';
import { CsvParser, type CsvRecordSink } from './csv-parser';

export interface CsvLayout {
  delimiter: string;
  quote: string;
  header: boolean;
  /** The number of fields a record must have, after a trailing delimiter's field is dropped. */
  width: number;
  trailingDelimiter: boolean;
  maxRecordLength: number;
  /** Records and physical lines before the text, when it starts further in the file; default 0. */
  recordsBefore?: number;
  linesBefore?: number;
}

/**
 * Turns CSV records into rows for the chunk builder: skips the header record,
 * drops the empty field after a trailing delimiter, and reports every record
 * whose field count differs from the header's as a row error with its values.
 */
export class CsvRowReader implements CsvRecordSink {
  private readonly parser: CsvParser;
  private recordNumber: number;

  constructor(
    private readonly layout: CsvLayout,
    private readonly chunks: ChunkBuilder,
  ) {
    this.recordNumber = layout.recordsBefore ?? 0;
    this.parser = new CsvParser(
      {
        delimiter: layout.delimiter,
        quote: layout.quote,
        maxRecordLength: layout.maxRecordLength,
        expectedFields: layout.width + (layout.trailingDelimiter ? 1 : 0),
        firstLine: (layout.linesBefore ?? 0) + 1,
      },
      this,
    );
  }

  /** The number of the last record read, counted from the start of the file. */
  get lastRecordNumber(): number {
    return this.recordNumber;
  }

  /** The physical lines completed so far, counted from the start of the file. */
  get linesCompleted(): number {
    return this.parser.nextLine - 1;
  }

  /** Returns true when the text so far ended in complete records; parses text held back first. */
  endsAtRecordStart(): boolean {
    this.parser.parseHeldBack();

    return this.parser.atRecordStart;
  }

  push(text: string): void {
    this.parser.push(text);
  }

  end(): void {
    this.parser.end();
  }

  record(fields: (string | null)[], line: number): void {
    this.recordNumber += 1;

    if (this.recordNumber === 1 && this.layout.header) {
      return;
    }

    const width = this.layout.width;

    if (fields.length === width) {
      this.chunks.addRow(fields, this.recordNumber, line);

      return;
    }

    if (this.layout.trailingDelimiter && fields.length === width + 1 && fields[width] === null) {
      fields.length = width;
      this.chunks.addRow(fields, this.recordNumber, line);

      return;
    }

    this.chunks.addError({
      row: this.recordNumber,
      line,
      message: describeFieldCount(fields, width, line, this.layout.trailingDelimiter),
      raw: this.parser.recordText(),
      values: fields,
    });
  }

  malformed(fields: (string | null)[], line: number, message: string): void {
    this.recordNumber += 1;
    this.chunks.addError({
      row: this.recordNumber,
      line,
      message: `line ${line}: ${message}`,
      raw: this.parser.recordText(),
      values: fields,
    });
  }
}

function describeFieldCount(
  fields: (string | null)[],
  width: number,
  line: number,
  trailingDelimiter: boolean,
): string {
  // The empty field after a trailing delimiter is not a value, so it is neither counted nor shown.
  const count = trailingDelimiter && fields.length > width && fields[fields.length - 1] === null ? fields.length - 1 : fields.length;
  const summary = `line ${line}: ${count} ${count === 1 ? 'field' : 'fields'}, expected ${width}`;

  if (count < width) {
    return summary;
  }

  const extra = fields.slice(width, count);
  const label = extra.length === 1 ? 'extra value' : 'extra values';

  return `${summary}; ${label} ${extra.map((value) => describeField(value)).join(', ')}`;
}
