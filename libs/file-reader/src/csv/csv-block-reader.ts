import { ChunkBuilder } from '../chunk-builder';
import { type ChunkDecoder, createChunkDecoder } from '../encoding/chunk-decoder';
import { type DetectedFormat, type FileChunk, type FileReaderOptions, type ReadProgress } from '../file-reader.types';
import { LineAlignedPieces } from '../line-aligned-pieces';
import { DEFAULT_CHUNK_ROWS, DEFAULT_MAX_RECORD_LENGTH } from '../resolve-options';
import { type CsvLayout, CsvRowReader } from './csv-rows';

const UTF8_BYTE_ORDER_MARK_BYTES = 3;

/** The encodings in which byte 0x0A is always a line feed, so a file can be cut after one. */
export type LineCutEncoding = 'utf-8' | 'windows-1252';

/**
 * The dialect of a CSV file as its reader detected it, enough to read any
 * part of the file on its own. `header` is true when the file's first
 * record is a header, and `width` is the number of columns.
 */
export interface CsvDialect extends Omit<CsvLayout, 'recordsBefore' | 'linesBefore'> {
  encoding: LineCutEncoding;
  chunkRows: number;
  /** The length of the byte order mark at the start of the file, which is not part of any block. */
  byteOrderMarkBytes: number;
}

/** The position of a block's start in its file. */
export interface BlockStart {
  /** Bytes before the block, after the byte order mark. */
  byteOffset: number;
  /** Records before the block, the header included. */
  recordsBefore: number;
  /** Physical lines before the block. */
  linesBefore: number;
}

/**
 * Returns the dialect of a CSV file whose lines can be cut by bytes, or
 * null: a file that is not CSV, is in UTF-16, or has a quote character
 * outside ASCII (which no single byte stands for).
 */
export function lineCutDialect(detected: DetectedFormat, options: FileReaderOptions = {}): CsvDialect | null {
  const { encoding, quote, delimiter } = detected;

  if (detected.format !== 'csv' || quote === null || delimiter === null || quote.charCodeAt(0) >= 0x80) {
    return null;
  }

  if (encoding !== 'utf-8' && encoding !== 'windows-1252') {
    return null;
  }

  return {
    encoding,
    delimiter,
    quote,
    header: detected.header,
    width: detected.columns.length,
    trailingDelimiter: detected.trailingDelimiter,
    maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH,
    chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
    byteOrderMarkBytes: detected.bom && encoding === 'utf-8' ? UTF8_BYTE_ORDER_MARK_BYTES : 0,
  };
}

/**
 * Reads the rows of a block of a CSV file: bytes that start at a record
 * start anywhere in the file, after its byte order mark. Rows, lines and
 * byte offsets are numbered as the whole file's reader numbers them, and
 * the header is skipped only in the block with no record before it. The
 * bytes may come in pieces cut anywhere.
 */
export class CsvBlockReader {
  private readonly chunks: ChunkBuilder;
  private readonly rows: CsvRowReader;
  private readonly decoder: ChunkDecoder;
  private readonly aligner = new LineAlignedPieces();
  private readonly progress: ReadProgress = { bytesRead: 0, rowsRead: 0, rowErrors: 0 };

  constructor(dialect: CsvDialect, start: BlockStart) {
    const layout: CsvLayout = {
      delimiter: dialect.delimiter,
      quote: dialect.quote,
      // Blank lines are not records, so the first record can start after some.
      header: dialect.header && start.recordsBefore === 0,
      width: dialect.width,
      trailingDelimiter: dialect.trailingDelimiter,
      maxRecordLength: dialect.maxRecordLength,
      recordsBefore: start.recordsBefore,
      linesBefore: start.linesBefore,
    };

    this.chunks = new ChunkBuilder(dialect.chunkRows, this.progress);
    this.rows = new CsvRowReader(layout, this.chunks);
    // The byte order mark, if any, is not part of the block, so a mark in the block is a character.
    this.decoder = createChunkDecoder(dialect.encoding, { offset: dialect.byteOrderMarkBytes + start.byteOffset });
  }

  /** The number of the last record read, counted from the start of the file. */
  get lastRecordNumber(): number {
    return this.rows.lastRecordNumber;
  }

  /** The physical lines completed so far, counted from the start of the file. */
  get linesCompleted(): number {
    return this.rows.linesCompleted;
  }

  /**
   * True when the bytes so far ended in complete records, so the next byte
   * starts a record. Reading it parses the text that the parser held back
   * behind a long incomplete record.
   */
  get atRecordStart(): boolean {
    return this.aligner.carriedBytes === 0 && this.rows.endsAtRecordStart();
  }

  push(bytes: Uint8Array): void {
    this.rows.push(this.decoder.decode(this.aligner.take(bytes)));
  }

  /** Reads what is left as the end of the file. */
  end(): void {
    this.rows.push(this.decoder.decode(this.aligner.rest()));
    this.rows.push(this.decoder.end());
    this.rows.end();
    this.chunks.flush();
  }

  /** Ends the current chunk with the rows read so far, at the end of a block that does not end the file. */
  flushRows(): void {
    this.chunks.flush();
  }

  /** Returns the chunks completed since the last call. */
  take(): FileChunk[] {
    return this.chunks.ready.splice(0);
  }
}
