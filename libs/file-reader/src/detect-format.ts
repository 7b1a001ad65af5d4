import { type ByteInput } from './byte-input';
import { CsvParser } from './csv/csv-parser';
import { looksLikeHeader } from './csv/detect-header.util';
import { sniffDelimiter } from './csv/sniff-delimiter.util';
import { formatCount } from './describe.util';
import { createChunkDecoder } from './encoding/chunk-decoder';
import { detectEncoding, encodingFromBom } from './encoding/detect-encoding.util';
import { FileReaderError } from './file-reader.error';
import { type DetectedFormat, type FileFormat, type LineEnding, type TextEncodingName } from './file-reader.types';
import { JsonArrayScanner } from './json/json-array-scanner';
import { JsonRowReader } from './json/json-rows';
import { NdjsonSplitter } from './json/ndjson-splitter';
import { type ResolvedOptions } from './resolve-options';

/** The maximum sample the detection reads when a smaller one contains no complete record. */
const MAX_DETECTION_BYTES = 16 * 1024 * 1024;

interface SampleText {
  text: string;
  complete: boolean;
}

/**
 * Reads the first `sampleBytes` of the file and works out its encoding, format,
 * dialect and columns. When the sample contains no complete record (a header longer
 * than the sample), it reads twice as much and tries again, up to 16 MiB.
 */
export async function detectFormat(input: ByteInput, options: ResolvedOptions): Promise<DetectedFormat> {
  const limit = Math.max(options.sampleBytes, MAX_DETECTION_BYTES);
  let sampleBytes = options.sampleBytes;

  for (;;) {
    const sample = await input.sample(sampleBytes);
    const encoding = options.encoding ?? detectEncoding(sample.bytes, sample.complete).encoding;
    const bom = encodingFromBom(sample.bytes) === encoding;

    if (options.encoding === null) {
      rejectBinary(sample.bytes, encoding);
    }

    const text = decodeSample(sample.bytes, encoding, sample.complete);
    const result = detectDialect({ text, complete: sample.complete }, options);

    if (result !== null) {
      return { encoding, bom, ...result };
    }

    if (sampleBytes >= limit) {
      throw new FileReaderError(
        'RECORD_TOO_LARGE',
        `The first ${formatCount(limit)} bytes of the file hold no complete record: check the format and the quotes.`,
      );
    }

    sampleBytes = Math.min(sampleBytes * 2, limit);
  }
}

/**
 * Raises UNSUPPORTED_FORMAT when a sample read as an 8-bit encoding contains a
 * NUL byte. Text files in those encodings almost never contain one, while images, archives
 * and spreadsheets (.xlsx is a zip archive) have many near their start.
 */
function rejectBinary(bytes: Uint8Array, encoding: TextEncodingName): void {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    return;
  }

  const offset = bytes.indexOf(0);

  if (offset >= 0) {
    throw new FileReaderError(
      'UNSUPPORTED_FORMAT',
      `The file is not text: it contains a NUL byte at byte ${formatCount(offset)}, as images, archives and spreadsheets do. ` +
        'Upload CSV, TSV, JSON or NDJSON text; save a spreadsheet as CSV first.',
    );
  }
}

type Dialect = Omit<DetectedFormat, 'format' | 'encoding' | 'bom'>;

/**
 * Returns the format and dialect of the sample, or null when it contains no complete
 * record. A guessed JSON format whose sample is not a JSON array falls back to CSV.
 */
function detectDialect(sample: SampleText, options: ResolvedOptions): (Dialect & { format: FileFormat }) | null {
  // A delimiter or quote in the options is for CSV, so it settles the format.
  const csvOptionGiven = options.delimiter !== null || options.quote !== '"';
  const format = options.format ?? (csvOptionGiven ? 'csv' : guessFormat(sample.text, sample.complete));

  if (format === 'csv') {
    return withFormat(detectCsv(sample, options), 'csv');
  }

  try {
    return withFormat(detectJson(sample, format, options), format);
  } catch (error) {
    if (options.format === null && error instanceof FileReaderError && error.code === 'INVALID_JSON') {
      return withFormat(detectCsv(sample, options), 'csv');
    }

    throw error;
  }
}

function withFormat(dialect: Dialect | null, format: FileFormat): (Dialect & { format: FileFormat }) | null {
  return dialect === null ? null : { ...dialect, format };
}

function decodeSample(bytes: Uint8Array, encoding: TextEncodingName, complete: boolean): string {
  const decoder = createChunkDecoder(encoding);
  const text = decoder.decode(bytes);

  return complete ? text + decoder.end() : text;
}

/**
 * Tells JSON (an array of objects) and NDJSON (an object per line) from CSV by the
 * first characters: `[{"`, `[{}` or a lone `[]` for JSON, and `{"` or `{}` for
 * NDJSON. NDJSON also needs a first line that is a JSON object, unless the sample
 * ends inside that line.
 */
function guessFormat(text: string, complete: boolean): FileFormat {
  const [first, second, third] = firstNonSpaceCharacters(text, 3);
  const start = text.search(/\S/);

  if (first === '[') {
    const emptyArray = second === ']' && third === undefined;
    const objectArray = second === '{' && (third === '"' || third === '}');

    return emptyArray || objectArray ? 'json' : 'csv';
  }

  if (first !== '{' || (second !== '"' && second !== '}')) {
    return 'csv';
  }

  const lineEnd = text.indexOf('\n', start);

  if (lineEnd < 0 && !complete) {
    return 'ndjson';
  }

  const firstLine = text.slice(start, lineEnd < 0 ? text.length : lineEnd).trim();

  if (firstLine === '{') {
    throw new FileReaderError(
      'UNSUPPORTED_FORMAT',
      'The file is a single JSON object written over several lines: ' +
        'the reader takes a JSON array of objects, or NDJSON with one object per line.',
    );
  }

  return isJsonObject(firstLine) ? 'ndjson' : 'csv';
}

function firstNonSpaceCharacters(text: string, count: number): string[] {
  const pattern = /\S/g;
  const found: string[] = [];

  while (found.length < count) {
    const match = pattern.exec(text);

    if (match === null) {
      break;
    }

    found.push(match[0]);
  }

  return found;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);

    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function detectCsv(sample: SampleText, options: ResolvedOptions): Dialect | null {
  const quote = options.quote;
  // A CR at the very end may be the first half of a CRLF whose LF is not in the sample.
  const text = !sample.complete && sample.text.endsWith('\r') ? sample.text.slice(0, -1) : sample.text;
  const delimiter = options.delimiter ?? sniffDelimiter(text, quote, sample.complete);
  const records: (string | null)[][] = [];
  const collect = (fields: (string | null)[]): void => {
    records.push(fields);
  };

  const parser = new CsvParser(
    { delimiter, quote, maxRecordLength: options.maxRecordLength },
    { record: collect, malformed: collect },
  );

  parser.push(text);

  if (sample.complete) {
    parser.end();
  }

  const first = records[0];

  if (first === undefined && !sample.complete) {
    return null;
  }

  const header = options.header === 'auto' ? looksLikeHeader(records) : options.header;
  const fields = first ?? [];
  const trailingDelimiter =
    fields.length >= 2 &&
    fields[fields.length - 1] === null &&
    records.every((record) => record.length < fields.length || record[fields.length - 1] === null);
  const width = trailingDelimiter ? fields.length - 1 : fields.length;
  const columns = header
    ? fields.slice(0, width).map((name) => name ?? '')
    : Array.from({ length: width }, (_, index) => `column_${index + 1}`);

  return {
    delimiter,
    quote,
    header,
    columns,
    trailingDelimiter,
    lineEnding: lineEndingFromCounts(parser.terminators),
  };
}

function detectJson(sample: SampleText, format: 'json' | 'ndjson', options: ResolvedOptions): Dialect | null {
  const keys = new JsonRowReader([], null, options.sampleBytes);
  const splitter =
    format === 'json'
      ? new JsonArrayScanner(keys, options.maxRecordLength)
      : new NdjsonSplitter(keys, options.maxRecordLength);

  splitter.push(sample.text);

  if (sample.complete) {
    splitter.end();
  } else if (keys.recordCount === 0) {
    return null;
  }

  return {
    delimiter: null,
    quote: null,
    header: false,
    columns: keys.columns,
    trailingDelimiter: false,
    lineEnding: lineEndingFromCounts(countLineEndings(sample.text)),
  };
}

function countLineEndings(text: string): { crlf: number; lf: number; cr: number } {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  const cr = (text.match(/\r/g)?.length ?? 0) - crlf;

  return { crlf, lf, cr };
}

function lineEndingFromCounts(counts: { crlf: number; lf: number; cr: number }): LineEnding {
  const kinds = (['crlf', 'lf', 'cr'] as const).filter((kind) => counts[kind] > 0);

  if (kinds.length === 0) {
    return 'none';
  }

  return kinds.length === 1 ? kinds[0] : 'mixed';
}
