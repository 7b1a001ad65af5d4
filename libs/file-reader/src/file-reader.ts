import { ByteInput, type ByteSource } from './byte-input';
import { ChunkBuilder } from './chunk-builder';
import { CsvRowReader } from './csv/csv-rows';
import { detectFormat } from './detect-format';
import { createChunkDecoder } from './encoding/chunk-decoder';
import { FileReaderError } from './file-reader.error';
import {
  type DetectedFormat,
  type FileChunk,
  type FileReaderOptions,
  type ReadProgress,
} from './file-reader.types';
import { JsonArrayScanner } from './json/json-array-scanner';
import { JsonRowReader } from './json/json-rows';
import { NdjsonSplitter } from './json/ndjson-splitter';
import { LineAlignedPieces } from './line-aligned-pieces';
import { resolveOptions, type ResolvedOptions } from './resolve-options';

/** A file being read: its detected format, then its rows as chunks, pulled one at a time. */
export interface FileReader extends AsyncIterable<FileChunk> {
  readonly detected: DetectedFormat;
  /** Live counters; they run ahead of the chunks consumed by at most one source piece. */
  readonly progress: Readonly<ReadProgress>;
  /** Stops reading and releases the source; needed only when the chunks are not read to the end. */
  close(): Promise<void>;
}

/**
 * Opens a file for reading: reads the detection sample, works out the format,
 * and returns a reader whose chunks can then be read once. The source is read
 * further only while the consumer requests chunks.
 */
export async function openFileReader(source: ByteSource, options: FileReaderOptions = {}): Promise<FileReader> {
  const settings = resolveOptions(options);
  const progress: ReadProgress = { bytesRead: 0, rowsRead: 0, rowErrors: 0 };
  const input = new ByteInput(source, progress);

  try {
    const detected = await detectFormat(input, settings);

    return new StreamingFileReader(input, detected, settings, progress);
  } catch (error) {
    await input.close();
    throw error;
  }
}

interface TextSink {
  push(text: string): void;
  end(): void;
}

class StreamingFileReader implements FileReader {
  private started = false;

  constructor(
    private readonly input: ByteInput,
    readonly detected: DetectedFormat,
    private readonly options: ResolvedOptions,
    readonly progress: ReadProgress,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<FileChunk> {
    if (this.started) {
      throw new FileReaderError('ALREADY_READ', 'The file reader can be iterated once: open the file again.');
    }

    this.started = true;

    return this.readChunks();
  }

  close(): Promise<void> {
    return this.input.close();
  }

  private async *readChunks(): AsyncGenerator<FileChunk> {
    const chunks = new ChunkBuilder(this.options.chunkRows, this.progress);
    const decoder = createChunkDecoder(this.detected.encoding);
    const sink = this.createSink(chunks);
    const encoding = this.detected.encoding;
    // Only where byte 0x0A is always a line feed; in UTF-16 it can be half of any character.
    const aligner = encoding === 'utf-8' || encoding === 'windows-1252' ? new LineAlignedPieces() : null;

    try {
      for (;;) {
        const bytes = await this.input.next();

        if (bytes === null) {
          break;
        }

        sink.push(decoder.decode(aligner === null ? bytes : aligner.take(bytes)));

        while (chunks.ready.length > 0) {
          yield chunks.ready.shift() as FileChunk;
        }
      }

      if (aligner !== null) {
        sink.push(decoder.decode(aligner.rest()));
      }

      sink.push(decoder.end());
      sink.end();
      chunks.flush();

      while (chunks.ready.length > 0) {
        yield chunks.ready.shift() as FileChunk;
      }
    } finally {
      await this.input.close();
    }
  }

  private createSink(chunks: ChunkBuilder): TextSink {
    const { detected, options } = this;

    if (detected.format === 'csv') {
      return new CsvRowReader(
        {
          delimiter: detected.delimiter ?? ',',
          quote: detected.quote ?? '"',
          header: detected.header,
          width: detected.columns.length,
          trailingDelimiter: detected.trailingDelimiter,
          maxRecordLength: options.maxRecordLength,
        },
        chunks,
      );
    }

    const rows = new JsonRowReader(detected.columns, chunks, options.sampleBytes);

    return detected.format === 'json'
      ? new JsonArrayScanner(rows, options.maxRecordLength)
      : new NdjsonSplitter(rows, options.maxRecordLength);
  }
}
