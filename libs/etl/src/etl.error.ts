import { type SpecError } from '@rokks/transform';

import { type RowProblem } from './etl.types';

/**
 * - `INVALID_OPTIONS`: a mode, key, limit or other option is invalid.
 * - `INVALID_SPEC`: the spec is invalid for the file's columns (`specErrors`).
 * - `NO_COLUMNS`: the file has no columns to load.
 * - `BAD_DATA`: under `fail`, a bad value or record stopped the run (`problems`).
 * - `READ_FAILED`: the file could not be read (bad encoding, a record too large, broken JSON).
 * - `LOAD_FAILED`: the load target failed.
 * - `REJECTS_FAILED`: the rejects file could not be written.
 * - `ABORTED`: the run's AbortSignal fired.
 */
export type EtlErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_SPEC'
  | 'NO_COLUMNS'
  | 'BAD_DATA'
  | 'READ_FAILED'
  | 'LOAD_FAILED'
  | 'REJECTS_FAILED'
  | 'ABORTED';

export interface EtlErrorDetails {
  problems?: readonly RowProblem[];
  specErrors?: readonly SpecError[];
}

/** The one error type of this library; `code` is stable and `message` names the value and the fix. */
export class EtlError extends Error {
  override readonly name = 'EtlError';
  readonly problems: readonly RowProblem[];
  readonly specErrors: readonly SpecError[];

  constructor(
    readonly code: EtlErrorCode,
    message: string,
    details: EtlErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.problems = details.problems ?? [];
    this.specErrors = details.specErrors ?? [];
  }
}

/** Writes one problem for a message: `line 3: 4 fields, expected 3` or `line 5, column "day", value "31/02": …`. */
export function describeProblem(problem: RowProblem): string {
  const where = problem.line === null ? `row ${problem.row}` : `line ${problem.line}`;

  if (problem.column === null) {
    return `${where}: ${problem.message}`;
  }

  const value = problem.value === null ? 'null' : JSON.stringify(problem.value);

  return `${where}, column ${JSON.stringify(problem.column)}, value ${value}: ${problem.message}`;
}
