import { type ByteSource, type FileChunk } from '@rokks/file-reader';
import { type JsonValue, type RawValue } from '@rokks/transform';

import { toRecordProblem } from './chunk-processor';
import { type FileProfile, type ReadProgressEvent, type ReadSettings, type RowProblem } from './etl.types';
import { openProfiledFileUnlessAborted } from './profiled-file';

/** Raw rows a profile carries. */
export const PROFILE_ROWS = 100;
/** Malformed records a profile lists. */
export const PROFILE_ROW_ERRORS = 100;

export interface ProfileOptions extends ReadSettings {
  /** Called after each chunk of the sample is read. */
  onProgress?: (progress: ReadProgressEvent) => void;
  signal?: AbortSignal;
}

/**
 * Profiles the head of a file: the detected format, each column's logical
 * name, header label and inferred type with counts and samples, and the
 * first 100 raw rows. It reads only the sample (10,000 rows by default), so
 * a large file profiles as fast as a small one.
 */
export async function profileFile(source: ByteSource, options: ProfileOptions = {}): Promise<FileProfile> {
  const file = await openProfiledFileUnlessAborted(source, options, options.signal, options.onProgress);

  try {
    const { detected } = file.reader;
    const names = file.columns.map((column) => column.name);

    return {
      format: detected.format,
      encoding: detected.encoding,
      delimiter: detected.delimiter,
      header: detected.header,
      columns: file.inferred.map((inferred, index) => ({
        ...inferred,
        label: file.columns[index].label,
        position: file.columns[index].position,
        columnId: file.columns[index].columnId,
      })),
      rows: file.sample.rows.slice(0, PROFILE_ROWS).map((row) => toRowObject(names, row)),
      rowErrors: sampleRowErrors(file.sample.chunks),
      sampledRows: file.sample.rows.length,
      complete: file.sample.complete && file.sample.remainder === null,
    };
  } finally {
    await file.reader.close();
  }
}

/**
 * Keys a raw row by column name. `Object.fromEntries` defines own
 * properties, so a column named `__proto__` stays an ordinary key.
 */
function toRowObject(names: readonly string[], row: readonly RawValue[]): Record<string, JsonValue> {
  return Object.fromEntries(names.map((name, index) => [name, toJsonRaw(row[index] ?? null)]));
}

/** Converts a raw value to JSON: a bigint from a JSON reader, at any depth, becomes its digits as a string. */
function toJsonRaw(value: unknown): JsonValue {
  if (typeof value === 'bigint') {
    return value.toString();
  }

  if (Array.isArray(value)) {
    return value.map(toJsonRaw);
  }

  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonRaw(item)]));
  }

  return value as JsonValue;
}

function sampleRowErrors(chunks: readonly FileChunk[]): RowProblem[] {
  const problems: RowProblem[] = [];

  for (const chunk of chunks) {
    for (const error of chunk.errors) {
      if (problems.length === PROFILE_ROW_ERRORS) {
        return problems;
      }

      problems.push(toRecordProblem(error));
    }
  }

  return problems;
}
