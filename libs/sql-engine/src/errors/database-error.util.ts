import { isSqlEngineError, SqlEngineError, type SqlEngineErrorDetails } from './sql-engine.exception';

interface DatabaseErrorFields {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  table?: unknown;
  column?: unknown;
}

/** Returns the SQLSTATE of an error `pg` or PGlite raised, or null for any other error. */
export function sqlStateOf(error: unknown): string | null {
  if (isSqlEngineError(error)) {
    return null;
  }

  const code = (error as DatabaseErrorFields | null)?.code;

  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export interface DatabaseErrorContext {
  /** Characters the engine put before the caller's SQL in the statement it sent. */
  sqlOffset?: number;
  /** Length of the caller's SQL, to drop positions that fall outside it. */
  sqlLength?: number;
  /** Statement timeout in force, for the message. */
  timeoutMs?: number;
  /** The code for data exceptions (SQLSTATE class 22): a load's bad value is 422, a query's 400. */
  dataErrorCode?: 'INVALID_DATA' | 'INVALID_QUERY';
}

/**
 * Maps a database error to the error catalogue; returns null for errors that
 * are the engine's fault or a broken backend with no SQLSTATE, which the
 * caller rethrows as they are.
 */
export function mapDatabaseError(error: unknown, context: DatabaseErrorContext = {}): SqlEngineError | null {
  const sqlState = sqlStateOf(error);

  if (sqlState === null) {
    return null;
  }

  const fields = error as DatabaseErrorFields;
  const message = typeof fields.message === 'string' ? fields.message : 'database error';
  const details: SqlEngineErrorDetails = { sqlState };
  const rawPosition = Number(fields.position);

  if (Number.isInteger(rawPosition) && rawPosition > 0) {
    const position = rawPosition - (context.sqlOffset ?? 0);

    if (position >= 1 && (context.sqlLength === undefined || position <= context.sqlLength + 1)) {
      details.position = position;
    }
  }

  const options = { cause: error };
  const sqlClass = sqlState.slice(0, 2);

  if (sqlState === '57014' || sqlState === '55P03' || sqlState === '25P03') {
    const limit = context.timeoutMs === undefined ? '' : ` after ${context.timeoutMs} ms`;

    return new SqlEngineError('TIMEOUT', `the query timed out${limit} (${message})`, details, options);
  }

  if (sqlState === '23505') {
    return new SqlEngineError('CONFLICT', message, details, options);
  }

  if (sqlClass === '54') {
    return new SqlEngineError('TOO_LARGE', `the query exceeds a database limit: ${message}`, details, options);
  }

  if (sqlClass === '08' || sqlClass === '53' || sqlClass === '57' || sqlClass === '58') {
    return new SqlEngineError('BACKEND_UNAVAILABLE', `the database is unavailable: ${message}`, details, options);
  }

  if (sqlClass === '22' || sqlClass === '23') {
    return new SqlEngineError(context.dataErrorCode ?? 'INVALID_DATA', message, details, options);
  }

  return new SqlEngineError('INVALID_QUERY', message, details, options);
}

/** Rethrows `error` mapped to the catalogue when it came from the database, else unchanged. */
export function rethrowDatabaseError(error: unknown, context: DatabaseErrorContext = {}): never {
  throw mapDatabaseError(error, context) ?? error;
}
