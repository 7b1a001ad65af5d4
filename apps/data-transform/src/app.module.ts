import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { FileStore } from './files/file-store';
import { FilesController } from './files/files.controller';
import { ProfileStreams } from './files/profile-streams';
import { DataTransformExceptionFilter } from './http/data-transform-exception.filter';
import { GATEWAY_CLIENT_PROVIDERS } from './http/gateway-clients.providers';
import { RequestBodyParsers } from './http/request-body-parsers';
import { PreviewService } from './transform/preview.service';
import { RunsService } from './transform/runs.service';
import { TransformController } from './transform/transform.controller';

/**
 * Root module of the data-transform service: uploads to the doc gateway's
 * blob store, profiles as server-sent events, previews, and runs that the
 * worker executes as ETL jobs. The service kit adds `/health` and `/docs`.
 */
@Module({
  controllers: [FilesController, TransformController],
  providers: [
    ...GATEWAY_CLIENT_PROVIDERS,
    FileStore,
    ProfileStreams,
    PreviewService,
    RunsService,
    RequestBodyParsers,
    { provide: APP_FILTER, useClass: DataTransformExceptionFilter },
  ],
})
export class AppModule {}
