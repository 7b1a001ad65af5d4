import { type ClientSession, type Collection, type Db } from 'mongodb';

import { type StoredDocument } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { mergeDocumentData } from '../merge.util';
import { measureDocumentData } from '../validation/document-data.util';
import { type CheckedWrite, documentLabel, enforcePrecondition } from '../validation/write.util';
import {
  checkMongoKeys,
  type MongoDocument,
  toStoredDocument,
  type VersionCounter,
} from './mongo-document';
import { isDuplicateKeyError } from './mongo-errors.util';
import { documentCollectionName } from './mongo-names.util';

/** Attempts of one write when other writers keep changing the document between its read and its write. */
const MAX_WRITE_ATTEMPTS = 20;

export interface AppliedWrite {
  /** The document after the write, or null after a delete. */
  document: StoredDocument | null;
  existed: boolean;
}

/**
 * Computes the document a write produces from the stored one (null when
 * missing), or null for a delete. Raises the precondition, size or key
 * error of the write.
 */
export function nextDocument(
  write: CheckedWrite,
  stored: MongoDocument | null,
  version: number,
  commitTime: string,
): MongoDocument | null {
  const label = documentLabel(write.collection, write.id);

  enforcePrecondition(label, stored, write.precondition);

  if (write.op === 'delete') {
    return null;
  }

  const data =
    write.op === 'merge' && stored !== null
      ? mergeDocumentData(stored.data, write.data)
      : write.data;
  const measured = measureDocumentData(data, label);

  checkMongoKeys(measured.data, label);

  return {
    _id: write.id,
    version,
    createTime: stored?.createTime ?? commitTime,
    updateTime: commitTime,
    data: measured.data,
  };
}

/**
 * Applies single writes with optimistic concurrency: it reads the document,
 * checks the precondition, then writes on the condition `{ _id, version }`
 * (or inserts, for a missing document). When another writer got there
 * first, nothing is written and the write starts over from the read, so a
 * precondition is always checked against the version it replaces.
 */
export class MongoDocumentWriter {
  constructor(
    private readonly db: Db,
    private readonly versions: VersionCounter,
  ) {}

  collection(collection: string): Collection<MongoDocument> {
    return this.db.collection<MongoDocument>(documentCollectionName(collection));
  }

  async apply(write: CheckedWrite, commitTime: string): Promise<AppliedWrite> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const outcome = await this.attempt(write, commitTime);

      if (outcome !== null) {
        return outcome;
      }
    }

    throw new DocStoreError(
      'UNAVAILABLE',
      `Document ${documentLabel(write.collection, write.id)} changed ${MAX_WRITE_ATTEMPTS} times while this write retried; retry later.`,
      { collection: write.collection, id: write.id },
    );
  }

  /**
   * Applies a write inside a transaction (`session`) with a version reserved
   * by the caller. Conflicts with other transactions abort the transaction,
   * which the driver retries, so no retry loop is needed here.
   */
  async applyInTransaction(
    write: CheckedWrite,
    version: number,
    commitTime: string,
    session: ClientSession,
  ): Promise<AppliedWrite> {
    const collection = this.collection(write.collection);
    const stored = await collection.findOne({ _id: write.id }, { session });
    const next = nextDocument(write, stored, version, commitTime);

    if (next === null) {
      if (stored !== null) {
        await collection.deleteOne({ _id: write.id }, { session });
      }

      return { document: null, existed: stored !== null };
    }

    await collection.replaceOne({ _id: write.id }, withoutId(next), { upsert: true, session });

    return { document: toStoredDocument(next), existed: stored !== null };
  }

  /** One read-check-write round; returns null when another writer changed the document in between. */
  private async attempt(write: CheckedWrite, commitTime: string): Promise<AppliedWrite | null> {
    const collection = this.collection(write.collection);
    const stored = await collection.findOne(
      { _id: write.id },
      write.op === 'merge' ? {} : { projection: { data: 0 } },
    );

    if (write.op === 'delete') {
      nextDocument(write, stored as MongoDocument | null, 0, commitTime);

      if (stored === null) {
        return { document: null, existed: false };
      }

      const deleted = await collection.deleteOne({ _id: write.id, version: stored.version });

      return deleted.deletedCount === 1 ? { document: null, existed: true } : null;
    }

    // The precondition and size are checked before a version is taken.
    const next = nextDocument(write, stored, 0, commitTime) as MongoDocument;

    next.version = await this.versions.reserve(1);

    if (stored === null) {
      try {
        await collection.insertOne(next);
      } catch (error) {
        if (isDuplicateKeyError(error)) {
          return null;
        }

        throw error;
      }

      return { document: toStoredDocument(next), existed: false };
    }

    const replaced = await collection.replaceOne(
      { _id: write.id, version: stored.version },
      withoutId(next),
    );

    return replaced.matchedCount === 1 ? { document: toStoredDocument(next), existed: true } : null;
  }
}

export function withoutId(document: MongoDocument): Omit<MongoDocument, '_id'> {
  const { _id: _ignored, ...rest } = document;

  return rest;
}
