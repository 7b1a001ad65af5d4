import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import pino, { type Logger } from 'pino';

import { decodeCursor, encodeCursor } from '../cursor.util';
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
  inBatch,
  measureJsonDocument,
} from '../validation/write.util';
import { BlobFiles } from './blob-files';
import { openBlobStream } from './blob-stream';
import { BlobTable } from './blob-table';
import { DocumentTable } from './document-table';
import { collectGarbage, type GarbageCollectionResult } from './garbage-collector';
import { QueryFieldRegistry } from './query-fields';
import { QueryRunner } from './query-runner';
import { prepareDatabase } from './schema';
import { translateStorageError } from './storage-errors.util';

export interface EmbeddedDocStoreOptions {
  /** Directory of the store, created when missing: `documents.sqlite` and `blobs/`. */
  directory: string;
  /** Maximum blob size in bytes; default 2 GiB. */
  maxBlobBytes?: number;
  /** How long a write waits for another connection's lock before `UNAVAILABLE`, in milliseconds; default 5000. */
  busyTimeoutMs?: number;
  /** Field paths that get generated columns for indexing; default 200. */
  maxQueryFields?: number;
  /** On-demand indexes per collection; default 32. */
  maxIndexesPerCollection?: number;
  /** Age in milliseconds after which the garbage collector removes a temporary blob file; default one hour. */
  staleTempFileAgeMs?: number;
  /** Whether `open` runs the garbage collector; default true. */
  collectGarbageOnOpen?: boolean;
  /** Whether blob reads check the bytes against the stored SHA-256; default true. */
  verifyBlobReads?: boolean;
  /** Logger for index creation, garbage collection and cleanup failures; default silent. */
  logger?: Logger;
}

export interface StorageSettings {
  journalMode: string;
  synchronous: string;
  busyTimeoutMs: number;
}

const SYNCHRONOUS_NAMES: Record<number, string> = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' };

interface ResolvedOptions {
  maxBlobBytes: number;
  staleTempFileAgeMs: number;
  verifyBlobReads: boolean;
}

const DATABASE_FILE = 'documents.sqlite';
const BLOB_DIRECTORY = 'blobs';
const HOUR_MS = 60 * 60 * 1000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
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
 * The embedded backend: documents in SQLite (WAL, JSONB, indexes created on
 * demand) and blobs as content-addressed files on the local disk. One
 * instance owns one connection; several processes may open the same
 * directory, and SQLite's locks keep their writes apart.
 */
export class EmbeddedDocStore implements DocStore {
  private closing = false;
  private readonly blobWrites = new Set<Promise<unknown>>();
  private readonly queries: QueryRunner;

  private constructor(
    private readonly db: Database.Database,
    private readonly documents: DocumentTable,
    queryFields: QueryFieldRegistry,
    private readonly files: BlobFiles,
    private readonly blobs: BlobTable,
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
  ) {
    this.queries = new QueryRunner(db, queryFields);
  }

  /** Opens (and on first use creates) the store in `options.directory`. */
  static async open(options: EmbeddedDocStoreOptions): Promise<EmbeddedDocStore> {
    const logger = options.logger ?? pino({ enabled: false });
    const resolved: ResolvedOptions = {
      maxBlobBytes: positiveInteger('maxBlobBytes', options.maxBlobBytes, DEFAULT_MAX_BLOB_BYTES),
      staleTempFileAgeMs: positiveInteger(
        'staleTempFileAgeMs',
        options.staleTempFileAgeMs,
        HOUR_MS,
      ),
      verifyBlobReads: options.verifyBlobReads ?? true,
    };
    const busyTimeoutMs = positiveInteger('busyTimeoutMs', options.busyTimeoutMs, 5000);
    const limits = {
      maxQueryFields: positiveInteger('maxQueryFields', options.maxQueryFields, 200),
      maxIndexesPerCollection: positiveInteger(
        'maxIndexesPerCollection',
        options.maxIndexesPerCollection,
        32,
      ),
    };

    await mkdir(options.directory, { recursive: true });

    const files = new BlobFiles(join(options.directory, BLOB_DIRECTORY));

    await files.create();

    const db = new Database(join(options.directory, DATABASE_FILE), { timeout: busyTimeoutMs });

    try {
      prepareDatabase(db, { busyTimeoutMs });

      const store = new EmbeddedDocStore(
        db,
        new DocumentTable(db),
        new QueryFieldRegistry(db, limits, logger),
        files,
        new BlobTable(db, files),
        resolved,
        logger,
      );

      if (options.collectGarbageOnOpen ?? true) {
        await store.collectGarbage();
      }

      return store;
    } catch (error) {
      db.close();

      throw translateStorageError(error);
    }
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument> {
    const collectionId = validateCollectionId(collection);
    const documentId = validateDocumentId(id);
    const document = this.sync(() => this.documents.get(collectionId, documentId));

    if (document === null) {
      throw new DocStoreError(
        'NOT_FOUND',
        `Document ${documentLabel(collectionId, documentId)} not found.`,
        {
          collection: collectionId,
          id: documentId,
        },
      );
    }

    return document;
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

    return this.applyOne(write).document as StoredDocument;
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

    return this.applyOne(write).document as StoredDocument;
  }

  async deleteDocument(collection: string, id: string, options?: WriteOptions): Promise<boolean> {
    const write = checkWrite({ op: 'delete', collection, id, precondition: options?.precondition });

    return this.applyOne(write).existed;
  }

  async queryDocuments(collection: string, query: DocumentQuery): Promise<DocumentPage> {
    const collectionId = validateCollectionId(collection);
    const normalized = normalizeQuery(query);

    return this.sync(() => this.queries.run(collectionId, normalized));
  }

  measureDocument(collection: string, id: string, data: JsonMap): DocumentSize {
    return measureJsonDocument(collection, id, data);
  }

  async commitBatch(writes: BatchWrite[]): Promise<BatchWriteResult[]> {
    const checked = checkBatch(writes);
    const commitTime = now();

    return this.sync(() =>
      this.db
        .transaction(() =>
          checked.map((write, index) => {
            try {
              return {
                collection: write.collection,
                id: write.id,
                document: this.documents.apply(write, commitTime).document,
              };
            } catch (error) {
              throw inBatch(translateStorageError(error), index);
            }
          }),
        )
        .immediate(),
    );
  }

  async putBlob(path: string, source: BlobSource, options?: PutBlobOptions): Promise<BlobInfo> {
    const blobPath = validateBlobPath(path);
    const checkedOptions = checkPutOptions(options);
    const checkedSource = checkBlobSource(source);

    this.assertOpen();

    const write = this.writeBlob(
      blobPath,
      checkedSource,
      checkedOptions.expectedSha256,
      checkedOptions.contentType,
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

    return this.sync(() =>
      openBlobStream(this.blobs, this.files, blobPath, this.options.verifyBlobReads),
    );
  }

  async deleteBlob(path: string): Promise<boolean> {
    const blobPath = validateBlobPath(path);
    const { existed, released } = this.sync(() => this.blobs.commitDelete(blobPath));

    this.releaseObject(released);

    return existed;
  }

  async listBlobs(options?: ListBlobsOptions): Promise<BlobPage> {
    const checked = checkListOptions(options);

    return this.sync(() => listBlobPage(this.blobs, checked));
  }

  async checkHealth(): Promise<void> {
    this.sync(() => this.db.prepare('SELECT 1').get());

    try {
      await access(this.files.objectsDirectory, constants.W_OK);
      await access(this.files.tempDirectory, constants.W_OK);
    } catch (error) {
      throw new DocStoreError(
        'UNAVAILABLE',
        'The blob directory of the document store is not writable.',
        {},
        { cause: error },
      );
    }
  }

  async close(): Promise<void> {
    if (this.closing) {
      return;
    }

    this.closing = true;
    await Promise.allSettled([...this.blobWrites]);
    this.db.close();
  }

  /** Runs the blob garbage collector now; `staleTempFileAgeMs` overrides the store's setting for this run. */
  async collectGarbage(
    options: { staleTempFileAgeMs?: number } = {},
  ): Promise<GarbageCollectionResult> {
    this.assertOpen();

    const staleTempFileAgeMs = positiveInteger(
      'staleTempFileAgeMs',
      options.staleTempFileAgeMs,
      this.options.staleTempFileAgeMs,
    );

    try {
      return await collectGarbage(this.blobs, this.files, staleTempFileAgeMs, this.logger);
    } catch (error) {
      throw translateStorageError(error);
    }
  }

  /** Returns SQLite's plan for a query (after creating the indexes it would use), for diagnosing slow queries. */
  explainQuery(collection: string, query: DocumentQuery): string[] {
    const collectionId = validateCollectionId(collection);
    const normalized = normalizeQuery(query);

    return this.sync(() => this.queries.explain(collectionId, normalized));
  }

  /** Returns the durability settings of the connection, as SQLite reports them. */
  storageSettings(): StorageSettings {
    return this.sync(() => ({
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous:
        SYNCHRONOUS_NAMES[this.db.pragma('synchronous', { simple: true }) as number] ?? 'unknown',
      busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number,
    }));
  }

  /** Runs SQLite's `PRAGMA integrity_check`; returns `['ok']` for a sound database, otherwise the problems found. */
  integrityCheck(): string[] {
    return this.sync(
      () => this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[],
    ).map((row) => row.integrity_check);
  }

  private applyOne(write: CheckedWrite): { document: StoredDocument | null; existed: boolean } {
    const commitTime = now();

    return this.sync(() =>
      this.db.transaction(() => this.documents.apply(write, commitTime)).immediate(),
    );
  }

  private async writeBlob(
    path: string,
    source: BlobSource,
    expectedSha256: string | null,
    contentType: string | null,
  ): Promise<BlobInfo> {
    let written;

    try {
      written = await this.files.writeTemp(source, this.options.maxBlobBytes, path);
    } catch (error) {
      throw translateStorageError(error);
    }

    try {
      if (expectedSha256 !== null && expectedSha256 !== written.sha256) {
        throw new DocStoreError(
          'CHECKSUM_MISMATCH',
          `Blob ${JSON.stringify(path)} has SHA-256 ${written.sha256}, not the expected ${expectedSha256}; nothing was stored.`,
          { expected: expectedSha256, actual: written.sha256 },
        );
      }

      // The store may be closing, but close() waits for this write, so the connection is still open.
      const { info, released } = this.db.open
        ? this.blobs.commitPut(path, written, contentType, now())
        : this.throwClosed();

      this.releaseObject(released);

      return info;
    } catch (error) {
      throw translateStorageError(error);
    } finally {
      this.files.releaseTemp(written.tempPath);
    }
  }

  /** Removes an object file that lost its last reference; a failure only delays that to the next garbage collection. */
  private releaseObject(sha256: string | null): void {
    if (sha256 === null) {
      return;
    }

    try {
      this.blobs.removeIfUnreferenced(sha256);
    } catch (error) {
      this.logger.warn(
        { err: error, sha256 },
        'blob object removal failed, garbage collection will retry',
      );
    }
  }

  private assertOpen(): void {
    if (this.closing || !this.db.open) {
      this.throwClosed();
    }
  }

  private throwClosed(): never {
    throw new DocStoreError('UNAVAILABLE', 'The document store is closed.');
  }

  /** Runs a synchronous storage step on the open store, translating lock and disk errors. */
  private sync<T>(step: () => T): T {
    this.assertOpen();

    try {
      return step();
    } catch (error) {
      throw translateStorageError(error);
    }
  }
}

function listBlobPage(blobs: BlobTable, options: ReturnType<typeof checkListOptions>): BlobPage {
  const scope = `blobs\u0000${options.prefix}`;
  const startAfter =
    options.startAfter === null ? null : decodeBlobCursor(options.startAfter, scope);
  const rows = blobs.list(options.prefix, startAfter, options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);

  return {
    blobs: page,
    nextCursor:
      rows.length > options.limit && last !== undefined ? encodeCursor(scope, [last.path]) : null,
  };
}

function decodeBlobCursor(cursor: string, scope: string): string {
  const [path] = decodeCursor(cursor, scope, 1);

  if (typeof path !== 'string') {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: the cursor is damaged; restart the listing without it.',
    );
  }

  return path;
}
