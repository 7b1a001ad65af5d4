import { z } from 'zod';

import { fromEnv, markSecret } from '@rokks/config';
import { type BaseSettings } from '@rokks/service-kit';
import { DEFAULT_QUERY_LIMITS } from '@rokks/sql-engine';

const wholeNumber = (minimum: number, maximum: number, unit: string) =>
  z.coerce
    .number({ error: `must be a whole number of ${unit}` })
    .int(`must be a whole number of ${unit}`)
    .min(minimum, `must be at least ${minimum} ${unit}`)
    .max(maximum, `must be at most ${maximum} ${unit}`);

const databaseUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(?:ql)?:\/\/./iu.test(value) && URL.canParse(value), {
    error: 'must be a postgres:// or postgresql:// URL',
  });

/** Settings of the SQL gateway, on top of the service kit's base settings. */
export const sqlGatewaySettings = z.object({
  /**
   * PostgreSQL (or TimescaleDB) server, as a `postgres://user:password@host:port/database`
   * URL. Unset: embedded PGlite in `<data dir>/sql-gateway/pglite`.
   */
  databaseUrl: markSecret(fromEnv('DATABASE_URL', databaseUrl.optional())),
  /** Maximum connections the gateway opens to PostgreSQL; each open load uses one until it ends. */
  poolSize: fromEnv('ROKKS_SQL_POOL_SIZE', wholeNumber(2, 500, 'connections').default(10)),
  /** Time a request waits for a free connection before it fails with 503. */
  connectTimeoutMs: fromEnv(
    'ROKKS_SQL_CONNECT_TIMEOUT_MS',
    wholeNumber(100, 600_000, 'milliseconds').default(10_000),
  ),
  /** `statement_timeout` of each query; also the budget of the whole query including its fetches. */
  statementTimeoutMs: fromEnv(
    'ROKKS_SQL_STATEMENT_TIMEOUT_MS',
    wholeNumber(100, 3_600_000, 'milliseconds').default(DEFAULT_QUERY_LIMITS.statementTimeoutMs),
  ),
  /** Maximum rows of a query result; a request's `limit` can only lower it. */
  maxRows: fromEnv(
    'ROKKS_SQL_MAX_ROWS',
    wholeNumber(1, 10_000_000, 'rows').default(DEFAULT_QUERY_LIMITS.maxRows),
  ),
  /**
   * Maximum characters of value text in a query result: the size cap of a
   * result, counted in characters, to which the JSON response adds quotes
   * and separators. The result stops before the row that crosses it.
   */
  maxResultChars: fromEnv(
    'ROKKS_SQL_MAX_RESULT_CHARS',
    wholeNumber(1024, 1024 ** 3, 'characters').default(DEFAULT_QUERY_LIMITS.maxResultChars),
  ),
  /** Maximum characters of one value in a result; longer text values are cut to this prefix. */
  maxValueChars: fromEnv(
    'ROKKS_SQL_MAX_VALUE_CHARS',
    wholeNumber(16, 1024 ** 3, 'characters').default(DEFAULT_QUERY_LIMITS.maxValueChars),
  ),
  /** Queries (SQL and widget) one user runs at once. */
  maxConcurrentPerUser: fromEnv(
    'ROKKS_SQL_MAX_CONCURRENT_PER_USER',
    wholeNumber(1, 1000, 'queries').default(DEFAULT_QUERY_LIMITS.maxConcurrentPerUser),
  ),
  /** Queries one user may have waiting for a slot; one more gets 429. */
  maxQueuedPerUser: fromEnv(
    'ROKKS_SQL_MAX_QUEUED_PER_USER',
    wholeNumber(0, 10_000, 'queries').default(DEFAULT_QUERY_LIMITS.maxQueuedPerUser),
  ),
  /**
   * Loads open at once on PostgreSQL; one more gets 429. It must stay below
   * `poolSize`, because each open load holds a connection. PGlite always
   * takes one load at a time.
   */
  maxOpenLoads: fromEnv('ROKKS_SQL_MAX_OPEN_LOADS', wholeNumber(1, 500, 'loads').default(4)),
  /** An open load that no request touches for this long is aborted. */
  loadIdleTimeoutMs: fromEnv(
    'ROKKS_SQL_LOAD_IDLE_TIMEOUT_MS',
    wholeNumber(100, 86_400_000, 'milliseconds').default(300_000),
  ),
  /** `auto` uses TimescaleDB hypertables and `time_bucket` when the server offers the extension. */
  timescale: fromEnv(
    'ROKKS_SQL_TIMESCALE',
    z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
  ),
});

export type SqlGatewaySettings = BaseSettings & z.output<typeof sqlGatewaySettings>;
