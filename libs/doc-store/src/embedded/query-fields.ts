import { createHash } from 'node:crypto';

import type Database from 'better-sqlite3';
import { type Logger } from 'pino';

import { type FieldPath } from '../validation/query.util';
import {
  jsonPathLiteral,
  sqlStringLiteral,
  typeRankExpression,
  valueExpression,
} from './sql-json.util';

/** SQL for a field's type rank and comparable value: generated column names, or the expressions themselves. */
export interface FieldKeys {
  rank: string;
  value: string;
}

export interface QueryFieldLimits {
  /** Field paths that get generated columns; further fields are queried through inline expressions. */
  maxQueryFields: number;
  /** Indexes per collection; further fields of that collection are queried without an index. */
  maxIndexesPerCollection: number;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Gives each queried field path a pair of virtual generated columns on
 * `documents` (type rank and comparable value, computed from `data`), and
 * each queried (collection, field) pair a partial index on them. The index is
 * over generated columns and not over the expressions, because SQLite 3.53
 * (in better-sqlite3 12) seeks row-value cursor conditions only on columns.
 * Both are created on first use and kept in `query_fields` and
 * `field_indexes`, so a restart or another process sees them too.
 */
export class QueryFieldRegistry {
  private readonly columnStems = new Map<string, string>();
  private readonly indexes = new Set<string>();
  private readonly indexCounts = new Map<string, number>();

  constructor(
    private readonly db: Database.Database,
    private readonly limits: QueryFieldLimits,
    private readonly logger: Logger,
  ) {
    this.reload();
  }

  /** Returns the SQL for the field's rank and value, adding its generated columns when the cap allows. */
  keysFor(field: FieldPath): FieldKeys {
    const stem = this.columnStems.get(field.text) ?? this.addColumns(field);

    if (stem === null) {
      const path = jsonPathLiteral(field);

      return { rank: typeRankExpression(path), value: valueExpression(path) };
    }

    return { rank: `${stem}_rank`, value: `${stem}_value` };
  }

  /** Creates the partial index of (collection, field) unless it exists or the collection is at its cap. */
  ensureIndex(collection: string, field: FieldPath): void {
    if (this.indexes.has(indexKey(collection, field.text))) {
      return;
    }

    const stem = this.columnStems.get(field.text) ?? this.addColumns(field);

    if (stem === null) {
      return;
    }

    this.db
      .transaction(() => {
        this.reload();

        if (this.indexes.has(indexKey(collection, field.text))) {
          return;
        }

        if ((this.indexCounts.get(collection) ?? 0) >= this.limits.maxIndexesPerCollection) {
          this.logger.warn(
            {
              collection,
              field: field.text,
              maxIndexesPerCollection: this.limits.maxIndexesPerCollection,
            },
            'field index cap reached, field queried without an index',
          );

          return;
        }

        const indexName = `documents_by_${shortHash(`${collection}\u0000${field.text}`)}`;

        // The filter names the collection as a literal, and the query compiler
        // writes the same literal, so SQLite can tell at prepare time that the
        // partial index applies.
        this.db.exec(
          `CREATE INDEX IF NOT EXISTS ${indexName} ON documents (collection, ${stem}_rank, ${stem}_value, id)` +
            ` WHERE collection = ${sqlStringLiteral(collection)} AND ${stem}_rank IS NOT NULL`,
        );
        this.db
          .prepare('INSERT INTO field_indexes (collection, field, index_name) VALUES (?, ?, ?)')
          .run(collection, field.text, indexName);
        this.indexes.add(indexKey(collection, field.text));
        this.indexCounts.set(collection, (this.indexCounts.get(collection) ?? 0) + 1);
        this.logger.info({ collection, field: field.text, indexName }, 'field index created');
      })
      .immediate();
  }

  private addColumns(field: FieldPath): string | null {
    let stem: string | null = null;

    this.db
      .transaction(() => {
        this.reload();

        const known = this.columnStems.get(field.text);

        if (known !== undefined) {
          stem = known;

          return;
        }

        if (this.columnStems.size >= this.limits.maxQueryFields) {
          this.logger.warn(
            { field: field.text, maxQueryFields: this.limits.maxQueryFields },
            'query field cap reached, field queried through inline expressions',
          );

          return;
        }

        const newStem = `field_${shortHash(field.text)}`;
        const path = jsonPathLiteral(field);

        this.db.exec(
          `ALTER TABLE documents ADD COLUMN ${newStem}_rank ANY AS ${typeRankExpression(path)} VIRTUAL`,
        );
        this.db.exec(
          `ALTER TABLE documents ADD COLUMN ${newStem}_value ANY AS (${valueExpression(path)}) VIRTUAL`,
        );
        this.db
          .prepare('INSERT INTO query_fields (field, column_stem) VALUES (?, ?)')
          .run(field.text, newStem);
        this.columnStems.set(field.text, newStem);
        stem = newStem;
      })
      .immediate();

    return stem;
  }

  /** Reads the registry tables again, since another connection may have added fields or indexes. */
  private reload(): void {
    const fields = this.db.prepare('SELECT field, column_stem FROM query_fields').all() as {
      field: string;
      column_stem: string;
    }[];

    for (const row of fields) {
      this.columnStems.set(row.field, row.column_stem);
    }

    const indexes = this.db.prepare('SELECT collection, field FROM field_indexes').all() as {
      collection: string;
      field: string;
    }[];

    this.indexes.clear();
    this.indexCounts.clear();

    for (const row of indexes) {
      this.indexes.add(indexKey(row.collection, row.field));
      this.indexCounts.set(row.collection, (this.indexCounts.get(row.collection) ?? 0) + 1);
    }
  }
}

function indexKey(collection: string, field: string): string {
  return `${collection}\u0000${field}`;
}
