import { randomUUID } from 'node:crypto';

import { type Db, type MongoClient } from 'mongodb';
import { type Logger } from 'pino';

import { type BatchWriteResult } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type CheckedWrite, inBatch } from '../validation/write.util';
import { type MongoDocument, toStoredDocument, type VersionCounter } from './mongo-document';
import { type MongoDocumentWriter, nextDocument, withoutId } from './mongo-document-writer';
import { isDuplicateKeyError, translateMongoError } from './mongo-errors.util';
import { documentCollectionName, META_COLLECTIONS } from './mongo-names.util';

/** Attempts of a batch without transactions when other writers change its documents while it applies. */
const MAX_BATCH_ATTEMPTS = 5;

/** Journal header of a batch applied without a transaction. */
interface BatchHeader {
  _id: string;
  state: 'applying' | 'rollingBack';
  /** Until then the batch belongs to the writer that started it; afterwards a recovery pass may roll it back. */
  leaseUntil: Date;
  createdAt: Date;
  entryCount: number;
}

/** One document of a journaled batch, before and after the batch. */
interface BatchEntry {
  batchId: string;
  seq: number;
  /** MongoDB collection of the document. */
  collection: string;
  id: string;
  before: MongoDocument | null;
  after: MongoDocument | null;
  createdAt: Date;
}

type PlannedEntry = Omit<BatchEntry, 'batchId' | 'seq' | 'createdAt'>;

/** A batch write found its document changed by another writer after the batch read it. */
class BatchConflict extends Error {
  override readonly name = 'BatchConflict';
}

export interface BatchWriterOptions {
  /** Whether the server runs multi-document transactions (a replica set member or mongos). */
  transactions: boolean;
  /** How long a batch's journal belongs to its writer before recovery may roll it back. */
  leaseMs: number;
  logger: Logger;
}

/**
 * Applies batches all or nothing. With transactions, a batch is one
 * transaction. Without them (a standalone server), the batch is checked in
 * full first, its before and after images go to a journal, and then each
 * document is written on the condition of its version. A write that meets
 * a concurrent change undoes the writes before it, and the batch starts
 * over. A crash in between leaves the journal, so `recover` undoes the
 * writes of a batch whose lease ran out.
 */
export class MongoBatchWriter {
  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly versions: VersionCounter,
    private readonly writer: MongoDocumentWriter,
    private readonly options: BatchWriterOptions,
  ) {}

  get usesTransactions(): boolean {
    return this.options.transactions;
  }

  async commit(writes: CheckedWrite[], commitTime: string): Promise<BatchWriteResult[]> {
    return this.options.transactions
      ? this.commitInTransaction(writes, commitTime)
      : this.commitWithJournal(writes, commitTime);
  }

  /** Rolls back every journaled batch whose lease ran out, and removes journal entries left without a header. */
  async recover(): Promise<number> {
    const now = new Date();
    const expired = await this.db
      .collection<BatchHeader>(META_COLLECTIONS.batches)
      .find({ leaseUntil: { $lt: now } })
      .toArray();
    let rolledBack = 0;

    for (const header of expired) {
      const claimed = await this.db
        .collection<BatchHeader>(META_COLLECTIONS.batches)
        .findOneAndUpdate(
          { _id: header._id, leaseUntil: header.leaseUntil },
          {
            $set: { state: 'rollingBack', leaseUntil: new Date(Date.now() + this.options.leaseMs) },
          },
        );

      // Another process claimed it first.
      if (claimed === null) {
        continue;
      }

      const entries = await this.db
        .collection<BatchEntry>(META_COLLECTIONS.batchEntries)
        .find({ batchId: header._id })
        .sort({ seq: 1 })
        .toArray();

      await this.rollBack(entries);
      await this.removeJournal(header._id);
      rolledBack++;
      this.options.logger.warn(
        { batchId: header._id, entries: entries.length, createdAt: header.createdAt },
        'unfinished batch rolled back',
      );
    }

    await this.removeOrphanEntries(now);

    return rolledBack;
  }

  private async commitInTransaction(
    writes: CheckedWrite[],
    commitTime: string,
  ): Promise<BatchWriteResult[]> {
    // Versions are taken outside the transaction, so the counter is not a
    // write conflict between concurrent batches.
    const firstVersion = await this.versions.reserve(writes.length);
    const session = this.client.startSession();

    try {
      return await session.withTransaction(async () => {
        const results: BatchWriteResult[] = [];

        for (const [index, write] of writes.entries()) {
          try {
            const applied = await this.writer.applyInTransaction(
              write,
              firstVersion + index,
              commitTime,
              session,
            );

            results.push({
              collection: write.collection,
              id: write.id,
              document: applied.document,
            });
          } catch (error) {
            // Driver errors pass unchanged, so the driver can retry transient ones.
            throw inBatch(error, index);
          }
        }

        return results;
      });
    } finally {
      await session.endSession();
    }
  }

  private async commitWithJournal(
    writes: CheckedWrite[],
    commitTime: string,
  ): Promise<BatchWriteResult[]> {
    for (let attempt = 0; attempt < MAX_BATCH_ATTEMPTS; attempt++) {
      const plan = await this.plan(writes, commitTime);

      try {
        await this.applyPlan(plan.entries);

        return plan.results;
      } catch (error) {
        if (!(error instanceof BatchConflict)) {
          throw error;
        }

        this.options.logger.debug(
          { attempt, writes: writes.length },
          'batch met a concurrent write, starting over',
        );
      }
    }

    throw new DocStoreError(
      'UNAVAILABLE',
      `Other writers changed documents of this batch during ${MAX_BATCH_ATTEMPTS} attempts; retry later.`,
    );
  }

  /**
   * Reads every document of the batch and runs the writes in memory, in
   * order, so preconditions, merges and sizes are checked before anything
   * is written. Returns the results and one entry per document.
   */
  private async plan(
    writes: CheckedWrite[],
    commitTime: string,
  ): Promise<{ results: BatchWriteResult[]; entries: PlannedEntry[] }> {
    const before = await this.readDocuments(writes);
    const current = new Map(before);
    const results: BatchWriteResult[] = [];
    const firstVersion = await this.versions.reserve(writes.length);

    for (const [index, write] of writes.entries()) {
      const key = documentKey(write);

      try {
        const next = nextDocument(
          write,
          current.get(key) ?? null,
          firstVersion + index,
          commitTime,
        );

        current.set(key, next);
        results.push({
          collection: write.collection,
          id: write.id,
          document: next === null ? null : toStoredDocument(next),
        });
      } catch (error) {
        throw inBatch(error, index);
      }
    }

    const entries: PlannedEntry[] = [];

    for (const [key, after] of current) {
      const original = before.get(key) ?? null;

      if (original !== null || after !== null) {
        const [collection, id] = JSON.parse(key) as [string, string];

        entries.push({
          collection: documentCollectionName(collection),
          id,
          before: original,
          after,
        });
      }
    }

    return { results, entries };
  }

  private async readDocuments(writes: CheckedWrite[]): Promise<Map<string, MongoDocument | null>> {
    const found = new Map<string, MongoDocument | null>();
    const idsByCollection = new Map<string, Set<string>>();

    for (const write of writes) {
      found.set(documentKey(write), null);

      const ids = idsByCollection.get(write.collection) ?? new Set<string>();

      ids.add(write.id);
      idsByCollection.set(write.collection, ids);
    }

    for (const [collection, ids] of idsByCollection) {
      const documents = await this.writer
        .collection(collection)
        .find({ _id: { $in: [...ids] } })
        .toArray();

      for (const document of documents) {
        found.set(JSON.stringify([collection, document._id]), document);
      }
    }

    return found;
  }

  private async applyPlan(entries: PlannedEntry[]): Promise<void> {
    const batchId = randomUUID();
    const createdAt = new Date();

    // The header comes first, so entries without a header are always leftovers of a finished batch.
    await this.db.collection<BatchHeader>(META_COLLECTIONS.batches).insertOne({
      _id: batchId,
      state: 'applying',
      leaseUntil: new Date(createdAt.getTime() + this.options.leaseMs),
      createdAt,
      entryCount: entries.length,
    });
    await this.db
      .collection<BatchEntry>(META_COLLECTIONS.batchEntries)
      .insertMany(entries.map((entry, seq) => ({ ...entry, batchId, seq, createdAt })));

    let applied = 0;

    try {
      for (const entry of entries) {
        if (!(await this.applyEntry(entry))) {
          throw new BatchConflict(
            `Document ${entry.collection}/${entry.id} changed while the batch applied.`,
          );
        }

        applied++;
      }
    } catch (error) {
      await this.abandon(batchId, entries.slice(0, applied), error);
      throw error;
    }

    await this.finish(batchId);
  }

  /** Writes one entry on the condition that the document is still as the batch read it. */
  private async applyEntry(entry: PlannedEntry): Promise<boolean> {
    const collection = this.db.collection<MongoDocument>(entry.collection);

    if (entry.after === null) {
      const deleted = await collection.deleteOne({ _id: entry.id, version: entry.before?.version });

      return deleted.deletedCount === 1;
    }

    if (entry.before === null) {
      try {
        await collection.insertOne(entry.after);

        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) {
          return false;
        }

        throw error;
      }
    }

    const replaced = await collection.replaceOne(
      { _id: entry.id, version: entry.before.version },
      withoutId(entry.after),
    );

    return replaced.matchedCount === 1;
  }

  /**
   * Undoes the applied entries after a conflict or an error. If the undo
   * fails too, the journal stays, and recovery undoes the batch once its
   * lease runs out.
   */
  private async abandon(batchId: string, applied: PlannedEntry[], cause: unknown): Promise<void> {
    try {
      await this.rollBack(applied);
      await this.removeJournal(batchId);
    } catch (error) {
      this.options.logger.error(
        { err: translateMongoError(error), cause, batchId, applied: applied.length },
        'batch undo failed, recovery will roll it back when its lease runs out',
      );
    }
  }

  private async finish(batchId: string): Promise<void> {
    const removed = await this.db
      .collection<BatchHeader>(META_COLLECTIONS.batches)
      .deleteOne({ _id: batchId, state: 'applying' });

    await this.db.collection<BatchEntry>(META_COLLECTIONS.batchEntries).deleteMany({ batchId });

    if (removed.deletedCount === 0) {
      // Only when the batch outlived its lease and a recovery pass rolled it back meanwhile.
      this.options.logger.error({ batchId }, 'batch finished after recovery rolled it back');
      throw new DocStoreError(
        'UNAVAILABLE',
        'The batch took longer than its lease and was rolled back; read the documents again and retry.',
      );
    }
  }

  /**
   * Restores the before images of entries whose document still has the
   * batch's version, newest first. A restored document gets a new version,
   * so versions keep growing. A document that another writer changed since
   * is left as it is.
   */
  private async rollBack(entries: (PlannedEntry | BatchEntry)[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }

    const firstVersion = await this.versions.reserve(entries.length);

    for (const [index, entry] of [...entries].reverse().entries()) {
      const collection = this.db.collection<MongoDocument>(entry.collection);
      const restored =
        entry.before === null ? null : { ...entry.before, version: firstVersion + index };

      if (entry.after === null) {
        if (restored !== null) {
          await collection.insertOne(restored).catch((error: unknown) => {
            // The document exists: the delete never ran, or someone re-created it.
            if (!isDuplicateKeyError(error)) {
              throw error;
            }
          });
        }
      } else if (restored === null) {
        await collection.deleteOne({ _id: entry.id, version: entry.after.version });
      } else {
        await collection.replaceOne(
          { _id: entry.id, version: entry.after.version },
          withoutId(restored),
        );
      }
    }
  }

  private async removeJournal(batchId: string): Promise<void> {
    await this.db.collection<BatchHeader>(META_COLLECTIONS.batches).deleteOne({ _id: batchId });
    await this.db.collection<BatchEntry>(META_COLLECTIONS.batchEntries).deleteMany({ batchId });
  }

  /** Removes entries whose header is gone, left by a crash between the two deletes of `finish`. */
  private async removeOrphanEntries(now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - this.options.leaseMs);
    const batchIds = (await this.db
      .collection<BatchEntry>(META_COLLECTIONS.batchEntries)
      .distinct('batchId', { createdAt: { $lt: cutoff } })) as string[];

    for (const batchId of batchIds) {
      const header = await this.db
        .collection<BatchHeader>(META_COLLECTIONS.batches)
        .findOne({ _id: batchId });

      if (header === null) {
        await this.db.collection<BatchEntry>(META_COLLECTIONS.batchEntries).deleteMany({ batchId });
      }
    }
  }
}

function documentKey(write: CheckedWrite): string {
  return JSON.stringify([write.collection, write.id]);
}
