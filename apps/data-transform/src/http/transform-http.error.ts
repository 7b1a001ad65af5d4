/**
 * - `INVALID_ARGUMENT`: a field of the request is invalid (`field` names it).
 * - `INVALID_SPEC`: the transformation spec is invalid (`specErrors` lists every problem).
 * - `NOT_FOUND`: the file is not in the workspace.
 * - `CONFLICT`: the table that a run would create exists.
 * - `TOO_LARGE`: the body or the inline CSV is over its limit.
 * - `UNREADABLE_FILE`: the file cannot be read as CSV, JSON or NDJSON, or has no columns.
 */
export type TransformErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SPEC'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_LARGE'
  | 'UNREADABLE_FILE';

const STATUS_OF: Record<TransformErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  INVALID_SPEC: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNREADABLE_FILE: 422,
};

/** A client error of this service; the exception filter sends it as `{statusCode, error, message, details}`. */
export class TransformHttpError extends Error {
  override readonly name = 'TransformHttpError';
  readonly status: number;

  constructor(
    readonly code: TransformErrorCode,
    message: string,
    /** Extra fields of `details`, besides `code`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = STATUS_OF[code];
  }
}

/** Builds a 400 that names the invalid field of the body or query. */
export function invalidField(field: string, message: string): TransformHttpError {
  return new TransformHttpError('INVALID_ARGUMENT', message, { field });
}
