import { type ByteSource } from '@rokks/file-reader';
import { type JsonValue, toJsonValue, type TransformSpec, type Value } from '@rokks/transform';

import { throwIfAborted } from './abort.util';
import { ChunkProcessor, type ProcessedChunk } from './chunk-processor';
import { EtlError } from './etl.error';
import { type PreviewColumn, type PreviewResult, type ReadSettings, type RowProblem } from './etl.types';
import { createFileTransformer, openProfiledFileUnlessAborted, type ProfiledFile } from './profiled-file';
import { toLoadColumns } from './source-columns.util';

export const DEFAULT_PREVIEW_LIMIT = 100;
export const DEFAULT_PREVIEW_MAX_ERRORS = 100;

export interface PreviewOptions extends ReadSettings {
  /** The maximum number of output rows returned; default 100. */
  limit?: number;
  /** The maximum number of problems returned; default 100. `stats` still counts every one. */
  maxErrors?: number;
  signal?: AbortSignal;
}

/**
 * Runs a spec over the head of a file (its sample, 10,000 rows by default)
 * exactly as the load runs it: the same reader, naming, inferred types,
 * transformer and error policy. It returns the first `limit` output rows as
 * JSON values, the problems met over the whole sample, and the counters.
 * `input` is the file's bytes, or the text of a small CSV file.
 *
 * Under `fail`, the first problem stops the preview. Then `failed` is true,
 * `errors` contains the problem, and `rows` contains the rows of the chunks
 * before it. An invalid spec throws `INVALID_SPEC`.
 */
export async function previewFile(
  input: ByteSource | string,
  spec: unknown,
  options: PreviewOptions = {},
): Promise<PreviewResult> {
  const limit = checkCount('limit', options.limit ?? DEFAULT_PREVIEW_LIMIT);
  const maxErrors = checkCount('maxErrors', options.maxErrors ?? DEFAULT_PREVIEW_MAX_ERRORS);
  const source = typeof input === 'string' ? [input] : input;
  const file = await openProfiledFileUnlessAborted(source, options, options.signal);

  try {
    return runPreview(file, spec, options, limit, maxErrors);
  } finally {
    await file.reader.close();
  }
}

function runPreview(
  file: ProfiledFile,
  spec: unknown,
  options: PreviewOptions,
  limit: number,
  maxErrors: number,
): PreviewResult {
  const transformer = createFileTransformer(spec, file);
  const loadColumns = toLoadColumns(spec as TransformSpec, file.columns, transformer.columns, options.existingColumns);
  const columns: PreviewColumn[] = loadColumns.map(({ name, label, type }) => ({ name, label, type }));
  const processor = new ChunkProcessor(transformer, (spec as TransformSpec).onError ?? 'fail');
  const rows: JsonValue[][] = [];
  const errors: RowProblem[] = [];
  let failed = false;

  const take = (processed: ProcessedChunk): void => {
    takeRows(rows, processed.rows, columns, limit);
    takeErrors(errors, [...processed.rejects, ...processed.nulled], maxErrors);
  };

  try {
    for (const chunk of file.sample.chunks) {
      throwIfAborted(options.signal);
      take(processor.process(chunk));
    }

    take(processor.finish());
  } catch (error) {
    if (!(error instanceof EtlError && error.code === 'BAD_DATA')) {
      throw error;
    }

    failed = true;
    takeErrors(errors, error.problems, maxErrors);
  }

  return {
    columns,
    rows,
    errors,
    stats: processor.stats,
    failed,
    sampledRows: file.sample.rows.length,
    complete: file.sample.complete && file.sample.remainder === null,
  };
}

function takeRows(rows: JsonValue[][], values: readonly Value[][], columns: readonly PreviewColumn[], limit: number): void {
  for (const row of values) {
    if (rows.length === limit) {
      return;
    }

    rows.push(row.map((value, index) => toJsonValue(value, columns[index].type)));
  }
}

function takeErrors(errors: RowProblem[], problems: readonly RowProblem[], maxErrors: number): void {
  for (const problem of problems) {
    if (errors.length === maxErrors) {
      return;
    }

    errors.push(problem);
  }
}

function checkCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EtlError('INVALID_OPTIONS', `${name} must be a non-negative integer, got ${String(value)}`);
  }

  return value;
}
