import type Database from 'better-sqlite3';

import { decodeCursor, encodeCursor } from '../cursor.util';
import { type DocumentPage } from '../doc-store';
import { type NormalizedQuery } from '../validation/query.util';
import { type DocumentRow, toStoredDocument } from './document-table';
import {
  type CompiledQuery,
  compileQuery,
  cursorParameters,
  type SqlParameter,
  sortKeyCount,
} from './query-compiler';
import { type QueryFieldRegistry } from './query-fields';

/** Prepared statements kept per distinct query text; the oldest is dropped past this count. */
const STATEMENT_CACHE_SIZE = 256;

type QueryRow = DocumentRow & Record<`key_${number}`, SqlParameter>;

/** Runs checked queries against `documents`, creating the field indexes they use on first sight. */
export class QueryRunner {
  private readonly statements = new Map<string, Database.Statement<SqlParameter[], QueryRow>>();
  private readonly renderJsonStatement: Database.Statement<[string], string>;

  constructor(
    private readonly db: Database.Database,
    private readonly fields: QueryFieldRegistry,
  ) {
    this.renderJsonStatement = db.prepare<[string], string>('SELECT json(?)').pluck();
  }

  run(collection: string, query: NormalizedQuery): DocumentPage {
    const scope = cursorScope(collection, query);
    const compiled = this.compile(collection, query, scope);
    const rows = this.statement(compiled.sql).all(...compiled.params);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    let nextCursor: string | null = null;

    if (rows.length > query.limit && last !== undefined) {
      const keys = Array.from(
        { length: compiled.sortKeyCount },
        (_, index) => last[`key_${index}`],
      );

      nextCursor = encodeCursor(scope, keys);
    }

    return { documents: page.map(toStoredDocument), nextCursor };
  }

  /** Returns SQLite's query plan for the query, one line per step. */
  explain(collection: string, query: NormalizedQuery): string[] {
    const compiled = this.compile(collection, query, cursorScope(collection, query));
    const plan = this.db.prepare<SqlParameter[], { detail: string }>(
      `EXPLAIN QUERY PLAN ${compiled.sql}`,
    );

    return plan.all(...compiled.params).map((row) => row.detail);
  }

  private compile(collection: string, query: NormalizedQuery, scope: string): CompiledQuery {
    const cursor =
      query.startAfter === null
        ? null
        : cursorParameters(decodeCursor(query.startAfter, scope, sortKeyCount(query)));

    this.ensureIndexes(collection, query);

    return compileQuery(collection, query, cursor, {
      keysFor: (field) => this.fields.keysFor(field),
      renderJson: (json) => this.renderJsonStatement.get(json) as string,
    });
  }

  /** Indexes every filtered or sorted field, except fields only tested with array-contains (an index cannot serve that). */
  private ensureIndexes(collection: string, query: NormalizedQuery): void {
    for (const clause of query.where) {
      if (clause.operator !== 'array-contains') {
        this.fields.ensureIndex(collection, clause.field);
      }
    }

    for (const order of query.orderBy) {
      this.fields.ensureIndex(collection, order.field);
    }
  }

  private statement(sql: string): Database.Statement<SqlParameter[], QueryRow> {
    let statement = this.statements.get(sql);

    if (statement === undefined) {
      statement = this.db.prepare<SqlParameter[], QueryRow>(sql);

      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        this.statements.delete(this.statements.keys().next().value as string);
      }
    } else {
      this.statements.delete(sql);
    }

    this.statements.set(sql, statement);

    return statement;
  }
}

/** Builds the scope of a cursor: the collection and the sort keys (filters may change between pages). */
function cursorScope(collection: string, query: NormalizedQuery): string {
  const order = query.orderBy.map((clause) => `${clause.field.text}\u0000${clause.direction}`);

  return [collection, ...order].join('\u0000');
}
