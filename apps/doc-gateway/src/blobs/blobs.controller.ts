import { Controller, Delete, Get, HttpCode, Put, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';
import { type BlobInfo, type BlobPage } from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type DocGatewaySettings } from '../doc-gateway.settings';
import { BLOB_INFO_SCHEMA, BLOB_PAGE_SCHEMA } from '../documents/document-schemas';
import { STREAM_BODY } from '../http/request-body-parsers';
import { DEFAULT_WORKSPACE, WorkspaceStores } from '../store/workspace-stores';
import { blobPath, listBlobs, receiveBlob, SHA256_HEADER, sendBlob } from './blob-transfer.util';

const PATH_PARAM = {
  name: '*',
  description:
    'Blob path: "/"-separated segments, 1 to 1024 UTF-8 bytes, no empty, "." or ".." segments.',
};

/** Blobs of the user's workspace, streamed in both directions. */
@ApiTags('blobs')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid access token.' })
@ApiForbiddenResponse({ description: 'The user lacks the role (viewer reads, editor writes).' })
@ApiBadRequestResponse({
  description: 'Invalid path, prefix or header; the message names the value.',
})
@Controller('api/doc/blobs')
export class BlobsController {
  constructor(
    private readonly stores: WorkspaceStores,
    private readonly context: ServiceContext<DocGatewaySettings>,
    @InjectPinoLogger('BlobsController') private readonly logger: PinoLogger,
  ) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    summary: 'List blobs',
    description: 'Paths that start with `prefix` (a plain string prefix), in UTF-8 byte order.',
  })
  @ApiQuery({ name: 'prefix', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000; default 100.' })
  @ApiQuery({
    name: 'startAfter',
    required: false,
    description: '`nextCursor` of the previous page.',
  })
  @ApiOkResponse({ schema: BLOB_PAGE_SCHEMA })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: Record<string, string | string[] | undefined>,
  ): Promise<BlobPage> {
    return listBlobs(await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE), query);
  }

  @Put('*')
  @Roles('editor')
  @RouteConfig(STREAM_BODY)
  @ApiOperation({
    summary: 'Upload a blob',
    description: `Streams the body into the blob, any content type; the bytes are never held in memory whole. The Content-Type is stored with the blob. With ${SHA256_HEADER}, a body whose SHA-256 differs is rejected and nothing changes.`,
  })
  @ApiParam(PATH_PARAM)
  @ApiConsumes('application/octet-stream')
  @ApiHeader({
    name: SHA256_HEADER,
    required: false,
    description: 'Expected hex SHA-256 of the body.',
  })
  @ApiOkResponse({ schema: BLOB_INFO_SCHEMA })
  @ApiPayloadTooLargeResponse({
    description: 'The body is larger than the blob size limit (DOC_MAX_BLOB_BYTES).',
  })
  async put(
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<BlobInfo> {
    const workspace = user.workspace ?? DEFAULT_WORKSPACE;
    const store = await this.stores.forWorkspace(workspace);
    const info = await receiveBlob(
      store,
      blobPath(request),
      request,
      this.context.settings.maxBlobBytes,
    );

    this.logger.info(
      { userId: user.id, workspace, path: info.path, size: info.size, sha256: info.sha256 },
      'blob stored',
    );

    return info;
  }

  @Get('*')
  @Roles('viewer')
  @ApiOperation({
    summary: 'Download a blob',
    description: `Streams the bytes, with ${SHA256_HEADER} and ETag set to the SHA-256.`,
  })
  @ApiParam(PATH_PARAM)
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The blob bytes.' })
  @ApiNotFoundResponse({ description: 'No such blob.' })
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const store = await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE);

    return sendBlob(reply, await store.getBlob(blobPath(request)));
  }

  @Delete('*')
  @Roles('editor')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a blob',
    description: 'Returns 204 also when the blob did not exist.',
  })
  @ApiParam(PATH_PARAM)
  @ApiNoContentResponse({ description: 'Deleted, or there was nothing to delete.' })
  async delete(
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const workspace = user.workspace ?? DEFAULT_WORKSPACE;
    const store = await this.stores.forWorkspace(workspace);
    const path = blobPath(request);
    const existed = await store.deleteBlob(path);

    this.logger.info({ userId: user.id, workspace, path, existed }, 'blob deleted');
  }
}
