/**
 * The error catalogue of the SQL engine. Each code has one HTTP status that a
 * controller maps it to; `message` names the table, column or value involved
 * and is safe to show to the caller, `details` carries structured fields (the
 * 1-based character `position` in the submitted SQL for invalid queries).
 */
export const SQL_ENGINE_ERROR_STATUS = {
  INVALID_QUERY: 400,
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  INVALID_DATA: 422,
  TOO_MANY_QUERIES: 429,
  TIMEOUT: 504,
  BACKEND_UNAVAILABLE: 503,
} as const;

export type SqlEngineErrorCode = keyof typeof SQL_ENGINE_ERROR_STATUS;

export interface SqlEngineErrorDetails {
  /** 1-based character position in the submitted SQL text. */
  position?: number;
  table?: string;
  column?: string;
  value?: unknown;
  /** The PostgreSQL SQLSTATE when the database raised the error. */
  sqlState?: string;
  [key: string]: unknown;
}

export class SqlEngineError extends Error {
  override readonly name = 'SqlEngineError';

  constructor(
    readonly code: SqlEngineErrorCode,
    message: string,
    readonly details: SqlEngineErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The HTTP status a controller answers with for this error. */
  get httpStatus(): number {
    return SQL_ENGINE_ERROR_STATUS[this.code];
  }
}

export function isSqlEngineError(error: unknown): error is SqlEngineError {
  return error instanceof SqlEngineError;
}

/** Renders a value for an error message so that quotes and control characters stay visible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') {
    return value.toString();
  }

  if (value === undefined) {
    return 'undefined';
  }

  const text = JSON.stringify(value) ?? String(value);

  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
