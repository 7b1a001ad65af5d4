import { FileReaderError } from './file-reader.error';
import { type FileFormat, type FileReaderOptions, type TextEncodingName } from './file-reader.types';

export const DEFAULT_CHUNK_ROWS = 5_000;
export const DEFAULT_SAMPLE_BYTES = 65_536;
export const DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024;

const FORMATS: readonly FileFormat[] = ['csv', 'json', 'ndjson'];
const ENCODINGS: readonly TextEncodingName[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];

export interface ResolvedOptions {
  format: FileFormat | null;
  encoding: TextEncodingName | null;
  delimiter: string | null;
  quote: string;
  header: boolean | 'auto';
  chunkRows: number;
  sampleBytes: number;
  maxRecordLength: number;
}

/** Checks the options and fills in the defaults; raises `INVALID_OPTIONS` listing every problem. */
export function resolveOptions(options: FileReaderOptions): ResolvedOptions {
  const problems: string[] = [];
  const quote = options.quote ?? '"';

  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    problems.push(`format ${JSON.stringify(options.format)} is not one of ${FORMATS.join(', ')}`);
  }

  if (options.encoding !== undefined && !ENCODINGS.includes(options.encoding)) {
    problems.push(`encoding ${JSON.stringify(options.encoding)} is not one of ${ENCODINGS.join(', ')}`);
  }

  if (!isSingleCharacter(quote)) {
    problems.push(`quote ${JSON.stringify(quote)} must be one character other than CR or LF`);
  }

  if (options.delimiter !== undefined && (!isSingleCharacter(options.delimiter) || options.delimiter === quote)) {
    problems.push(`delimiter ${JSON.stringify(options.delimiter)} must be one character other than the quote, CR or LF`);
  }

  if (options.header !== undefined && typeof options.header !== 'boolean' && options.header !== 'auto') {
    problems.push(`header ${JSON.stringify(options.header)} must be true, false or "auto"`);
  }

  for (const name of ['chunkRows', 'sampleBytes', 'maxRecordLength'] as const) {
    const value = options[name];

    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      problems.push(`${name} ${String(value)} must be a whole number of at least 1`);
    }
  }

  if (problems.length > 0) {
    throw new FileReaderError('INVALID_OPTIONS', `Invalid file reader options: ${problems.join('; ')}.`);
  }

  return {
    format: options.format ?? null,
    encoding: options.encoding ?? null,
    delimiter: options.delimiter ?? null,
    quote,
    header: options.header ?? true,
    chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
    sampleBytes: options.sampleBytes ?? DEFAULT_SAMPLE_BYTES,
    maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH,
  };
}

function isSingleCharacter(value: unknown): boolean {
  return typeof value === 'string' && value.length === 1 && value !== '\r' && value !== '\n';
}
