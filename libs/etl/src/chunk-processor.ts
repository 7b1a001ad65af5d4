import { type FileChunk, type RowError } from '@rokks/file-reader';
import {
  type ChunkResult,
  type OnErrorPolicy,
  type RawValue,
  type TransformError,
  TransformFailedError,
  type Transformer,
  type TransformStats,
  type Value,
} from '@rokks/transform';

import { describeProblem, EtlError } from './etl.error';
import { type RowProblem } from './etl.types';

/** The maximum number of problems one `BAD_DATA` error lists. */
export const MAX_REPORTED_PROBLEMS = 100;

/** The output of one chunk: rows to load, rows for the rejects file, and values that became null. */
export interface ProcessedChunk {
  rows: Value[][];
  rejects: RowProblem[];
  /** Bad values nulled under the `null` policy, as far as the transformer reports them (`maxErrors`). */
  nulled: RowProblem[];
}

type LineOf = (row: number) => number | null;
type RecordOf = (row: number) => string | null;

/**
 * Runs the file's chunks through a transformer and applies the error policy
 * to both kinds of problem: bad values, which the transformer finds, and
 * malformed records (ragged, badly quoted), which the file reader reports.
 * Preview and load both use it, so they treat every problem the same way.
 *
 * - `fail`: the first problem throws `BAD_DATA`. Its `problems` list that
 *   problem, then the malformed records the reader found in the same chunk.
 * - `reject-row`: the row goes to `rejects`, a malformed record with its raw text.
 * - `null`: a bad value becomes null. A malformed record is padded with
 *   nulls or cut to the columns, as the transformer does with a ragged row.
 *   A record the reader could not split into values at all is rejected,
 *   because no value of it could be loaded.
 */
export class ChunkProcessor {
  private recordsIn = 0;
  private recordsRejected = 0;

  constructor(
    private readonly transformer: Transformer,
    private readonly policy: OnErrorPolicy,
  ) {}

  /** Counters over every chunk so far; `rowsIn` counts malformed records too. */
  get stats(): TransformStats {
    const stats = this.transformer.stats;

    return {
      rowsIn: this.recordsIn,
      rowsOut: stats.rowsOut,
      rowsRejected: stats.rowsRejected + this.recordsRejected,
      valuesNulled: stats.valuesNulled,
    };
  }

  process(chunk: FileChunk): ProcessedChunk {
    const processed: ProcessedChunk = { rows: [], rejects: [], nulled: [] };
    const lineOf: LineOf = (row) => chunk.lineNumbers[row - chunk.firstRowNumber] ?? null;

    this.recordsIn += chunk.rows.length + chunk.errors.length;

    if (chunk.rows.length > 0) {
      const pushed = this.run(() => this.transformer.push(chunk.rows, chunk.firstRowNumber), lineOf, chunk.errors);

      this.collect(processed, pushed, lineOf, () => null);
    }

    for (const error of chunk.errors) {
      this.handleMalformed(processed, error, chunk.errors);
    }

    return processed;
  }

  /** Flushes rows a keep-last dedupe held back; their line numbers are no longer known. */
  finish(): ProcessedChunk {
    const processed: ProcessedChunk = { rows: [], rejects: [], nulled: [] };
    const lineOf: LineOf = () => null;

    this.collect(processed, this.run(() => this.transformer.finish(), lineOf, []), lineOf, () => null);

    return processed;
  }

  private handleMalformed(processed: ProcessedChunk, error: RowError, chunkErrors: readonly RowError[]): void {
    switch (this.policy) {
      case 'fail':
        throw badData(chunkErrors.map(toRecordProblem));
      case 'reject-row':
        this.reject(processed, error);
        break;
      case 'null':
        if (error.values === null) {
          this.reject(processed, error);
        } else {
          const values = error.values as RawValue[];
          const lineOf: LineOf = () => error.line;
          const pushed = this.run(() => this.transformer.push([values], error.row), lineOf, []);

          this.collect(processed, pushed, lineOf, () => error.raw);
        }

        break;
    }
  }

  private reject(processed: ProcessedChunk, error: RowError): void {
    this.recordsRejected += 1;
    processed.rejects.push(toRecordProblem(error));
  }

  /** Runs a push or finish, turning the `fail` policy's stop into `BAD_DATA`. */
  private run(work: () => ChunkResult, lineOf: LineOf, chunkErrors: readonly RowError[]): ChunkResult {
    try {
      return work();
    } catch (error) {
      if (error instanceof TransformFailedError) {
        throw badData([toValueProblem(error.error, lineOf, () => null), ...chunkErrors.map(toRecordProblem)], error);
      }

      throw error;
    }
  }

  private collect(processed: ProcessedChunk, result: ChunkResult, lineOf: LineOf, recordOf: RecordOf): void {
    if (processed.rows.length === 0) {
      processed.rows = result.rows;
    } else {
      for (const row of result.rows) {
        processed.rows.push(row);
      }
    }

    const target = this.policy === 'reject-row' ? processed.rejects : processed.nulled;

    for (const error of result.errors) {
      target.push(toValueProblem(error, lineOf, recordOf));
    }
  }
}

/** Converts a malformed record to a problem with no column or value and its raw text in `record`. */
export function toRecordProblem(error: RowError): RowProblem {
  return {
    row: error.row,
    line: error.line,
    column: null,
    value: null,
    // The reader starts its messages with the line, which the problem carries on its own.
    message: error.message.replace(/^line \d+: /, ''),
    record: error.raw,
  };
}

function toValueProblem(error: TransformError, lineOf: LineOf, recordOf: RecordOf): RowProblem {
  return {
    row: error.row,
    line: lineOf(error.row),
    column: error.column,
    value: error.value,
    message: error.message,
    record: recordOf(error.row),
  };
}

function badData(problems: readonly RowProblem[], cause?: unknown): EtlError {
  const listed = problems.slice(0, MAX_REPORTED_PROBLEMS);
  const more = problems.length > listed.length ? `; and ${problems.length - listed.length} more` : '';

  return new EtlError(
    'BAD_DATA',
    `nothing was loaded, because onError is "fail" and the file has bad data: ${listed.map(describeProblem).join('; ')}${more}. Fix the file, or set onError to "reject-row" or "null".`,
    { problems: listed },
    cause === undefined ? undefined : { cause },
  );
}
