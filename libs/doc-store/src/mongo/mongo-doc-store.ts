import { type Db, MongoClient } from 'mongodb';
import pino, { type Logger } from 'pino';

import {
  type BatchWrite,
  type BatchWriteResult,
  type BlobInfo,
  type BlobPage,
  type BlobSource,
  type DocStore,
  type DocumentPage,
  type DocumentQuery,
  type DocumentSize,
  type JsonMap,
  type ListBlobsOptions,
  type PutBlobOptions,
  type StoredBlob,
  type StoredDocument,
  type WriteOptions,
} from '../doc-store';
import { DocStoreError, describeValue } from '../doc-store.errors';
import { DEFAULT_MAX_BLOB_BYTES } from '../doc-store.limits';
import {
  checkBlobSource,
  checkListOptions,
  checkPutOptions,
} from '../validation/blob-options.util';
import {
  validateBlobPath,
  validateCollectionId,
  validateDocumentId,
} from '../validation/names.util';
import { normalizeQuery } from '../validation/query.util';
import {
  type CheckedWrite,
  checkBatch,
  checkWrite,
  documentLabel,
  measureJsonDocument,
} from '../validation/write.util';
import { MongoBatchWriter } from './mongo-batch';
import { type BlobGarbageResult, MongoBlobStore } from './mongo-blobs';
import { type MongoDocument, toStoredDocument, VersionCounter } from './mongo-document';
import { type AppliedWrite, MongoDocumentWriter } from './mongo-document-writer';
import { translateMongoError } from './mongo-errors.util';
import { documentCollectionName, META_COLLECTIONS } from './mongo-names.util';
import { MongoQueryRunner } from './mongo-query-runner';

export interface MongoDocStoreOptions {
  /** Connection string, such as `mongodb://127.0.0.1:27017`; ignored when `client` is given. */
  url?: string;
  /** A client to use instead of `url`; the store connects it if needed and never closes it. */
  client?: MongoClient;
  /** Database of the store; default `rokks`. */
  databaseName?: string;
  /** Maximum blob size in bytes; default 2 GiB. */
  maxBlobBytes?: number;
  /**
   * Batch mode. `auto` (default) applies batches in a transaction when the
   * server is a replica set member or mongos, and with the journal
   * otherwise. `never` always uses the journal.
   */
  transactions?: 'auto' | 'never';
  /** How long a journaled batch belongs to its writer before recovery may roll it back, in milliseconds; default 5 minutes. */
  batchLeaseMs?: number;
  /** Time between recovery passes (unfinished batches, blob garbage), in milliseconds; default 60 s, 0 turns the timer off. */
  recoveryIntervalMs?: number;
  /** Age after which an unfinished blob upload counts as crashed, in milliseconds; default one hour. */
  staleUploadAgeMs?: number;
  /** Time a replaced or deleted blob's content stays readable for reads in progress, in milliseconds; default 10 minutes. */
  replacedBlobGraceMs?: number;
  /** Filtered fields that get an index, per collection; default 32 (MongoDB allows 64 indexes per collection). */
  maxIndexedFieldsPerCollection?: number;
  /** Whether blob reads check the bytes against the stored SHA-256; default true. */
  verifyBlobReads?: boolean;
  /** Time to find a reachable server before an operation fails, in milliseconds; default 5000 (with `url`). */
  serverSelectionTimeoutMs?: number;
  /** Logger for recovery, index creation and cleanup failures; default silent. */
  logger?: Logger;
}

/** Outcome of one recovery pass. */
export interface RecoveryResult {
  /** Journaled batches rolled back because their writer did not finish them. */
  rolledBackBatches: number;
  blobs: BlobGarbageResult;
}

const MINUTE_MS = 60 * 1000;

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }

  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid ${name} ${describeValue(value)}: expected a non-negative integer.`,
    );
  }

  return value;
}

function now(): string {
  return new Date().toISOString();
}

/**
 * Checks whether the server runs multi-document transactions, which a
 * replica set member (`setName`) or a mongos (`msg: "isdbgrid"`) with
 * sessions does.
 */
async function detectTransactions(db: Db): Promise<boolean> {
  const hello = await db.admin().command({ hello: 1 });
  const clustered = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';

  return (
    clustered &&
    hello.logicalSessionTimeoutMinutes !== undefined &&
    hello.logicalSessionTimeoutMinutes !== null
  );
}

/**
 * The MongoDB backend: one collection per doc-store collection with the
 * document id as `_id`, optimistic concurrency on a `version` field, batches
 * in a transaction or through a journal, and blobs in GridFS. Several
 * processes may share one database.
 */
export class MongoDocStore implements DocStore {
  private closing = false;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private recovering: Promise<unknown> | undefined;
  private readonly blobWrites = new Set<Promise<unknown>>();

  private constructor(
    private readonly client: MongoClient,
    private readonly ownsClient: boolean,
    private readonly db: Db,
    private readonly writer: MongoDocumentWriter,
    private readonly batches: MongoBatchWriter,
    private readonly queries: MongoQueryRunner,
    private readonly blobs: MongoBlobStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Connects, prepares the counter and indexes, runs one recovery pass with
   * a full blob scan, and starts the recovery timer. Raises `UNAVAILABLE`
   * when MongoDB cannot be reached.
   */
  static async open(options: MongoDocStoreOptions): Promise<MongoDocStore> {
    const logger = options.logger ?? pino({ enabled: false });
    const maxBlobBytes = nonNegativeInteger(
      'maxBlobBytes',
      options.maxBlobBytes,
      DEFAULT_MAX_BLOB_BYTES,
    );
    const batchLeaseMs = nonNegativeInteger('batchLeaseMs', options.batchLeaseMs, 5 * MINUTE_MS);
    const recoveryIntervalMs = nonNegativeInteger(
      'recoveryIntervalMs',
      options.recoveryIntervalMs,
      MINUTE_MS,
    );
    const blobSettings = {
      maxBlobBytes,
      verifyBlobReads: options.verifyBlobReads ?? true,
      staleUploadAgeMs: nonNegativeInteger(
        'staleUploadAgeMs',
        options.staleUploadAgeMs,
        60 * MINUTE_MS,
      ),
      replacedFileGraceMs: nonNegativeInteger(
        'replacedBlobGraceMs',
        options.replacedBlobGraceMs,
        10 * MINUTE_MS,
      ),
    };
    const maxIndexedFields = nonNegativeInteger(
      'maxIndexedFieldsPerCollection',
      options.maxIndexedFieldsPerCollection,
      32,
    );
    const client = options.client ?? createClient(options);
    const ownsClient = options.client === undefined;

    try {
      await client.connect();

      const db = client.db(options.databaseName ?? 'rokks');
      const versions = new VersionCounter(db);
      const writer = new MongoDocumentWriter(db, versions);
      const transactions = options.transactions === 'never' ? false : await detectTransactions(db);
      const batches = new MongoBatchWriter(client, db, versions, writer, {
        transactions,
        leaseMs: batchLeaseMs,
        logger,
      });
      const blobs = new MongoBlobStore(db, blobSettings, logger);
      const store = new MongoDocStore(
        client,
        ownsClient,
        db,
        writer,
        batches,
        new MongoQueryRunner(db, maxIndexedFields, logger),
        blobs,
        logger,
      );

      await versions.prepare();
      await db.collection(META_COLLECTIONS.batches).createIndex({ leaseUntil: 1 });
      await db.collection(META_COLLECTIONS.batchEntries).createIndex({ batchId: 1, seq: 1 });
      await db.collection(META_COLLECTIONS.batchEntries).createIndex({ createdAt: 1 });
      await blobs.prepare();
      await store.recover({ fullScan: true });
      store.startRecoveryTimer(recoveryIntervalMs);
      logger.info({ database: db.databaseName, transactions }, 'mongodb document store opened');

      return store;
    } catch (error) {
      if (ownsClient) {
        await client.close().catch(() => undefined);
      }

      throw translateMongoError(error);
    }
  }

  /** Whether batches run in a transaction (true) or through the journal (false). */
  get usesTransactions(): boolean {
    return this.batches.usesTransactions;
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument> {
    const collectionId = validateCollectionId(collection);
    const documentId = validateDocumentId(id);
    const found = await this.run(() =>
      this.writer.collection(collectionId).findOne({ _id: documentId }),
    );

    if (found === null) {
      throw new DocStoreError(
        'NOT_FOUND',
        `Document ${documentLabel(collectionId, documentId)} not found.`,
        {
          collection: collectionId,
          id: documentId,
        },
      );
    }

    return toStoredDocument(found);
  }

  async setDocument(
    collection: string,
    id: string,
    data: JsonMap,
    options?: WriteOptions,
  ): Promise<StoredDocument> {
    const write = checkWrite({
      op: 'set',
      collection,
      id,
      data,
      precondition: options?.precondition,
    });

    return (await this.applyOne(write)).document as StoredDocument;
  }

  async mergeDocument(
    collection: string,
    id: string,
    patch: JsonMap,
    options?: WriteOptions,
  ): Promise<StoredDocument> {
    const write = checkWrite({
      op: 'merge',
      collection,
      id,
      data: patch,
      precondition: options?.precondition,
    });

    return (await this.applyOne(write)).document as StoredDocument;
  }

  async deleteDocument(collection: string, id: string, options?: WriteOptions): Promise<boolean> {
    const write = checkWrite({ op: 'delete', collection, id, precondition: options?.precondition });

    return (await this.applyOne(write)).existed;
  }

  async queryDocuments(collection: string, query: DocumentQuery): Promise<DocumentPage> {
    const collectionId = validateCollectionId(collection);
    const normalized = normalizeQuery(query);

    for (const clause of [...normalized.where, ...normalized.orderBy]) {
      if (clause.field.text.includes('\u0000')) {
        throw new DocStoreError(
          'INVALID_ARGUMENT',
          `Invalid query: the field path ${JSON.stringify(clause.field.text)} contains a NUL character, which MongoDB field names cannot hold.`,
          { field: clause.field.text },
        );
      }
    }

    return this.run(() => this.queries.run(collectionId, normalized));
  }

  measureDocument(collection: string, id: string, data: JsonMap): DocumentSize {
    return measureJsonDocument(collection, id, data);
  }

  async commitBatch(writes: BatchWrite[]): Promise<BatchWriteResult[]> {
    const checked = checkBatch(writes);

    return this.run(() => this.batches.commit(checked, now()));
  }

  async putBlob(path: string, source: BlobSource, options?: PutBlobOptions): Promise<BlobInfo> {
    const blobPath = validateBlobPath(path);
    const checkedOptions = checkPutOptions(options);
    const checkedSource = checkBlobSource(source);

    this.assertOpen();

    const write = this.run(() =>
      this.blobs.put(
        blobPath,
        checkedSource,
        checkedOptions.expectedSha256,
        checkedOptions.contentType,
      ),
    );

    this.blobWrites.add(write);

    try {
      return await write;
    } finally {
      this.blobWrites.delete(write);
    }
  }

  async getBlob(path: string): Promise<StoredBlob> {
    const blobPath = validateBlobPath(path);

    return this.run(() => this.blobs.get(blobPath));
  }

  async deleteBlob(path: string): Promise<boolean> {
    const blobPath = validateBlobPath(path);

    return this.run(() => this.blobs.delete(blobPath));
  }

  async listBlobs(options?: ListBlobsOptions): Promise<BlobPage> {
    const checked = checkListOptions(options);

    return this.run(() => this.blobs.list(checked));
  }

  async checkHealth(): Promise<void> {
    await this.run(async () => {
      await this.db.command({ ping: 1 });
    });
  }

  async close(): Promise<void> {
    if (this.closing) {
      return;
    }

    this.closing = true;
    clearInterval(this.recoveryTimer);
    await Promise.allSettled([...this.blobWrites, this.recovering]);

    if (this.ownsClient) {
      await this.client.close();
    }
  }

  /**
   * Rolls back journaled batches whose lease ran out and collects blob
   * garbage; `fullScan` also finds blob files that no path uses. The timer
   * runs it without `fullScan`; `open` runs it with.
   */
  async recover(options: { fullScan?: boolean } = {}): Promise<RecoveryResult> {
    return this.run(async () => ({
      rolledBackBatches: await this.batches.recover(),
      blobs: await this.blobs.collectGarbage({ fullScan: options.fullScan ?? false }),
    }));
  }

  /** Returns the stored form of a document, for tests and diagnosis. */
  async readRaw(collection: string, id: string): Promise<MongoDocument | null> {
    return this.run(() =>
      this.db
        .collection<MongoDocument>(documentCollectionName(validateCollectionId(collection)))
        .findOne({ _id: id }),
    );
  }

  private startRecoveryTimer(intervalMs: number): void {
    if (intervalMs === 0) {
      return;
    }

    this.recoveryTimer = setInterval(() => {
      if (this.recovering !== undefined || this.closing) {
        return;
      }

      this.recovering = this.recover()
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'recovery pass failed, the next one retries');
        })
        .finally(() => {
          this.recovering = undefined;
        });
    }, intervalMs);
    this.recoveryTimer.unref();
  }

  private async applyOne(write: CheckedWrite): Promise<AppliedWrite> {
    return this.run(() => this.writer.apply(write, now()));
  }

  private assertOpen(): void {
    if (this.closing) {
      throw new DocStoreError('UNAVAILABLE', 'The document store is closed.');
    }
  }

  /** Runs a storage step on the open store, turning connection failures into `UNAVAILABLE`. */
  private async run<T>(step: () => Promise<T>): Promise<T> {
    this.assertOpen();

    try {
      return await step();
    } catch (error) {
      throw translateMongoError(error);
    }
  }
}

function createClient(options: MongoDocStoreOptions): MongoClient {
  if (options.url === undefined) {
    throw new DocStoreError('INVALID_ARGUMENT', 'MongoDocStore.open needs a url or a client.');
  }

  return new MongoClient(options.url, {
    serverSelectionTimeoutMS: nonNegativeInteger(
      'serverSelectionTimeoutMs',
      options.serverSelectionTimeoutMs,
      5000,
    ),
  });
}
