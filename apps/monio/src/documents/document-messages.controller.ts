import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { InternalOnly } from '@rokks/auth-guard';
import {
  type BatchWrite,
  type BatchWriteResult,
  DocStoreError,
  type DocumentPage,
  type DocumentQuery,
  type JsonMap,
  MONIO_PATTERNS,
  type StoredDocument,
  type WritePrecondition,
} from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { MonioStores } from '../store/monio-stores';

/** Fields a document message may carry; the store checks every value. */
interface MessageFields {
  workspace?: unknown;
  collection?: unknown;
  id?: unknown;
  data?: unknown;
  precondition?: unknown;
  query?: unknown;
  writes?: unknown;
}

function fieldsOf(payload: unknown, operation: string): MessageFields {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid ${operation} message: expected an object with workspace, collection and id.`,
    );
  }

  return payload as MessageFields;
}

/**
 * The document operations of `DocStore` as message patterns (NestJS TCP
 * over mutual TLS), for `MonioDocStore` in the doc gateway. Every payload
 * names its `workspace` (default `default`). Failures reach the caller as
 * `{ statusCode, error, message, details: { code, … } }`.
 */
@InternalOnly()
@Controller()
export class DocumentMessagesController {
  constructor(
    private readonly stores: MonioStores,
    @InjectPinoLogger('DocumentMessagesController') private readonly logger: PinoLogger,
  ) {}

  @MessagePattern(MONIO_PATTERNS.getDocument)
  async getDocument(@Payload() payload: unknown): Promise<StoredDocument> {
    const fields = fieldsOf(payload, 'getDocument');
    const store = await this.stores.forWorkspace(fields.workspace);

    return store.getDocument(fields.collection as string, fields.id as string);
  }

  @MessagePattern(MONIO_PATTERNS.setDocument)
  async setDocument(@Payload() payload: unknown): Promise<StoredDocument> {
    const fields = fieldsOf(payload, 'setDocument');
    const store = await this.stores.forWorkspace(fields.workspace);

    return store.setDocument(
      fields.collection as string,
      fields.id as string,
      fields.data as JsonMap,
      {
        precondition: fields.precondition as WritePrecondition | undefined,
      },
    );
  }

  @MessagePattern(MONIO_PATTERNS.mergeDocument)
  async mergeDocument(@Payload() payload: unknown): Promise<StoredDocument> {
    const fields = fieldsOf(payload, 'mergeDocument');
    const store = await this.stores.forWorkspace(fields.workspace);

    return store.mergeDocument(
      fields.collection as string,
      fields.id as string,
      fields.data as JsonMap,
      {
        precondition: fields.precondition as WritePrecondition | undefined,
      },
    );
  }

  @MessagePattern(MONIO_PATTERNS.deleteDocument)
  async deleteDocument(@Payload() payload: unknown): Promise<boolean> {
    const fields = fieldsOf(payload, 'deleteDocument');
    const store = await this.stores.forWorkspace(fields.workspace);

    return store.deleteDocument(fields.collection as string, fields.id as string, {
      precondition: fields.precondition as WritePrecondition | undefined,
    });
  }

  @MessagePattern(MONIO_PATTERNS.queryDocuments)
  async queryDocuments(@Payload() payload: unknown): Promise<DocumentPage> {
    const fields = fieldsOf(payload, 'queryDocuments');
    const store = await this.stores.forWorkspace(fields.workspace);

    return store.queryDocuments(fields.collection as string, fields.query as DocumentQuery);
  }

  @MessagePattern(MONIO_PATTERNS.commitBatch)
  async commitBatch(@Payload() payload: unknown): Promise<BatchWriteResult[]> {
    const fields = fieldsOf(payload, 'commitBatch');
    const store = await this.stores.forWorkspace(fields.workspace);
    const results = await store.commitBatch(fields.writes as BatchWrite[]);

    this.logger.debug({ workspace: fields.workspace, writes: results.length }, 'batch committed');

    return results;
  }

  /** Resolves with `{ ok: true }` (a message reply needs a value) or fails with `UNAVAILABLE`. */
  @MessagePattern(MONIO_PATTERNS.checkHealth)
  async checkHealth(@Payload() payload: unknown): Promise<{ ok: true }> {
    const fields = fieldsOf(payload, 'checkHealth');
    const store = await this.stores.forWorkspace(fields.workspace);

    await store.checkHealth();

    return { ok: true };
  }
}
