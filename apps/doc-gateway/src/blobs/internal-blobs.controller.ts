import { Controller, Delete, Get, Headers, HttpCode, Put, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiConsumes,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { InternalOnly } from '@rokks/auth-guard';
import { type BlobInfo, type BlobPage } from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type DocGatewaySettings } from '../doc-gateway.settings';
import { BLOB_INFO_SCHEMA, BLOB_PAGE_SCHEMA } from '../documents/document-schemas';
import { STREAM_BODY } from '../http/request-body-parsers';
import { DEFAULT_WORKSPACE, WorkspaceStores } from '../store/workspace-stores';
import { blobPath, listBlobs, receiveBlob, SHA256_HEADER, sendBlob } from './blob-transfer.util';

/** Header that names the workspace of an internal blob call; default `default`. */
export const WORKSPACE_HEADER = 'x-rokks-workspace';

const WORKSPACE_HEADER_DOC = {
  name: WORKSPACE_HEADER,
  required: false,
  description: 'Workspace of the blob; default "default".',
};

/**
 * Blob transfer for other backends. Streams do not fit the TCP message
 * transport, so blobs travel over these HTTP routes. They need the mesh
 * certificate and the internal secret. The other document operations are
 * message patterns.
 */
@ApiTags('internal')
@InternalOnly()
@ApiHeader(WORKSPACE_HEADER_DOC)
@Controller('internal/blobs')
export class InternalBlobsController {
  constructor(
    private readonly stores: WorkspaceStores,
    private readonly context: ServiceContext<DocGatewaySettings>,
    @InjectPinoLogger('InternalBlobsController') private readonly logger: PinoLogger,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List blobs (internal)',
    description: 'Same query string as GET /api/doc/blobs.',
  })
  @ApiOkResponse({ schema: BLOB_PAGE_SCHEMA })
  async list(
    @Headers(WORKSPACE_HEADER) workspace: string | undefined,
    @Query() query: Record<string, string | string[] | undefined>,
  ): Promise<BlobPage> {
    return listBlobs(await this.stores.forWorkspace(workspace ?? DEFAULT_WORKSPACE), query);
  }

  @Put('*')
  @RouteConfig(STREAM_BODY)
  @ApiOperation({
    summary: 'Upload a blob (internal)',
    description: `Streams the body into the blob; ${SHA256_HEADER} is checked when sent.`,
  })
  @ApiParam({ name: '*', description: 'Blob path.' })
  @ApiConsumes('application/octet-stream')
  @ApiHeader({
    name: SHA256_HEADER,
    required: false,
    description: 'Expected hex SHA-256 of the body.',
  })
  @ApiOkResponse({ schema: BLOB_INFO_SCHEMA })
  async put(
    @Headers(WORKSPACE_HEADER) workspace: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<BlobInfo> {
    const store = await this.stores.forWorkspace(workspace ?? DEFAULT_WORKSPACE);
    const info = await receiveBlob(
      store,
      blobPath(request),
      request,
      this.context.settings.maxBlobBytes,
    );

    this.logger.info(
      {
        workspace: workspace ?? DEFAULT_WORKSPACE,
        path: info.path,
        size: info.size,
        sha256: info.sha256,
      },
      'blob stored',
    );

    return info;
  }

  @Get('*')
  @ApiOperation({ summary: 'Download a blob (internal)' })
  @ApiParam({ name: '*', description: 'Blob path.' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The blob bytes.' })
  @ApiNotFoundResponse({ description: 'No such blob.' })
  async get(
    @Headers(WORKSPACE_HEADER) workspace: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const store = await this.stores.forWorkspace(workspace ?? DEFAULT_WORKSPACE);

    return sendBlob(reply, await store.getBlob(blobPath(request)));
  }

  @Delete('*')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a blob (internal)' })
  @ApiParam({ name: '*', description: 'Blob path.' })
  @ApiNoContentResponse({ description: 'Deleted, or there was nothing to delete.' })
  async delete(
    @Headers(WORKSPACE_HEADER) workspace: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const store = await this.stores.forWorkspace(workspace ?? DEFAULT_WORKSPACE);

    await store.deleteBlob(blobPath(request));
  }
}
