import { type JsonValue, type SortDirection } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type NormalizedQuery, type NormalizedWhere } from '../validation/query.util';
import { type FieldKeys } from './query-fields';
import {
  arrayElementCondition,
  jsonPathLiteral,
  sqlStringLiteral,
  TYPE_RANK,
  typedOperand,
} from './sql-json.util';

export type SqlParameter = number | string;

export interface CompiledQuery {
  sql: string;
  params: SqlParameter[];
  /** Number of sort key columns (`key_0` …) that follow the document columns in each row. */
  sortKeyCount: number;
}

export interface QueryCompilerContext {
  keysFor(field: NormalizedWhere['field']): FieldKeys;
  renderJson(json: string): string;
}

interface SortKey {
  sql: string;
  direction: SortDirection;
}

const RANGE_SQL = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

function whereCondition(
  clause: NormalizedWhere,
  context: QueryCompilerContext,
): { sql: string; params: SqlParameter[] } {
  const keys = context.keysFor(clause.field);

  switch (clause.operator) {
    case '==': {
      const operand = typedOperand(clause.value, context.renderJson);

      return {
        sql: `(${keys.rank} = ? AND ${keys.value} = ?)`,
        params: [operand.rank, operand.value],
      };
    }

    case '!=': {
      const operand = typedOperand(clause.value, context.renderJson);

      return {
        sql: `(${keys.rank} IS NOT NULL AND NOT (${keys.rank} = ? AND ${keys.value} = ?))`,
        params: [operand.rank, operand.value],
      };
    }

    case '<':
    case '<=':
    case '>':
    case '>=': {
      const operand = typedOperand(clause.value, context.renderJson);

      return {
        sql: `(${keys.rank} = ? AND ${keys.value} ${RANGE_SQL[clause.operator]} ?)`,
        params: [operand.rank, operand.value],
      };
    }

    case 'in':
      return inCondition(keys, clause, context);

    case 'array-contains': {
      const element = arrayElementCondition(clause.value, context.renderJson);

      return {
        sql:
          `(${keys.rank} = ${TYPE_RANK.array} AND EXISTS (SELECT 1 FROM json_each(documents.data, ${jsonPathLiteral(clause.field)}) AS e` +
          ` WHERE ${element.sql}))`,
        params: element.params,
      };
    }
  }
}

/** Groups the `in` values by type rank: `(rank = 2 AND value IN (1, 2)) OR (rank = 3 AND value IN ('a'))`. */
function inCondition(
  keys: FieldKeys,
  clause: NormalizedWhere,
  context: QueryCompilerContext,
): { sql: string; params: SqlParameter[] } {
  const byRank = new Map<number, SqlParameter[]>();

  for (const value of clause.value as JsonValue[]) {
    const operand = typedOperand(value, context.renderJson);
    const values = byRank.get(operand.rank) ?? [];

    values.push(operand.value);
    byRank.set(operand.rank, values);
  }

  const parts: string[] = [];
  const params: SqlParameter[] = [];

  for (const [rank, values] of byRank) {
    parts.push(`(${keys.rank} = ? AND ${keys.value} IN (${values.map(() => '?').join(', ')}))`);
    params.push(rank, ...values);
  }

  return { sql: `(${parts.join(' OR ')})`, params };
}

/**
 * Condition that keeps the rows after the cursor position. With one sort
 * direction it is a row-value comparison, which SQLite turns into an index
 * seek; mixed directions expand into the equivalent OR of prefixes.
 */
function cursorCondition(
  sortKeys: SortKey[],
  cursor: SqlParameter[],
): { sql: string; params: SqlParameter[] } {
  const direction = sortKeys[0].direction;

  if (sortKeys.every((key) => key.direction === direction)) {
    const columns = sortKeys.map((key) => key.sql).join(', ');
    const placeholders = sortKeys.map(() => '?').join(', ');

    return {
      sql: `((${columns}) ${direction === 'asc' ? '>' : '<'} (${placeholders}))`,
      params: cursor,
    };
  }

  const alternatives: string[] = [];
  const params: SqlParameter[] = [];

  sortKeys.forEach((key, index) => {
    const equalities = sortKeys.slice(0, index).map((earlier) => `${earlier.sql} = ?`);
    const comparison = `${key.sql} ${key.direction === 'asc' ? '>' : '<'} ?`;

    alternatives.push(`(${[...equalities, comparison].join(' AND ')})`);
    params.push(...cursor.slice(0, index + 1));
  });

  return { sql: `(${alternatives.join(' OR ')})`, params };
}

/** Lists the sort keys of a query: type rank and value of each orderBy field, then the document id. */
function sortKeysOf(query: NormalizedQuery, context: QueryCompilerContext): SortKey[] {
  const keys: SortKey[] = [];

  for (const order of query.orderBy) {
    const fieldKeys = context.keysFor(order.field);

    keys.push(
      { sql: fieldKeys.rank, direction: order.direction },
      { sql: fieldKeys.value, direction: order.direction },
    );
  }

  keys.push({ sql: 'id', direction: query.orderBy.at(-1)?.direction ?? 'asc' });

  return keys;
}

/** Checks the decoded cursor values: numbers and strings, one per sort key. */
export function cursorParameters(values: unknown[]): SqlParameter[] {
  return values.map((value) => {
    if (typeof value !== 'number' && typeof value !== 'string') {
      throw new DocStoreError(
        'INVALID_ARGUMENT',
        'Invalid startAfter: the cursor is damaged; restart the query without it.',
      );
    }

    return value;
  });
}

/** Number of sort keys of a query, which is also the length of its cursors. */
export function sortKeyCount(query: NormalizedQuery): number {
  return query.orderBy.length * 2 + 1;
}

/**
 * Compiles a checked query into one SELECT over `documents`. The collection
 * is written as a literal so SQLite can match the partial field indexes.
 * Rows come back with `key_0` … `key_n`, the sort key values of the cursor.
 */
export function compileQuery(
  collection: string,
  query: NormalizedQuery,
  cursor: SqlParameter[] | null,
  context: QueryCompilerContext,
): CompiledQuery {
  const conditions = [`collection = ${sqlStringLiteral(collection)}`];
  const params: SqlParameter[] = [];

  for (const clause of query.where) {
    const condition = whereCondition(clause, context);

    conditions.push(condition.sql);
    params.push(...condition.params);
  }

  // A document without an orderBy field is left out, as in Firestore.
  for (const order of query.orderBy) {
    conditions.push(`${context.keysFor(order.field).rank} IS NOT NULL`);
  }

  const sortKeys = sortKeysOf(query, context);

  if (cursor !== null) {
    const condition = cursorCondition(sortKeys, cursor);

    conditions.push(condition.sql);
    params.push(...condition.params);
  }

  const keyColumns = sortKeys.map((key, index) => `${key.sql} AS key_${index}`).join(', ');
  const orderBy = sortKeys
    .map((key) => `${key.sql} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`)
    .join(', ');
  const sql =
    `SELECT id, version, create_time, update_time, json(data) AS data, ${keyColumns} FROM documents` +
    ` WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy} LIMIT ?`;

  // Fetching one row more than the limit shows whether another page follows.
  params.push(query.limit + 1);

  return { sql, params, sortKeyCount: sortKeys.length };
}
