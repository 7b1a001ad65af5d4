import { type ClientSession, type Db } from 'mongodb';

import { type JsonMap, type JsonValue, type StoredDocument } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { META_COLLECTIONS } from './mongo-names.util';

/** A document as stored in its MongoDB collection; `_id` is the document id. */
export interface MongoDocument {
  _id: string;
  version: number;
  createTime: string;
  updateTime: string;
  data: JsonMap;
}

export function toStoredDocument(row: MongoDocument): StoredDocument {
  return {
    id: row._id,
    version: row.version,
    createTime: row.createTime,
    updateTime: row.updateTime,
    data: row.data,
  };
}

export function toMongoDocument(document: StoredDocument): MongoDocument {
  return {
    _id: document.id,
    version: document.version,
    createTime: document.createTime,
    updateTime: document.updateTime,
    data: document.data,
  };
}

/**
 * Raises `INVALID_ARGUMENT` for a map key with a NUL character: BSON stores
 * keys as NUL-terminated strings, so MongoDB cannot hold them (the other
 * backends can). `data` is already checked by the common rules.
 */
export function checkMongoKeys(data: JsonMap, label: string): void {
  const pending: { value: JsonValue; field: string }[] = [{ value: data, field: '' }];

  while (pending.length > 0) {
    const { value, field } = pending.pop() as { value: JsonValue; field: string };

    if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, field: `${field}[${index}]` }));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const child = field === '' ? key : `${field}.${key}`;

        if (key.includes('\u0000')) {
          throw new DocStoreError(
            'INVALID_ARGUMENT',
            `Invalid field ${JSON.stringify(child)} of document ${label}: MongoDB field names cannot contain NUL characters.`,
            { field: child },
          );
        }

        pending.push({ value: item, field: child });
      }
    }
  }
}

interface CounterDocument {
  _id: string;
  value: number;
}

const VERSION_COUNTER = 'documentVersion';

/**
 * The store-wide version counter: every write takes a new number from it, so
 * a document id never gets a version twice, even after a delete and a
 * re-create. Numbers of failed writes are skipped, which is harmless.
 */
export class VersionCounter {
  constructor(private readonly db: Db) {}

  /** Creates the counter document when it is missing. */
  async prepare(): Promise<void> {
    await this.db
      .collection<CounterDocument>(META_COLLECTIONS.counters)
      .updateOne({ _id: VERSION_COUNTER }, { $setOnInsert: { value: 0 } }, { upsert: true });
  }

  /** Reserves `count` consecutive versions and returns the first. */
  async reserve(count: number, session?: ClientSession): Promise<number> {
    const counter = await this.db
      .collection<CounterDocument>(META_COLLECTIONS.counters)
      .findOneAndUpdate(
        { _id: VERSION_COUNTER },
        { $inc: { value: count } },
        { upsert: true, returnDocument: 'after', session },
      );

    if (counter === null) {
      throw new Error('The version counter upsert returned no document.');
    }

    return counter.value - count + 1;
  }
}
