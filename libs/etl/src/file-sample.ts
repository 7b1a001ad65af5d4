import { type FileChunk } from '@rokks/file-reader';
import { type RawValue } from '@rokks/transform';

import { EtlError } from './etl.error';
import { type SampleLimits } from './etl.types';

export const DEFAULT_SAMPLE_ROWS = 10_000;
export const DEFAULT_SAMPLE_CHARS = 16 * 1024 * 1024;

/** The head of a file: the rows types are inferred from, and the chunks that hold them. */
export interface FileSample {
  /** The chunks of the sample, in file order; the last one is cut where the limit fell. */
  chunks: FileChunk[];
  /** The part of a chunk after the limit, or a chunk read to find out whether the file had ended. */
  remainder: FileChunk | null;
  /** The sampled data rows, at most `maxRows`. */
  rows: RawValue[][];
  /** True when the file ended within the sample. */
  complete: boolean;
}

/** Checks sample limits and fills in the defaults. */
export function resolveSampleLimits(limits: SampleLimits = {}): Required<SampleLimits> {
  const resolved = {
    maxRows: limits.maxRows ?? DEFAULT_SAMPLE_ROWS,
    maxChars: limits.maxChars ?? DEFAULT_SAMPLE_CHARS,
  };

  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new EtlError('INVALID_OPTIONS', `sample.${name} must be a positive integer, got ${String(value)}`);
    }
  }

  return resolved;
}

/**
 * Reads chunks until the sample has `maxRows` rows or `maxChars` characters
 * of string values, whichever comes first. The limits count rows and
 * characters, never bytes read, so the sample does not depend on how the
 * source cuts its pieces, and profile, preview and load infer the same types.
 * After a sample that ends on a chunk boundary, one more chunk is read to
 * tell whether the file ended, and it is returned as the remainder.
 */
export async function readSample(
  chunks: AsyncIterator<FileChunk>,
  limits: Required<SampleLimits>,
  onChunk: () => void = () => undefined,
): Promise<FileSample> {
  const sample: FileSample = { chunks: [], remainder: null, rows: [], complete: false };
  let chars = 0;

  while (sample.rows.length < limits.maxRows && chars < limits.maxChars) {
    const next = await chunks.next();

    onChunk();

    if (next.done === true) {
      sample.complete = true;

      return sample;
    }

    const chunk = next.value;
    let taken = 0;

    while (taken < chunk.rows.length && sample.rows.length < limits.maxRows && chars < limits.maxChars) {
      const row = chunk.rows[taken];

      sample.rows.push(row);
      chars += countChars(row);
      taken += 1;
    }

    if (taken === chunk.rows.length) {
      sample.chunks.push(chunk);
    } else {
      const [head, tail] = splitChunk(chunk, taken);

      sample.chunks.push(head);
      sample.remainder = tail;

      return sample;
    }
  }

  const next = await chunks.next();

  onChunk();

  if (next.done === true) {
    sample.complete = true;
  } else {
    sample.remainder = next.value;
  }

  return sample;
}

/** Cuts a chunk before row `index`; the record errors, which follow the rows, stay with the tail. */
function splitChunk(chunk: FileChunk, index: number): [FileChunk, FileChunk] {
  return [
    {
      rows: chunk.rows.slice(0, index),
      firstRowNumber: chunk.firstRowNumber,
      lineNumbers: chunk.lineNumbers.slice(0, index),
      errors: [],
    },
    {
      rows: chunk.rows.slice(index),
      firstRowNumber: chunk.firstRowNumber + index,
      lineNumbers: chunk.lineNumbers.slice(index),
      errors: chunk.errors,
    },
  ];
}

/** Characters of a row's string values, plus one per value; other values count 8. */
function countChars(row: readonly RawValue[]): number {
  let chars = row.length;

  for (const value of row) {
    if (typeof value === 'string') {
      chars += value.length;
    } else if (value !== null) {
      chars += 8;
    }
  }

  return chars;
}
