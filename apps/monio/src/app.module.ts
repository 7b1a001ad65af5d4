import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { BlobsController } from './blobs/blobs.controller';
import { OctetStreamParser } from './blobs/octet-stream.parser';
import { DocumentMessagesController } from './documents/document-messages.controller';
import { MonioExceptionFilter } from './http/monio-exception.filter';
import { MonioInfoController } from './info/monio-info.controller';
import { MonioStores } from './store/monio-stores';

/**
 * Root module of the MonIO service: the document operations as message
 * patterns, blob streams and the endpoint description as internal routes.
 * The service kit adds `/health` (with the `mongodb` readiness check) and `/docs`.
 */
@Module({
  controllers: [BlobsController, DocumentMessagesController, MonioInfoController],
  providers: [
    MonioStores,
    OctetStreamParser,
    { provide: APP_FILTER, useClass: MonioExceptionFilter },
  ],
})
export class AppModule {}
