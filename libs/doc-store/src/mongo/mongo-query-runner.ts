import { type Db, type Document } from 'mongodb';
import { type Logger } from 'pino';

import { decodeCursor, encodeCursor } from '../cursor.util';
import { type DocumentPage } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type NormalizedQuery } from '../validation/query.util';
import { type MongoDocument, toStoredDocument } from './mongo-document';
import { documentCollectionName } from './mongo-names.util';
import { buildQueryPipeline, cursorKeyCount, dataPath, sortKeyFields } from './mongo-query';

/** Runs checked queries and creates an index on each filtered field on first sight, up to a cap per collection. */
export class MongoQueryRunner {
  /** Field paths indexed so far (or found over the cap), per MongoDB collection. */
  private readonly indexedFields = new Map<string, Set<string>>();

  constructor(
    private readonly db: Db,
    private readonly maxIndexedFields: number,
    private readonly logger: Logger,
  ) {}

  async run(collection: string, query: NormalizedQuery): Promise<DocumentPage> {
    const scope = cursorScope(collection, query);
    const keys =
      query.startAfter === null
        ? null
        : checkCursorKeys(decodeCursor(query.startAfter, scope, cursorKeyCount(query)));
    const name = documentCollectionName(collection);

    await this.ensureIndexes(name, query);

    const rows = await this.db
      .collection<MongoDocument>(name)
      .aggregate<MongoDocument & Document>(buildQueryPipeline(query, keys), { allowDiskUse: true })
      .toArray();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    let nextCursor: string | null = null;

    if (rows.length > query.limit && last !== undefined) {
      const sortKeys = sortKeyFields(query.orderBy).map(
        (field) => (last[field] as unknown) ?? null,
      );

      nextCursor = encodeCursor(scope, [...sortKeys, last._id]);
    }

    return { documents: page.map((row) => toStoredDocument(row)), nextCursor };
  }

  private async ensureIndexes(name: string, query: NormalizedQuery): Promise<void> {
    let fields = this.indexedFields.get(name);

    if (fields === undefined) {
      fields = new Set();
      this.indexedFields.set(name, fields);
    }

    for (const clause of query.where) {
      const text = clause.field.text;

      if (fields.has(text)) {
        continue;
      }

      if (fields.size >= this.maxIndexedFields) {
        this.logger.info(
          { collection: name, field: text, limit: this.maxIndexedFields },
          'query field not indexed, index cap reached',
        );
      } else {
        await this.db.collection(name).createIndex({ [dataPath(clause.field.segments)]: 1 });
        this.logger.debug({ collection: name, field: text }, 'query field index created');
      }

      // Over the cap the field is still recorded, so the log line appears once.
      fields.add(text);
    }
  }
}

/** Builds the scope of a cursor: the collection and the sort keys (filters may change between pages). */
function cursorScope(collection: string, query: NormalizedQuery): string {
  const order = query.orderBy.map((clause) => `${clause.field.text}\u0000${clause.direction}`);

  return ['mongo', collection, ...order].join('\u0000');
}

/** Checks the decoded keys' types (rank, scalar value, …, id), since a cursor comes from the client. */
function checkCursorKeys(keys: unknown[]): unknown[] {
  const valid = keys.every((key, index) => {
    if (index === keys.length - 1) {
      return typeof key === 'string';
    }

    if (index % 2 === 0) {
      return Number.isInteger(key) && (key as number) >= 0 && (key as number) <= 5;
    }

    return key === null || ['boolean', 'number', 'string'].includes(typeof key);
  });

  if (!valid) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: the cursor is damaged; restart the query without it.',
    );
  }

  return keys;
}
