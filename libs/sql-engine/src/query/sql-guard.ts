import { parse } from 'libpg-query';

import { SqlEngineError } from '../errors/sql-engine.exception';
import { isDeniedFunction, READABLE_SETTINGS } from './denied-functions';
import { LruCache } from './lru-cache';

/** Scope of a query: the workspace's schema of logical views and its tables. */
export interface GuardScope {
  /** The schema of the workspace's logical views. */
  schema: string;
  /** Logical table names of the workspace. */
  tables: ReadonlySet<string>;
  /**
   * Whether `WITH RECURSIVE` is allowed. A recursive query can run forever
   * at a small estimated cost, so only a backend with a working
   * statement_timeout should allow it.
   */
  allowRecursive?: boolean;
}

type NodeBody = Record<string, unknown>;

type ParseTree = Awaited<ReturnType<typeof parse>>;

/** The guard's result for an accepted statement. */
export interface CheckedQuery {
  /** The statement without its trailing semicolon. */
  statement: string;
  /**
   * Whether the statement names any relation (a table or a CTE). When it
   * does not, its result columns depend on the SQL text alone.
   */
  namesRelations: boolean;
}

/**
 * Parse trees of the 256 most recently used statements, by SQL text.
 * Dashboards send the same statements again and again, and parsing takes
 * most of the guard's time (about 0.1 ms for `SELECT 1` with libpg-query 18). The walk below only
 * reads a tree, so a cached tree is never changed.
 */
const parseCache = new LruCache<string, ParseTree>(256);
/** Longer statements are parsed every time, which bounds the cache's memory. */
const PARSE_CACHE_MAX_SQL_LENGTH = 4096;

const DATA_MODIFYING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Converts a 0-based UTF-8 byte offset in `sql` to a 1-based character position. */
export function bytePositionToCharacter(sql: string, byteOffset: number): number {
  const prefix = Buffer.from(sql, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');

  return prefix.length + 1;
}

function reject(sql: string, message: string, byteLocation: unknown): never {
  const details = typeof byteLocation === 'number' && byteLocation >= 0
    ? { position: bytePositionToCharacter(sql, byteLocation) }
    : {};

  throw new SqlEngineError('INVALID_QUERY', message, details);
}

/** Calls `visit` for every parse-tree node (an object keyed by its node type), depth first. */
function walk(value: unknown, visit: (type: string, body: NodeBody) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      walk(item, visit);
    }

    return;
  }

  if (value === null || typeof value !== 'object') {
    return;
  }

  for (const [key, child] of Object.entries(value)) {
    if (/^[A-Z]/.test(key) && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      visit(key, child as NodeBody);
    }

    walk(child, visit);
  }
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }

  return value.map((item: { String?: { sval?: string } }) => item.String?.sval ?? '');
}

function collectCteNames(tree: unknown): Set<string> {
  const names = new Set<string>();

  walk(tree, (type, body) => {
    if (type === 'CommonTableExpr' && typeof body.ctename === 'string') {
      names.add(body.ctename);
    }
  });

  return names;
}

function checkFunctionCall(sql: string, body: NodeBody, scope: GuardScope): void {
  const parts = stringList(body.funcname);
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length > 1 ? parts[parts.length - 2] : null;

  if (isDeniedFunction(name)) {
    reject(sql, `function ${name} is not allowed in a query`, body.location);
  }

  if (schema !== null && schema !== 'pg_catalog' && schema !== scope.schema) {
    reject(sql, `function ${parts.join('.')} is outside this workspace`, body.location);
  }

  if (name.toLowerCase() === 'current_setting') {
    const args = Array.isArray(body.args) ? body.args : [];
    const first = args[0] as { A_Const?: { sval?: { sval?: string } } } | undefined;
    const setting = first?.A_Const?.sval?.sval;

    if (args.length !== 1 || setting === undefined || !READABLE_SETTINGS.has(setting.toLowerCase())) {
      reject(
        sql,
        `current_setting may only read ${[...READABLE_SETTINGS].join(', ')}, given as a string literal`,
        body.location,
      );
    }
  }
}

function checkRelation(sql: string, body: NodeBody, scope: GuardScope, cteNames: Set<string>): void {
  const name = typeof body.relname === 'string' ? body.relname : '';
  const schema = typeof body.schemaname === 'string' ? body.schemaname : null;

  if (typeof body.catalogname === 'string') {
    reject(sql, `relation ${body.catalogname}.${schema}.${name} names another database`, body.location);
  }

  if (schema !== null && schema !== scope.schema) {
    reject(sql, `relation ${schema}.${name} is outside this workspace: name its tables without a schema`, body.location);
  }

  if (schema === null && cteNames.has(name)) {
    return;
  }

  if (!scope.tables.has(name)) {
    reject(sql, `table ${name} not found in this workspace`, body.location);
  }
}

async function parseCached(sql: string): Promise<ParseTree> {
  const cached = parseCache.get(sql);

  if (cached !== undefined) {
    return cached;
  }

  const tree = await parse(sql);

  if (sql.length <= PARSE_CACHE_MAX_SQL_LENGTH) {
    parseCache.set(sql, tree);
  }

  return tree;
}

/**
 * Parses `sql` with PostgreSQL's own parser and throws `INVALID_QUERY`, with
 * the character position, unless it is exactly one SELECT that reads only the
 * workspace's tables. Every subquery is checked for data-modifying CTEs,
 * `SELECT … INTO`, locking clauses, denied functions and relations outside
 * the workspace. Returns the statement without its trailing semicolon.
 */
export async function checkReadOnlyQuery(sql: string, scope: GuardScope): Promise<string> {
  return (await inspectReadOnlyQuery(sql, scope)).statement;
}

/** Checks `sql` as `checkReadOnlyQuery` does and also returns whether it names any relation. */
export async function inspectReadOnlyQuery(sql: string, scope: GuardScope): Promise<CheckedQuery> {
  let tree: ParseTree;

  try {
    tree = await parseCached(sql);
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const position = details?.cursorPosition;

    throw new SqlEngineError(
      'INVALID_QUERY',
      `invalid SQL: ${(error as Error).message}`,
      typeof position === 'number' ? { position: position + 1 } : {},
      { cause: error },
    );
  }

  const statements = tree.stmts ?? [];

  if (statements.length === 0) {
    throw new SqlEngineError('INVALID_QUERY', 'the query is empty: send one SELECT statement');
  }

  if (statements.length > 1) {
    reject(sql, 'only one statement is allowed per query', statements[1].stmt_location ?? 0);
  }

  const statement = statements[0].stmt as Record<string, unknown> | undefined;
  const statementType = statement === undefined ? 'nothing' : Object.keys(statement)[0];

  if (statementType !== 'SelectStmt') {
    reject(sql, `only SELECT is allowed, not ${statementType.replace(/Stmt$/, '')}`, statements[0].stmt_location ?? 0);
  }

  const cteNames = collectCteNames(statement);
  let namesRelations = false;

  walk(statement, (type, body) => {
    if (DATA_MODIFYING_NODES.has(type)) {
      const relation = (body.relation ?? {}) as NodeBody;

      reject(sql, `a query may not modify data (${type.replace(/Stmt$/, '').toUpperCase()})`, relation.location);
    }

    if (type === 'SelectStmt' && body.intoClause !== undefined) {
      const target = ((body.intoClause as NodeBody).rel ?? {}) as NodeBody;

      reject(sql, 'SELECT … INTO is not allowed: a query may not create tables', target.location);
    }

    const withClause = (body.withClause ?? {}) as NodeBody;

    if (type === 'SelectStmt' && withClause.recursive === true && scope.allowRecursive === false) {
      reject(
        sql,
        'WITH RECURSIVE is not allowed on the embedded database, which cannot stop a runaway query',
        withClause.location,
      );
    }

    if (type === 'SelectStmt' && Array.isArray(body.lockingClause) && body.lockingClause.length > 0) {
      reject(sql, 'FOR UPDATE / FOR SHARE is not allowed: a query may not lock rows', null);
    }

    if (type === 'FuncCall') {
      checkFunctionCall(sql, body, scope);
    }

    if (type === 'RangeVar') {
      checkRelation(sql, body, scope, cteNames);
      namesRelations = true;
    }
  });

  const length = statements[0].stmt_len ?? 0;
  const text = length > 0 ? Buffer.from(sql, 'utf8').subarray(0, length).toString('utf8') : sql;

  return { statement: text, namesRelations };
}
