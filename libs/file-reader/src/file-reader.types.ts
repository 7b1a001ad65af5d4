import { type RawValue } from '@rokks/transform';

export type FileFormat = 'csv' | 'json' | 'ndjson';

/** The encodings the reader decodes, by their WHATWG Encoding Standard names. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** The record terminators seen in the sample; `none` when it held no complete record. */
export type LineEnding = 'crlf' | 'lf' | 'cr' | 'mixed' | 'none';

/** The format, dialect and columns the reader detected before the first chunk. */
export interface DetectedFormat {
  format: FileFormat;
  encoding: TextEncodingName;
  /** True when the file starts with a byte order mark; the mark never reaches a value. */
  bom: boolean;
  /** The field delimiter of a CSV file; null for JSON and NDJSON. */
  delimiter: string | null;
  /** The quote character of a CSV file; null for JSON and NDJSON. */
  quote: string | null;
  /** True when the first record is a header; always false for JSON and NDJSON. */
  header: boolean;
  /** The column names: header fields as written (a blank header is ''), `column_1`… without a header, or JSON keys. */
  columns: string[];
  /** True when the header and the records end with a delimiter, whose empty last field the reader drops. */
  trailingDelimiter: boolean;
  lineEnding: LineEnding;
}

/** A record that cannot be a row: ragged, badly quoted, or a JSON value that is not a fitting object. */
export interface RowError {
  /** The 1-based record number, counted as rows are (the header is record 1). */
  row: number;
  /** The 1-based physical line on which the record starts. */
  line: number;
  message: string;
  /** The record's text as it is in the file, without its line terminator. */
  raw: string;
  /** The values the reader parsed from the record, in file order; null when the text did not parse. */
  values: RawValue[] | null;
}

/**
 * Consecutive rows of the file: `rows[i]` is record `firstRowNumber + i` and starts on
 * line `lineNumbers[i]`. `errors` are the records that follow those rows and could not
 * be read as rows; the next chunk's rows start after them.
 */
export interface FileChunk {
  rows: RawValue[][];
  firstRowNumber: number;
  lineNumbers: number[];
  errors: RowError[];
}

/** Counters that grow while the file is read. */
export interface ReadProgress {
  /** Bytes taken from the source. */
  bytesRead: number;
  /** Data records parsed, the ones reported as errors included. */
  rowsRead: number;
  /** Records reported as `RowError`s. */
  rowErrors: number;
}

export interface FileReaderOptions {
  /** Skips format detection. */
  format?: FileFormat;
  /** Skips encoding detection; a byte order mark of the given encoding is still dropped. */
  encoding?: TextEncodingName;
  /** Skips delimiter detection: one character other than the quote, CR or LF. */
  delimiter?: string;
  /** The CSV quote character; default `"`. Inside a quoted field it is written twice. */
  quote?: string;
  /** Whether the first CSV record is a header; default true. `auto` guesses from the sample. */
  header?: boolean | 'auto';
  /** The maximum number of entries (rows plus row errors) per chunk; default 5,000. */
  chunkRows?: number;
  /** How many leading bytes the detection reads; default 65,536. */
  sampleBytes?: number;
  /** The maximum length of a record or JSON value in UTF-16 code units; default 64 Mi. */
  maxRecordLength?: number;
}
