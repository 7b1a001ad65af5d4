import { quoteIdent } from '@rokks/naming';

import { type Backend, type RawResult, type ResultField, type SqlParam, type SqlTransaction } from '../backends/backend';
import { rethrowDatabaseError } from '../errors/database-error.util';
import { SqlEngineError } from '../errors/sql-engine.exception';
import { type QueryLimits } from './query-limits';
import { type QueryResult, type ResultColumn } from './query-result';
import { contractTypeName, encodeValue, type JsonValue, TYPE_OIDS } from './value-encoding.util';

/** The READ ONLY transaction a query runs in. */
export interface QueryTransactionOptions {
  /** `search_path` of the transaction: the workspace's view schema. */
  searchPath: string;
  /** Role the statement runs as (`SET LOCAL ROLE`), or null to keep the connection's user. */
  role: string | null;
  /**
   * Trusted SELECTs of the engine's own, without parameters and separated by
   * semicolons, run in the setup before the role switch (so as the
   * connection's user, in the same round trip as `BEGIN`). Their rows become
   * the transaction's `setupRows`.
   */
  lookupSql?: string;
  /** A `PREPARE` that `lookupSql` executes, run once per connection (see `Backend.begin`). */
  lookupPrepareSql?: string;
}

/** One read-only statement, already checked, and the rows to return at most. */
export interface ReadQuery {
  /** A single SELECT without a trailing semicolon. */
  sql: string;
  params: readonly SqlParam[];
  /** Rows to return at most; capped by `limits.maxRows`. */
  limit: number;
  /**
   * Result columns of the statement from an earlier run, for a statement
   * whose columns depend on its text alone. The `LIMIT 0` probe is then
   * skipped, and the columns the database returns are checked against them.
   */
  knownFields?: readonly ResultField[];
  /**
   * Whether the read may end the transaction: when one `LIMIT` query reads
   * the result, its ROLLBACK goes with it (`SqlTransaction.queryAndRollback`).
   * The caller then rolls back only while `tx.finished` is false.
   */
  rollbackAfter?: boolean;
}

/** One read-only statement, already checked, and how to run it. */
export type CursorQuery = QueryTransactionOptions & ReadQuery;

/** A query's result and its result columns as the `LIMIT 0` probe (or `knownFields`) gave them. */
export interface ReadQueryResult {
  result: QueryResult;
  fields: ResultField[];
}

/** Types whose text output is short and bounded; values of every other type are cut to `maxValueChars`. */
const FIXED_WIDTH_TYPES: ReadonlySet<number> = new Set([
  TYPE_OIDS.bool,
  TYPE_OIDS.int2,
  TYPE_OIDS.int4,
  TYPE_OIDS.int8,
  TYPE_OIDS.oid,
  TYPE_OIDS.float4,
  TYPE_OIDS.float8,
  TYPE_OIDS.numeric,
  TYPE_OIDS.date,
  TYPE_OIDS.time,
  TYPE_OIDS.timestamp,
  TYPE_OIDS.timestamptz,
  TYPE_OIDS.interval,
  TYPE_OIDS.uuid,
]);

const PROBE_PREFIX = 'SELECT * FROM (';
const ROWS_CURSOR = 'rokks_rows';
/** Characters a value of a fixed-width type takes at most in text form (an interval is the longest). */
const FIXED_WIDTH_VALUE_CHARS = 64;

/** Returns a whole number of milliseconds as a setting value; anything else is a bug of the caller. */
function milliseconds(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`Invalid time limit ${value}: expected a whole number of milliseconds`);
  }

  return `'${value}ms'`;
}

/**
 * Returns the statements that set the transaction up, sent with `BEGIN` in
 * one round trip: read only, timeouts, UTC and ISO output, the workspace's
 * search path, no JIT compilation, the caller's lookup, then the role. JIT compiling takes tens
 * of milliseconds, more than it saves on the short queries of a dashboard.
 */
function transactionSetup(query: QueryTransactionOptions, limits: QueryLimits): string {
  const statements = [
    'SET TRANSACTION READ ONLY',
    `SET LOCAL statement_timeout = ${milliseconds(limits.statementTimeoutMs)}`,
    `SET LOCAL lock_timeout = ${milliseconds(limits.lockTimeoutMs)}`,
    `SET LOCAL idle_in_transaction_session_timeout = ${milliseconds(limits.idleInTransactionTimeoutMs)}`,
    `SET LOCAL search_path = ${quoteIdent(query.searchPath)}`,
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    'SET LOCAL extra_float_digits = 1',
    'SET LOCAL jit = off',
  ];

  if (limits.maxPlanCost !== null) {
    // A disabled plan node costs 1e10 extra before PostgreSQL 18, and the
    // TimescaleDB build of PGlite (PostgreSQL 17) ships with enable_seqscan
    // off: every sequential scan would then exceed the cost cap.
    statements.push('SET LOCAL enable_seqscan = on');
  }

  if (query.lookupSql !== undefined) {
    statements.push(query.lookupSql);
  }

  if (query.role !== null) {
    statements.push(`SET LOCAL ROLE ${quoteIdent(query.role)}`);
  }

  return statements.map((statement) => `${statement};`).join('\n');
}

async function typeNames(tx: SqlTransaction, fields: readonly ResultField[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const unknown: number[] = [];

  for (const field of fields) {
    const name = contractTypeName(field.typeId);

    if (name === null) {
      unknown.push(field.typeId);
    } else {
      names.set(field.typeId, name);
    }
  }

  if (unknown.length > 0) {
    const result = await tx.query(
      'SELECT oid::int4::text, format_type(oid, NULL) FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])',
      [`{${unknown.join(',')}}`],
    );

    for (const [oid, name] of result.rows) {
      names.set(Number(oid), name ?? 'unknown');
    }
  }

  return names;
}

/** Builds the select list that cuts long values and adds one flag per cut column. */
function boundedSelectList(fields: readonly ResultField[], maxValueChars: number): string {
  const values: string[] = [];
  const flags: string[] = [];

  fields.forEach((field, index) => {
    const column = `c${index + 1}`;

    if (FIXED_WIDTH_TYPES.has(field.typeId)) {
      values.push(column);
    } else {
      values.push(`left(${column}::text, ${maxValueChars})`);
      flags.push(`length(${column}::text) > ${maxValueChars}`);
    }
  });

  return [...values, ...flags].join(', ');
}

/** Builds the bounded SELECT over the caller's statement and returns where the caller's SQL starts in it. */
function boundedSelectSql(sql: string, fields: readonly ResultField[], limits: QueryLimits): { text: string; offset: number } {
  const aliases = fields.map((_, index) => `c${index + 1}`).join(', ');
  const selectList = boundedSelectList(fields, limits.maxValueChars);
  const prefix = `SELECT ${selectList} FROM (`;
  const alias = fields.length > 0 ? `rokks_q(${aliases})` : 'rokks_q';

  // The newline ends a trailing `--` comment of the caller's SQL before the parenthesis.
  return { text: `${prefix}${sql}\n) AS ${alias}`, offset: prefix.length };
}

interface PlanNode {
  'Node Type'?: string;
  'Total Cost'?: number;
  Plans?: PlanNode[];
}

/**
 * Returns the cost a plan may really take: its total cost, or the cost of a
 * Function Scan when that is higher. A Function Scan stores the function's
 * whole result before it returns a row, so a LIMIT above it does not shorten
 * the work, though the planner's estimate assumes it does.
 */
export function effectivePlanCost(root: PlanNode): number {
  let cost = root['Total Cost'] ?? 0;
  const pending = [root];

  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node['Node Type'] === 'Function Scan') {
      cost = Math.max(cost, node['Total Cost'] ?? 0);
    }

    pending.push(...(node.Plans ?? []));
  }

  return cost;
}

/** Rejects the statement when the planner's cost estimate exceeds `maxPlanCost`. */
async function checkPlanCost(
  tx: SqlTransaction,
  select: { text: string; offset: number },
  params: readonly SqlParam[],
  maxPlanCost: number,
): Promise<void> {
  const explained = await tx.query(`EXPLAIN (FORMAT JSON) ${select.text}`, params);
  const plans = JSON.parse(explained.rows[0]?.[0] ?? '[]') as { Plan?: PlanNode }[];
  const cost = effectivePlanCost(plans[0]?.Plan ?? {});

  if (cost > maxPlanCost) {
    throw new SqlEngineError(
      'TOO_LARGE',
      `the query's estimated cost ${cost.toExponential(2)} exceeds the limit ${maxPlanCost.toExponential(2)}: add filters`,
      { value: cost },
    );
  }
}

/** Opens the READ ONLY transaction a query runs in: timeouts, search path, the lookup, then the role. */
export function beginQueryTransaction(
  backend: Backend,
  options: QueryTransactionOptions,
  limits: QueryLimits,
): Promise<SqlTransaction> {
  return backend.begin(transactionSetup(options, limits), options.lookupPrepareSql);
}

/**
 * Runs one checked SELECT in its own READ ONLY transaction (see `readQuery`),
 * which is rolled back at the end.
 */
export async function runCursorQuery(backend: Backend, query: CursorQuery, limits: QueryLimits): Promise<QueryResult> {
  const tx = await beginQueryTransaction(backend, query, limits);

  try {
    const { result } = await readQuery(tx, query, limits);

    await tx.rollback();

    return result;
  } catch (error) {
    await tx.rollback();
    throw error;
  }
}

/**
 * Runs one checked SELECT in `tx`, a transaction from
 * `beginQueryTransaction`, which the caller ends. It describes the statement
 * with `LIMIT 0` (unless `knownFields` are given), then reads it through a
 * SELECT that cuts long values. When every column has a fixed-width type,
 * the row limit plus one bounds the result's size, so one `LIMIT` query reads
 * it (and may use a parallel plan). Otherwise a cursor fetches until the row
 * limit plus one, the character cap or the end.
 */
export async function readQuery(tx: SqlTransaction, query: ReadQuery, limits: QueryLimits): Promise<ReadQueryResult> {
  const limit = Math.max(0, Math.min(query.limit, limits.maxRows));
  const deadline = Date.now() + limits.statementTimeoutMs;
  const errorContext = { sqlLength: query.sql.length, timeoutMs: limits.statementTimeoutMs, dataErrorCode: 'INVALID_QUERY' as const };

  try {
    let fields: ResultField[];

    try {
      fields =
        query.knownFields === undefined
          ? (await tx.query(`${PROBE_PREFIX}${query.sql}\n) AS rokks_q LIMIT 0`, query.params)).fields
          : [...query.knownFields];
    } catch (error) {
      rethrowDatabaseError(error, { ...errorContext, sqlOffset: PROBE_PREFIX.length });
    }

    const select = boundedSelectSql(query.sql, fields, limits);
    const boundedRows = (limit + 1) * fields.length * FIXED_WIDTH_VALUE_CHARS <= limits.maxResultChars;
    const useLimit = boundedRows && fields.every((field) => FIXED_WIDTH_TYPES.has(field.typeId));
    const prefix = useLimit ? '' : `DECLARE ${ROWS_CURSOR} NO SCROLL CURSOR FOR `;
    // Type names come first, so that a LIMIT query is the transaction's last statement.
    const columnTypes = await typeNames(tx, fields);
    let limited: RawResult | undefined;

    try {
      if (limits.maxPlanCost !== null) {
        await checkPlanCost(tx, select, query.params, limits.maxPlanCost);
      }

      const text = `${prefix}${select.text}${useLimit ? ` LIMIT ${limit + 1}` : ''}`;
      const result = useLimit && query.rollbackAfter === true ? await tx.queryAndRollback(text, query.params) : await tx.query(text, query.params);

      limited = useLimit ? result : undefined;
    } catch (error) {
      rethrowDatabaseError(error, { ...errorContext, sqlOffset: prefix.length + select.offset });
    }

    if (limited !== undefined && query.knownFields !== undefined) {
      checkKnownFields(fields, limited.fields);
    }

    const columns: ResultColumn[] = fields.map((field) => ({
      name: field.name,
      type: columnTypes.get(field.typeId) ?? 'unknown',
    }));
    const fetched =
      limited === undefined
        ? await fetchRows(tx, fields, limit, deadline, limits, query.knownFields !== undefined)
        : takeRows([], limited.rows, fields, limit, limits, { characters: 0 });

    return {
      result: { columns, rows: fetched.rows, rowCount: fetched.rows.length, truncated: fetched.truncated },
      fields,
    };
  } catch (error) {
    rethrowDatabaseError(error, errorContext);
  }
}

/**
 * Throws when the bounded SELECT returned other columns than `fields`
 * promised: a fixed-width column of another type would not have been cut.
 */
function checkKnownFields(fields: readonly ResultField[], returned: readonly ResultField[]): void {
  const cutColumns = fields.filter((field) => !FIXED_WIDTH_TYPES.has(field.typeId)).length;
  const matches =
    returned.length === fields.length + cutColumns &&
    fields.every((field, index) => !FIXED_WIDTH_TYPES.has(field.typeId) || returned[index].typeId === field.typeId);

  if (!matches) {
    throw new Error('the query returned other columns than its cached result columns; the entry is dropped, so retry the query');
  }
}

async function fetchRows(
  tx: SqlTransaction,
  fields: readonly ResultField[],
  limit: number,
  deadline: number,
  limits: QueryLimits,
  checkFields: boolean,
): Promise<{ rows: JsonValue[][]; truncated: boolean }> {
  const rows: JsonValue[][] = [];
  const counter = { characters: 0 };
  let truncated = false;
  let finished = false;

  while (!finished && rows.length <= limit) {
    if (Date.now() > deadline) {
      throw new SqlEngineError('TIMEOUT', `the query timed out after ${limits.statementTimeoutMs} ms while reading rows`);
    }

    const count = Math.min(limits.fetchRows, limit + 1 - rows.length);
    const batch = await tx.query(`FETCH FORWARD ${count} FROM ${ROWS_CURSOR}`);

    if (checkFields && rows.length === 0) {
      checkKnownFields(fields, batch.fields);
    }

    const appended = takeRows(rows, batch.rows, fields, limit, limits, counter);

    truncated ||= appended.truncated;
    finished = appended.full || batch.rows.length < count;
  }

  return { rows, truncated };
}

/**
 * Appends raw rows to `rows` until the row limit or the character cap, and
 * returns whether a limit cut the result (`truncated`) and whether no more
 * rows may follow (`full`). `counter` carries the characters taken so far.
 */
function takeRows(
  rows: JsonValue[][],
  raws: readonly (string | null)[][],
  fields: readonly ResultField[],
  limit: number,
  limits: QueryLimits,
  counter: { characters: number },
): { rows: JsonValue[][]; truncated: boolean; full: boolean } {
  let truncated = false;

  for (const raw of raws) {
    const rowCharacters = raw
      .slice(0, fields.length)
      .reduce((sum, value) => sum + (value?.length ?? 0), 0);

    if (rows.length === limit || counter.characters + rowCharacters > limits.maxResultChars) {
      return { rows, truncated: true, full: true };
    }

    counter.characters += rowCharacters;
    // Cut flags follow the values: 't' where a value was longer than maxValueChars.
    truncated ||= raw.slice(fields.length).includes('t');
    rows.push(fields.map((field, index) => encodeValue(raw[index], field.typeId)));
  }

  return { rows, truncated, full: false };
}
