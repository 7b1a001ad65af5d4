import { Controller, Delete, Get, Headers, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiConsumes,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { InternalOnly } from '@rokks/auth-guard';
import { type BlobInfo, type BlobPage, encodeBlobInfo, MONIO_BLOB_HEADERS } from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { MonioStores } from '../store/monio-stores';

const WORKSPACE_QUERY = {
  name: 'workspace',
  required: false,
  description: 'Workspace of the blob; default "default".',
};
const PATH_QUERY = {
  name: 'path',
  required: true,
  description: 'Blob path, such as "uploads/weather.csv".',
};

const BLOB_INFO_SCHEMA = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    size: { type: 'integer', description: 'Bytes.' },
    sha256: { type: 'string', description: 'Lower-case hex SHA-256.' },
    contentType: { type: 'string', nullable: true },
    createTime: { type: 'string', format: 'date-time' },
    updateTime: { type: 'string', format: 'date-time' },
  },
};

/** Reads a limit from the query string; anything but digits goes to the store as is, which rejects it. */
function limitOf(value: string | undefined): number | string | undefined {
  return value !== undefined && /^\d{1,9}$/u.test(value) ? Number(value) : value;
}

/**
 * Blob operations for `MonioDocStore`, over HTTPS because bytes stream
 * through them (the message transport carries whole JSON messages). Each
 * route needs the mesh certificate and the internal secret.
 */
@ApiTags('internal')
@ApiSecurity('internal-secret')
@InternalOnly()
@Controller('internal/blobs')
export class BlobsController {
  constructor(
    private readonly stores: MonioStores,
    @InjectPinoLogger('BlobsController') private readonly logger: PinoLogger,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List blobs',
    description: 'Paths that start with `prefix`, in UTF-8 byte order, one page at a time.',
  })
  @ApiQuery(WORKSPACE_QUERY)
  @ApiQuery({
    name: 'prefix',
    required: false,
    description: 'Plain string prefix of the paths; default all.',
  })
  @ApiQuery({ name: 'limit', required: false, description: 'Page size, 1 to 1000; default 100.' })
  @ApiQuery({
    name: 'startAfter',
    required: false,
    description: 'nextCursor of the previous page.',
  })
  @ApiOkResponse({ description: '`{ blobs, nextCursor }`' })
  async list(
    @Query('workspace') workspace: string | undefined,
    @Query('prefix') prefix: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('startAfter') startAfter: string | undefined,
  ): Promise<BlobPage> {
    const store = await this.stores.forWorkspace(workspace);

    return store.listBlobs({ prefix, limit: limitOf(limit) as number | undefined, startAfter });
  }

  @Put('object')
  @ApiOperation({
    summary: 'Store a blob',
    description:
      'Streams the body into GridFS; the path points at the new bytes once they are all stored and match the expected SHA-256.',
  })
  @ApiQuery(WORKSPACE_QUERY)
  @ApiQuery(PATH_QUERY)
  @ApiConsumes('application/octet-stream')
  @ApiHeader({
    name: MONIO_BLOB_HEADERS.sha256,
    required: false,
    description: 'Expected hex SHA-256 of the body.',
  })
  @ApiHeader({
    name: MONIO_BLOB_HEADERS.contentType,
    required: false,
    description: 'Media type stored with the blob.',
  })
  @ApiOkResponse({ description: 'The stored blob', schema: BLOB_INFO_SCHEMA })
  async put(
    @Query('workspace') workspace: string | undefined,
    @Query('path') path: string,
    @Headers(MONIO_BLOB_HEADERS.sha256) expectedSha256: string | undefined,
    @Headers(MONIO_BLOB_HEADERS.contentType) contentType: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<BlobInfo> {
    const store = await this.stores.forWorkspace(workspace);
    const info = await store.putBlob(path, request.raw, { expectedSha256, contentType });

    this.logger.info(
      { workspace, path: info.path, size: info.size, sha256: info.sha256 },
      'blob stored',
    );

    return info;
  }

  @Get('object')
  @ApiOperation({
    summary: 'Read a blob',
    description: `Streams the bytes; the ${MONIO_BLOB_HEADERS.info} header contains the blob's metadata as base64url JSON. A transfer whose bytes no longer match the stored SHA-256 is aborted.`,
  })
  @ApiQuery(WORKSPACE_QUERY)
  @ApiQuery(PATH_QUERY)
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes' })
  @ApiNotFoundResponse({ description: 'No blob at this path' })
  async get(
    @Query('workspace') workspace: string | undefined,
    @Query('path') path: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const store = await this.stores.forWorkspace(workspace);
    const { info, stream } = await store.getBlob(path);

    await reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(info.size))
      .header(MONIO_BLOB_HEADERS.info, encodeBlobInfo(info))
      .send(stream);
  }

  @Delete('object')
  @ApiOperation({ summary: 'Delete a blob' })
  @ApiQuery(WORKSPACE_QUERY)
  @ApiQuery(PATH_QUERY)
  @ApiOkResponse({ description: '`{ deleted }`: false when there was no blob at the path' })
  async remove(
    @Query('workspace') workspace: string | undefined,
    @Query('path') path: string,
  ): Promise<{ deleted: boolean }> {
    const store = await this.stores.forWorkspace(workspace);
    const deleted = await store.deleteBlob(path);

    this.logger.info({ workspace, path, deleted }, 'blob deleted');

    return { deleted };
  }
}
