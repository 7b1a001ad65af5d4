import { randomUUID } from 'node:crypto';

import { Storage } from '@google-cloud/storage';
import { type App, cert, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
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
import { type CheckedWrite, checkBatch, checkWrite, documentLabel } from '../validation/write.util';
import { decodeDocument } from './firestore-document.codec';
import { FirestoreLayout } from './firestore-layout';
import { runQuery } from './firestore-query';
import { commitWrites, measureFirestoreDocument, type WriteOutcome } from './firestore-writes';
import { GcsBlobStore } from './gcs-blob-store';
import { translateFirestoreError } from './google-errors.util';

export interface FirestoreDocStoreOptions {
  /** Google Cloud project of the Firestore database and the bucket. */
  projectId: string;
  /** Firestore database id; default `(default)`. */
  databaseId?: string;
  /**
   * Document path under which the store's collections live, such as
   * `rokks/production`, so several deployments can share one database;
   * default `""` (top-level collections).
   */
  rootPath?: string;
  /** Cloud Storage bucket of the blobs. */
  bucket: string;
  /** Object name prefix of the blobs in the bucket: `""` or ending in `/`; default `""`. */
  blobPrefix?: string;
  /** Maximum blob size in bytes; default 2 GiB. */
  maxBlobBytes?: number;
  /** Bytes per resumable upload request, a multiple of 256 KiB; default 8 MiB. Each upload in progress keeps one such chunk in memory. */
  uploadChunkBytes?: number;
  /** Whether blob reads check the bytes against the stored SHA-256; default true. */
  verifyBlobReads?: boolean;
  /** `host:port` of a Firestore emulator; requests to it carry no credentials. */
  firestoreEmulatorHost?: string;
  /** Cloud Storage JSON API endpoint such as `http://127.0.0.1:9023`; requests to a custom endpoint carry no credentials. */
  storageApiEndpoint?: string;
  /** Service account key file (JSON); default the application default credentials. */
  keyFilename?: string;
  /** Logger for cleanup failures; default silent. */
  logger?: Logger;
}

const UPLOAD_CHUNK_GRANULARITY = 256 * 1024;
const DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }

  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid ${name} ${describeValue(value)}: expected a positive integer.`,
    );
  }

  return value;
}

function checkBlobPrefix(prefix: string): string {
  if (prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/'))) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid blobPrefix ${describeValue(prefix)}: expected "" or a prefix such as "rokks/" that ends with "/" and does not start with it.`,
    );
  }

  return prefix;
}

/**
 * The Firestore backend: documents in Firestore (through firebase-admin),
 * blobs in Cloud Storage. Writes run in Firestore transactions that check
 * each document's `$version` field. Queries run in Firestore where its
 * semantics match the contract, and the backend checks the remaining
 * clauses (see `firestore-query.ts`).
 */
export class FirestoreDocStore implements DocStore {
  private closing = false;
  private readonly blobWrites = new Set<Promise<unknown>>();

  private constructor(
    private readonly app: App,
    private readonly db: Firestore,
    private readonly layout: FirestoreLayout,
    private readonly blobs: GcsBlobStore,
  ) {}

  /** Connects to Firestore and Cloud Storage; no request is sent until the first call. */
  static async open(options: FirestoreDocStoreOptions): Promise<FirestoreDocStore> {
    const uploadChunkBytes = positiveInteger(
      'uploadChunkBytes',
      options.uploadChunkBytes,
      DEFAULT_UPLOAD_CHUNK_BYTES,
    );

    if (uploadChunkBytes % UPLOAD_CHUNK_GRANULARITY !== 0) {
      throw new DocStoreError(
        'INVALID_ARGUMENT',
        `Invalid uploadChunkBytes ${uploadChunkBytes}: Cloud Storage needs a multiple of ${UPLOAD_CHUNK_GRANULARITY} bytes (256 KiB).`,
      );
    }

    const app = initializeApp(
      options.keyFilename === undefined
        ? { projectId: options.projectId }
        : { projectId: options.projectId, credential: cert(options.keyFilename) },
      `rokks-doc-store-${randomUUID()}`,
    );
    const db = getFirestore(app, options.databaseId ?? '(default)');

    if (options.firestoreEmulatorHost !== undefined) {
      db.settings({
        host: options.firestoreEmulatorHost,
        ssl: false,
        // The emulator accepts the fixed token "owner" as an administrator.
        customHeaders: { Authorization: 'Bearer owner' },
        // A fixed universe domain keeps the auth library from asking the cloud
        // metadata server (metadata.google.internal) for one; with the
        // emulator nothing else would contact it.
        universeDomain: 'googleapis.com',
      });
    }

    const storage = new Storage({
      projectId: options.projectId,
      apiEndpoint: options.storageApiEndpoint,
      keyFilename: options.keyFilename,
    });
    const blobs = new GcsBlobStore(storage.bucket(options.bucket), {
      prefix: checkBlobPrefix(options.blobPrefix ?? ''),
      maxBlobBytes: positiveInteger('maxBlobBytes', options.maxBlobBytes, DEFAULT_MAX_BLOB_BYTES),
      uploadChunkBytes,
      verifyReads: options.verifyBlobReads ?? true,
      logger: options.logger ?? pino({ enabled: false }),
    });

    return new FirestoreDocStore(app, db, new FirestoreLayout(db, options.rootPath ?? ''), blobs);
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument> {
    const collectionId = validateCollectionId(collection);
    const documentId = validateDocumentId(id);
    const label = documentLabel(collectionId, documentId);

    this.assertOpen();

    const snapshot = await this.layout
      .document(collectionId, documentId)
      .get()
      .catch((error: unknown) => {
        throw translateFirestoreError(error);
      });

    if (!snapshot.exists) {
      throw new DocStoreError('NOT_FOUND', `Document ${label} not found.`, {
        collection: collectionId,
        id: documentId,
      });
    }

    return decodeDocument(documentId, snapshot.data() ?? {}, label);
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

    this.assertOpen();

    try {
      return await runQuery(this.layout, collectionId, normalized);
    } catch (error) {
      throw translateFirestoreError(error);
    }
  }

  /**
   * Measures by Firestore's storage size and by the JSON size, and returns
   * the larger, because a write must fit both limits (1 MiB each).
   */
  measureDocument(collection: string, id: string, data: JsonMap): DocumentSize {
    return measureFirestoreDocument(this.layout, collection, id, data);
  }

  async commitBatch(writes: BatchWrite[]): Promise<BatchWriteResult[]> {
    const checked = checkBatch(writes);

    this.assertOpen();

    const outcomes = await commitWrites(this.db, this.layout, checked, true);

    return outcomes.map(({ collection, id, document }) => ({ collection, id, document }));
  }

  async putBlob(path: string, source: BlobSource, options?: PutBlobOptions): Promise<BlobInfo> {
    const blobPath = validateBlobPath(path);
    const checkedOptions = checkPutOptions(options);
    const checkedSource = checkBlobSource(source);

    this.assertOpen();

    const write = this.blobs.put(
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

    this.assertOpen();

    return this.blobs.get(blobPath);
  }

  async deleteBlob(path: string): Promise<boolean> {
    const blobPath = validateBlobPath(path);

    this.assertOpen();

    return this.blobs.delete(blobPath);
  }

  async listBlobs(options?: ListBlobsOptions): Promise<BlobPage> {
    const checked = checkListOptions(options);

    this.assertOpen();

    return this.blobs.list(checked);
  }

  async checkHealth(): Promise<void> {
    this.assertOpen();

    try {
      await this.layout.healthProbe().get();
    } catch (error) {
      throw new DocStoreError('UNAVAILABLE', 'Firestore is not reachable.', {}, { cause: error });
    }

    await this.blobs.checkHealth();
  }

  async close(): Promise<void> {
    if (this.closing) {
      return;
    }

    this.closing = true;
    await Promise.allSettled([...this.blobWrites]);
    await deleteApp(this.app);
  }

  private async applyOne(write: CheckedWrite): Promise<WriteOutcome> {
    this.assertOpen();

    const [outcome] = await commitWrites(this.db, this.layout, [write], false);

    return outcome;
  }

  private assertOpen(): void {
    if (this.closing) {
      throw new DocStoreError('UNAVAILABLE', 'The document store is closed.');
    }
  }
}
