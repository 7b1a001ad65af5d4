import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { BlobsController } from './blobs/blobs.controller';
import { InternalBlobsController } from './blobs/internal-blobs.controller';
import { DocumentsController } from './documents/documents.controller';
import { DocGatewayExceptionFilter } from './http/doc-gateway-exception.filter';
import { RequestBodyParsers } from './http/request-body-parsers';
import { DocumentMessagesController } from './messages/document-messages.controller';
import { WorkspaceStores } from './store/workspace-stores';

/**
 * Root module of the doc-gateway service: the document and blob routes of
 * the API, internal blob routes and message patterns for other backends.
 * The service kit adds `/health` and `/docs`.
 */
@Module({
  controllers: [
    BlobsController,
    InternalBlobsController,
    DocumentsController,
    DocumentMessagesController,
  ],
  providers: [
    WorkspaceStores,
    RequestBodyParsers,
    { provide: APP_FILTER, useClass: DocGatewayExceptionFilter },
  ],
})
export class AppModule {}
