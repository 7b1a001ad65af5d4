import {
  type ByteSource,
  type FileChunk,
  type FileReader,
  FileReaderError,
  openFileReader,
} from '@rokks/file-reader';
import {
  createTransformer,
  type InferredColumn,
  inferSchema,
  type InputColumn,
  SpecValidationError,
  type Transformer,
} from '@rokks/transform';

import { abortable } from './abort.util';
import { EtlError } from './etl.error';
import { type ReadProgressEvent, type ReadSettings } from './etl.types';
import { type FileSample, readSample, resolveSampleLimits } from './file-sample';
import { nameSourceColumns, type SourceColumn, toInputColumns } from './source-columns.util';

/** An open file whose sample has been read, named and typed; its other chunks are still unread. */
export interface ProfiledFile {
  reader: FileReader;
  sample: FileSample;
  columns: SourceColumn[];
  inferred: InferredColumn[];
  inputColumns: InputColumn[];
  /** Yields the sample's chunks, then the rest of the file; call it once. A read stops with `ABORTED` when the signal fires. */
  chunks(signal?: AbortSignal): AsyncGenerator<FileChunk>;
}

/**
 * Opens a file, reads its sample, names its columns and infers their types.
 * Profile, preview and load all start here, so they see the same columns
 * and types for the same file and settings. The caller closes `reader`.
 */
export async function openProfiledFile(
  source: ByteSource,
  settings: ReadSettings,
  onProgress?: (progress: ReadProgressEvent) => void,
): Promise<ProfiledFile> {
  const limits = resolveSampleLimits(settings.sample);
  const reader = await translateReadError(() => openFileReader(source, settings.read));

  try {
    const iterator = reader[Symbol.asyncIterator]();
    const sample = await translateReadError(() =>
      readSample(iterator, limits, () => onProgress?.({ bytesRead: reader.progress.bytesRead, rowsRead: reader.progress.rowsRead })),
    );
    const columns = nameSourceColumns(reader.detected.columns, settings.existingColumns);
    const inferred = inferSchema({ columns: columns.map((column) => column.name), rows: sample.rows }, settings.infer);

    return {
      reader,
      sample,
      columns,
      inferred,
      inputColumns: toInputColumns(columns, inferred),
      chunks: (signal) => readChunks(sample, iterator, signal),
    };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

/**
 * Compiles the spec against the file's input columns. Rows are numbered as
 * the reader numbers them: from 2 after a header, else from 1.
 */
export function createFileTransformer(spec: unknown, file: ProfiledFile): Transformer {
  if (file.columns.length === 0) {
    throw new EtlError('NO_COLUMNS', 'the file has no columns: it is empty or has only blank lines');
  }

  try {
    return createTransformer(spec, file.inputColumns, { firstRowNumber: firstRowNumberOf(file) });
  } catch (error) {
    if (error instanceof SpecValidationError) {
      throw new EtlError('INVALID_SPEC', error.message, { specErrors: error.errors }, { cause: error });
    }

    throw error;
  }
}

/** Returns the number of the file's first data row, as the reader numbers rows: 2 after a header, else 1. */
export function firstRowNumberOf(file: ProfiledFile): number {
  return file.reader.detected.header ? 2 : 1;
}

/** Opens a profiled file unless the signal fires first; a file that opens after an abort is closed. */
export async function openProfiledFileUnlessAborted(
  source: ByteSource,
  settings: ReadSettings,
  signal: AbortSignal | undefined,
  onProgress?: (progress: ReadProgressEvent) => void,
): Promise<ProfiledFile> {
  const opening = openProfiledFile(source, settings, onProgress);

  try {
    return await abortable(opening, signal);
  } catch (error) {
    opening.then((file) => file.reader.close()).catch(() => undefined);
    throw error;
  }
}

async function* readChunks(
  sample: FileSample,
  iterator: AsyncIterator<FileChunk>,
  signal: AbortSignal | undefined,
): AsyncGenerator<FileChunk> {
  // Shifted out one by one, so a chunk that has been processed can be collected.
  while (sample.chunks.length > 0) {
    yield sample.chunks.shift() as FileChunk;
  }

  if (sample.remainder !== null) {
    const remainder = sample.remainder;

    sample.remainder = null;
    yield remainder;
  }

  if (sample.complete) {
    return;
  }

  for (;;) {
    const next = await abortable(translateReadError(() => iterator.next()), signal);

    if (next.done === true) {
      return;
    }

    yield next.value;
  }
}

/** Runs a read and turns the reader's and the source's errors into `READ_FAILED`, keeping the cause. */
export async function translateReadError<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof EtlError) {
      throw error;
    }

    const reason = error instanceof FileReaderError ? error.message : `the source failed: ${String(error)}`;

    throw new EtlError('READ_FAILED', `the file could not be read: ${reason}`, {}, { cause: error });
  }
}
