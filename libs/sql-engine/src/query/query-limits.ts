/** Limits every query runs under; `DEFAULT_QUERY_LIMITS` lists the defaults. */
export interface QueryLimits {
  /** `statement_timeout` of each statement, and the budget of the whole query including its fetches. */
  statementTimeoutMs: number;
  /** `lock_timeout`: how long a query waits for a lock. */
  lockTimeoutMs: number;
  /** `idle_in_transaction_session_timeout`: ends a query transaction whose client stopped talking. */
  idleInTransactionTimeoutMs: number;
  /** Rows a result may hold; a request's `limit` can only lower it. */
  maxRows: number;
  /** Characters of value text a result may hold; the result stops before the row that crosses it. */
  maxResultChars: number;
  /** Characters one value may hold; a longer value of a variable-length type is cut to this prefix. */
  maxValueChars: number;
  /** Rows per `FETCH` from the query's cursor. */
  fetchRows: number;
  /**
   * Planner cost (PostgreSQL's estimate, in its arbitrary cost units) above
   * which a query is rejected before it runs; null for no check. PGlite
   * cannot cancel a running statement, so the engine sets 1e7 there unless
   * the `limits` option sets it. On PostgreSQL `statement_timeout` does the job.
   */
  maxPlanCost: number | null;
  /** Queries one user may run at once. */
  maxConcurrentPerUser: number;
  /** Queries one user may have waiting for a slot; one more is rejected with TOO_MANY_QUERIES. */
  maxQueuedPerUser: number;
}

export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = {
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 5_000,
  idleInTransactionTimeoutMs: 60_000,
  maxRows: 10_000,
  maxResultChars: 16 * 1024 * 1024,
  maxValueChars: 1024 * 1024,
  fetchRows: 1_000,
  maxPlanCost: null,
  maxConcurrentPerUser: 2,
  maxQueuedPerUser: 20,
};

/** The plan cost cap of the embedded backend, where a statement cannot be cancelled once it runs. */
export const PGLITE_MAX_PLAN_COST = 1e7;
