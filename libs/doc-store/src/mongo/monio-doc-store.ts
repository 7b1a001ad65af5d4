import { type MeshIdentity } from '@rokks/mesh';

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
  measureJsonDocument,
} from '../validation/write.util';
import { MonioBlobClient, type MonioFetch } from './monio-blob-client';
import {
  DEFAULT_MONIO_WORKSPACE,
  docStoreErrorFrom,
  type MonioInfo,
  MONIO_ROUTES,
  type MonioOperation,
} from './monio-protocol';
import { MonioRpcClient } from './monio-rpc-client';

export interface MonioDocStoreOptions {
  /** MonIO's mesh URL (`https://host:port`), or a function that looks it up, such as in the registry's instance list. */
  url: string | (() => Promise<string>);
  /** `fetch` over mutual TLS with the internal secret: `meshFetch` of `@rokks/mesh` or the service kit's `MeshClient.fetch`. */
  fetch: MonioFetch;
  /** The caller's current mesh identity, read for each new microservice connection, since certificates renew. */
  identity: () => MeshIdentity;
  /** Workspace whose documents and blobs this store reaches; default `default`. */
  workspace?: string;
  /** Time limit of one document call, in milliseconds; default 30000. */
  requestTimeoutMs?: number;
}

interface Endpoint {
  url: string;
  host: string;
  info: MonioInfo;
}

/** Converts a checked write to its message form, leaving out a null precondition. */
function messageWrite(write: CheckedWrite): Record<string, unknown> {
  const { precondition, ...rest } = write;

  return precondition === null ? rest : { ...rest, precondition };
}

/**
 * The doc gateway's view of the MongoDB backend: each call goes to the
 * MonIO service, documents as microservice messages and blobs over HTTPS,
 * both over mutual TLS. Arguments are checked here with the same rules as
 * in MonIO, so invalid input fails before it travels and values JSON cannot
 * carry (NaN, undefined, dates) are rejected instead of changed.
 */
export class MonioDocStore implements DocStore {
  private endpoint: Promise<Endpoint> | undefined;
  private closed = false;
  private readonly rpc: MonioRpcClient;
  private readonly blobs: MonioBlobClient;
  private readonly workspace: string;

  constructor(private readonly options: MonioDocStoreOptions) {
    const timeoutMs = options.requestTimeoutMs ?? 30_000;

    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      throw new DocStoreError(
        'INVALID_ARGUMENT',
        `Invalid requestTimeoutMs ${describeValue(timeoutMs)}: expected a positive integer.`,
      );
    }

    this.workspace = options.workspace ?? DEFAULT_MONIO_WORKSPACE;
    this.rpc = new MonioRpcClient(options.identity, timeoutMs);
    this.blobs = new MonioBlobClient(options.fetch, this.workspace);
  }

  async getDocument(collection: string, id: string): Promise<StoredDocument> {
    const payload = { collection: validateCollectionId(collection), id: validateDocumentId(id) };

    return this.send('getDocument', payload);
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

    return this.send('setDocument', messageWrite(write));
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

    return this.send('mergeDocument', messageWrite(write));
  }

  async deleteDocument(collection: string, id: string, options?: WriteOptions): Promise<boolean> {
    const write = checkWrite({ op: 'delete', collection, id, precondition: options?.precondition });

    return this.send('deleteDocument', messageWrite(write));
  }

  async queryDocuments(collection: string, query: DocumentQuery): Promise<DocumentPage> {
    const collectionId = validateCollectionId(collection);

    // Checked here for its errors; MonIO checks the same query again.
    normalizeQuery(query);

    return this.send('queryDocuments', { collection: collectionId, query });
  }

  /** MonIO stores documents with `MongoDocStore`, which counts the JSON size. */
  measureDocument(collection: string, id: string, data: JsonMap): DocumentSize {
    return measureJsonDocument(collection, id, data);
  }

  async commitBatch(writes: BatchWrite[]): Promise<BatchWriteResult[]> {
    const checked = checkBatch(writes);

    return this.send('commitBatch', { writes: checked.map((write) => messageWrite(write)) });
  }

  async putBlob(path: string, source: BlobSource, options?: PutBlobOptions): Promise<BlobInfo> {
    const blobPath = validateBlobPath(path);
    const checkedOptions = checkPutOptions(options);
    const checkedSource = checkBlobSource(source);
    const endpoint = await this.resolve();

    return this.blobs.put(
      endpoint.url,
      blobPath,
      checkedSource,
      checkedOptions,
      endpoint.info.maxBlobBytes,
    );
  }

  async getBlob(path: string): Promise<StoredBlob> {
    const blobPath = validateBlobPath(path);

    return this.blobs.get((await this.resolve()).url, blobPath);
  }

  async deleteBlob(path: string): Promise<boolean> {
    const blobPath = validateBlobPath(path);

    return this.blobs.delete((await this.resolve()).url, blobPath);
  }

  async listBlobs(options?: ListBlobsOptions): Promise<BlobPage> {
    const checked = checkListOptions(options);

    return this.blobs.list((await this.resolve()).url, checked);
  }

  async checkHealth(): Promise<void> {
    await this.send('checkHealth', {});
  }

  /** Closes the microservice connection; the `fetch` belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.closed = true;
    this.rpc.close();
  }

  private async send<T>(operation: MonioOperation, payload: Record<string, unknown>): Promise<T> {
    const endpoint = await this.resolve();

    try {
      return await this.rpc.send<T>(
        { host: endpoint.host, port: endpoint.info.microservicePort },
        operation,
        { workspace: this.workspace, ...payload },
      );
    } finally {
      // MonIO may have restarted elsewhere: the next call looks its address up again.
      if (this.rpc.disconnected) {
        this.endpoint = undefined;
      }
    }
  }

  /** Looks up MonIO's URL and its `/internal/monio` description once, and again after a failure. */
  private async resolve(): Promise<Endpoint> {
    if (this.closed) {
      throw new DocStoreError('UNAVAILABLE', 'The document store is closed.');
    }

    this.endpoint ??= this.lookUp();

    try {
      return await this.endpoint;
    } catch (error) {
      this.endpoint = undefined;
      throw error;
    }
  }

  private async lookUp(): Promise<Endpoint> {
    const url = typeof this.options.url === 'string' ? this.options.url : await this.options.url();
    let body: unknown;

    try {
      const response = await this.options.fetch(new URL(MONIO_ROUTES.info, url).toString());

      body = await response.json();

      if (!response.ok) {
        throw docStoreErrorFrom(body) ?? new Error(`status ${response.status}`);
      }
    } catch (error) {
      if (error instanceof DocStoreError) {
        throw error;
      }

      throw new DocStoreError(
        'UNAVAILABLE',
        `MonIO at ${url} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
        {},
        { cause: error },
      );
    }

    return { url, host: new URL(url).hostname.replace(/^\[|\]$/gu, ''), info: body as MonioInfo };
  }
}
