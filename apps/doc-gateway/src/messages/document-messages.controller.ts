import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { InternalOnly } from '@rokks/auth-guard';
import {
  type BatchWrite,
  type BatchWriteResult,
  type DocStore,
  DocStoreError,
  type DocumentPage,
  type DocumentQuery,
  type JsonMap,
  type StoredDocument,
  type WritePrecondition,
} from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { DEFAULT_WORKSPACE, WorkspaceStores } from '../store/workspace-stores';

/** Message patterns of the doc gateway for other backends (NestJS TCP transport over mutual TLS). */
export const DOCUMENT_PATTERNS = {
  get: 'doc.get',
  set: 'doc.set',
  merge: 'doc.merge',
  delete: 'doc.delete',
  query: 'doc.query',
  batch: 'doc.batch',
} as const;

/** Fields every document message may carry; the store checks the values. */
interface MessageFields {
  workspace?: unknown;
  collection?: unknown;
  id?: unknown;
  data?: unknown;
  precondition?: unknown;
  query?: unknown;
  writes?: unknown;
}

function fieldsOf(payload: unknown, pattern: string): MessageFields {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid ${pattern} message: expected an object with workspace?, collection and id.`,
    );
  }

  return payload as MessageFields;
}

/**
 * Document reads and writes for other backends, one handler per pattern.
 * Every payload may name a `workspace` (default `default`). Errors reach
 * the caller as `{ statusCode, error, message, details }`.
 */
@InternalOnly()
@Controller()
export class DocumentMessagesController {
  constructor(
    private readonly stores: WorkspaceStores,
    @InjectPinoLogger('DocumentMessagesController') private readonly logger: PinoLogger,
  ) {}

  /** `{ workspace?, collection, id }` → the document. */
  @MessagePattern(DOCUMENT_PATTERNS.get)
  async get(@Payload() payload: unknown): Promise<StoredDocument> {
    const fields = fieldsOf(payload, DOCUMENT_PATTERNS.get);

    return (await this.store(fields)).getDocument(fields.collection as string, fields.id as string);
  }

  /** `{ workspace?, collection, id, data, precondition? }` → the document after the replace. */
  @MessagePattern(DOCUMENT_PATTERNS.set)
  async set(@Payload() payload: unknown): Promise<StoredDocument> {
    const fields = fieldsOf(payload, DOCUMENT_PATTERNS.set);
    const store = await this.store(fields);

    return store.setDocument(
      fields.collection as string,
      fields.id as string,
      fields.data as JsonMap,
      {
        precondition: fields.precondition as WritePrecondition | undefined,
      },
    );
  }

  /** `{ workspace?, collection, id, data, precondition? }` → the document after the merge. */
  @MessagePattern(DOCUMENT_PATTERNS.merge)
  async merge(@Payload() payload: unknown): Promise<StoredDocument> {
    const fields = fieldsOf(payload, DOCUMENT_PATTERNS.merge);
    const store = await this.store(fields);

    return store.mergeDocument(
      fields.collection as string,
      fields.id as string,
      fields.data as JsonMap,
      {
        precondition: fields.precondition as WritePrecondition | undefined,
      },
    );
  }

  /** `{ workspace?, collection, id, precondition? }` → `{ deleted }`, false when it did not exist. */
  @MessagePattern(DOCUMENT_PATTERNS.delete)
  async delete(@Payload() payload: unknown): Promise<{ deleted: boolean }> {
    const fields = fieldsOf(payload, DOCUMENT_PATTERNS.delete);
    const store = await this.store(fields);
    const deleted = await store.deleteDocument(fields.collection as string, fields.id as string, {
      precondition: fields.precondition as WritePrecondition | undefined,
    });

    return { deleted };
  }

  /** `{ workspace?, collection, query }` → one page, as `POST /api/doc/{collection}/query` returns it. */
  @MessagePattern(DOCUMENT_PATTERNS.query)
  async query(@Payload() payload: unknown): Promise<DocumentPage> {
    const fields = fieldsOf(payload, DOCUMENT_PATTERNS.query);

    return (await this.store(fields)).queryDocuments(
      fields.collection as string,
      (fields.query ?? {}) as DocumentQuery,
    );
  }

  /** `{ workspace?, writes: [{ op, collection, id, data?, precondition? }] }` → one result per write; all or none apply. */
  @MessagePattern(DOCUMENT_PATTERNS.batch)
  async batch(@Payload() payload: unknown): Promise<BatchWriteResult[]> {
    const fields = fieldsOf(payload, DOCUMENT_PATTERNS.batch);
    const results = await (await this.store(fields)).commitBatch(fields.writes as BatchWrite[]);

    this.logger.debug(
      { workspace: fields.workspace ?? DEFAULT_WORKSPACE, writes: results.length },
      'batch committed',
    );

    return results;
  }

  private store(fields: MessageFields): Promise<DocStore> {
    return this.stores.forWorkspace((fields.workspace ?? DEFAULT_WORKSPACE) as string);
  }
}
