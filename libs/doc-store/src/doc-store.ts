import { type Readable } from 'node:stream';

/** A JSON value that a document may contain (arrays never directly contain arrays). */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonMap;

/** A JSON object: the data of a document, or a map inside it. */
export interface JsonMap {
  [key: string]: JsonValue;
}

/** A stored document as every read and write returns it. */
export interface StoredDocument {
  id: string;
  /**
   * Positive integer that grows with every write to this document id and is
   * never reused for it, even after a delete and a re-create.
   */
  version: number;
  /** ISO 8601 UTC timestamp with milliseconds and `Z`, set when the document was created. */
  createTime: string;
  /** ISO 8601 UTC timestamp with milliseconds and `Z`, set by every write. */
  updateTime: string;
  data: JsonMap;
}

/**
 * Condition that a write checks against the stored document before it
 * applies; a write whose condition fails raises `PRECONDITION_FAILED`.
 * `{ version }` requires the document to exist with exactly this version
 * (HTTP `If-Match`), `{ exists: false }` makes the write create-only
 * (`If-None-Match: *`) and `{ exists: true }` requires any stored version.
 */
export type WritePrecondition = { version: number } | { exists: boolean };

export interface WriteOptions {
  precondition?: WritePrecondition;
}

export type WhereOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'array-contains';

export const WHERE_OPERATORS: readonly WhereOperator[] = [
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'array-contains',
];

export type SortDirection = 'asc' | 'desc';

/** One filter: a dotted field path, an operator and the operand. */
export type WhereClause = [field: string, operator: WhereOperator, value: JsonValue];

/** One sort key: a dotted field path and its direction (default `asc`). */
export type OrderByClause = [field: string, direction?: SortDirection];

/** Query of one collection, in the shape of the HTTP request body. */
export interface DocumentQuery {
  /** Filters that all have to match. */
  where?: WhereClause[];
  /** Sort keys; the document id always follows as the final key. */
  orderBy?: OrderByClause[];
  /** Page size, 1 to 1000; default 100. */
  limit?: number;
  /** `nextCursor` of the previous page of the same query. */
  startAfter?: string;
}

export interface DocumentPage {
  documents: StoredDocument[];
  /** Cursor of the next page, or null when this page is the last one. */
  nextCursor: string | null;
}

/** One write of a batch. */
export type BatchWrite =
  | { op: 'set'; collection: string; id: string; data: JsonMap; precondition?: WritePrecondition }
  | { op: 'merge'; collection: string; id: string; data: JsonMap; precondition?: WritePrecondition }
  | { op: 'delete'; collection: string; id: string; precondition?: WritePrecondition };

export interface BatchWriteResult {
  collection: string;
  id: string;
  /** The document after the write, or null after a delete. */
  document: StoredDocument | null;
}

/** Blob bytes to store: a Node Readable, a web ReadableStream, an async generator, or one buffer. */
export type BlobSource = AsyncIterable<Uint8Array> | Uint8Array;

export interface PutBlobOptions {
  /** Hex SHA-256 that the bytes must have; on a mismatch nothing is stored and `CHECKSUM_MISMATCH` is raised. */
  expectedSha256?: string;
  /** Media type stored with the blob and returned by get and list. */
  contentType?: string;
}

export interface BlobInfo {
  path: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  contentType: string | null;
  /** ISO 8601 UTC timestamp of the first put of this path. */
  createTime: string;
  /** ISO 8601 UTC timestamp of the latest put of this path. */
  updateTime: string;
}

export interface StoredBlob {
  info: BlobInfo;
  /** The bytes; a backend that verifies reads fails the stream if they no longer match `info.sha256`. */
  stream: Readable;
}

export interface ListBlobsOptions {
  /** Plain string prefix of the paths to list (not only whole segments); default all paths. */
  prefix?: string;
  /** Page size, 1 to 1000; default 100. */
  limit?: number;
  /** `nextCursor` of the previous page of the same listing. */
  startAfter?: string;
}

export interface BlobPage {
  /** Blobs in ascending order of the UTF-8 bytes of their paths. */
  blobs: BlobInfo[];
  nextCursor: string | null;
}

/** Size of a document in the measure of a backend's size limit, and that limit, in bytes. */
export interface DocumentSize {
  size: number;
  limit: number;
}

/**
 * Documents and blobs of the doc gateway. The embedded, Firestore and
 * MongoDB backends implement this interface with the same semantics, which
 * the contract suite in `testing/contract.ts` checks. Every method rejects
 * with a `DocStoreError` for the failures the README lists.
 */
export interface DocStore {
  /** Returns the document, or raises `NOT_FOUND`. */
  getDocument(collection: string, id: string): Promise<StoredDocument>;
  /** Creates or replaces the document's data. */
  setDocument(
    collection: string,
    id: string,
    data: JsonMap,
    options?: WriteOptions,
  ): Promise<StoredDocument>;
  /** Deep-merges `patch` into the document's data, creating the document when it is missing. */
  mergeDocument(
    collection: string,
    id: string,
    patch: JsonMap,
    options?: WriteOptions,
  ): Promise<StoredDocument>;
  /** Deletes the document; returns false when it did not exist (and no precondition required it). */
  deleteDocument(collection: string, id: string, options?: WriteOptions): Promise<boolean>;
  /** Returns one page of the matching documents; `query` may come straight from an untrusted request body. */
  queryDocuments(collection: string, query: DocumentQuery): Promise<DocumentPage>;
  /** Applies every write in order, or none of them when one fails. */
  commitBatch(writes: BatchWrite[]): Promise<BatchWriteResult[]>;
  /**
   * Measures `data` as document `id` of `collection` the way this backend's
   * size limit counts it, without writing. A write of the data fails with
   * `DOCUMENT_TOO_LARGE` exactly when `size` is over `limit`. Raises
   * `INVALID_NAME` or `INVALID_ARGUMENT` for invalid input.
   */
  measureDocument(collection: string, id: string, data: JsonMap): DocumentSize;

  /** Streams `source` into the blob at `path`, replacing any previous content once the new bytes are durable. */
  putBlob(path: string, source: BlobSource, options?: PutBlobOptions): Promise<BlobInfo>;
  /** Returns the blob's metadata and a stream of its bytes, or raises `NOT_FOUND`. */
  getBlob(path: string): Promise<StoredBlob>;
  /** Deletes the blob; returns false when it did not exist. */
  deleteBlob(path: string): Promise<boolean>;
  listBlobs(options?: ListBlobsOptions): Promise<BlobPage>;

  /** Resolves when the backend can serve reads and writes, or raises `UNAVAILABLE`. */
  checkHealth(): Promise<void>;
  /** Waits for blob writes in progress, then releases files and connections. */
  close(): Promise<void>;
}
