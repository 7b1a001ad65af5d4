import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { parseInput } from '../http/parse-input.util';
import { STREAM_BODY } from '../http/request-body-parsers';
import { workspaceOf } from '../http/workspace.util';
import { storedFileSchema, type UploadResult, uploadQuerySchema, uploadResultSchema } from './file-schemas';
import { FileStore, type StoredFile } from './file-store';
import { ProfileStreams } from './profile-streams';

/** Uploads and profiles, at the paths the edge exposes. Users see the files of their workspace. */
@ApiTags('files')
@ApiBearerAuth()
@Controller('api/transform/files')
export class FilesController implements BeforeApplicationShutdown {
  constructor(
    private readonly files: FileStore,
    private readonly profiles: ProfileStreams,
  ) {}

  beforeApplicationShutdown(): void {
    this.profiles.closeAll();
  }

  @Post()
  @Roles('editor')
  @HttpCode(201)
  @RouteConfig(STREAM_BODY)
  @ApiOperation({
    summary: 'Upload a file',
    description:
      'Streams the raw body, of any content type, to the blob store of the workspace and returns its id, size and SHA-256.',
  })
  @ApiQuery({ name: 'name', description: 'File name, such as weather.csv.' })
  @ApiConsumes('application/octet-stream', 'text/csv', 'application/json')
  @ApiCreatedResponse({ schema: openApiSchema(uploadResultSchema, 'output') })
  @ApiBadRequestResponse({ description: 'The name is missing or invalid.' })
  @ApiPayloadTooLargeResponse({ description: 'The body is over TRANSFORM_MAX_UPLOAD_BYTES (default 2 GiB).' })
  async upload(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
  ): Promise<UploadResult> {
    const { name } = parseInput(uploadQuerySchema, query, 'query');
    const file = await this.files.upload({ workspace: workspaceOf(user), name, actor: user.id, body: request.raw });

    return { fileId: file.fileId, name: file.name, bytes: file.bytes, sha256: file.sha256 };
  }

  @Get(':fileId')
  @Roles('viewer')
  @ApiOperation({ summary: "Read a file's metadata" })
  @ApiParam({ name: 'fileId', description: 'File id from the upload.' })
  @ApiOkResponse({ schema: openApiSchema(storedFileSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such file in the workspace.' })
  describe(@CurrentUser() user: AuthenticatedUser, @Param('fileId') fileId: string): Promise<StoredFile> {
    return this.files.describe(workspaceOf(user), fileId);
  }

  @Get(':fileId/profile')
  @Roles('viewer')
  @ApiOperation({
    summary: 'Profile a file (server-sent events)',
    description:
      'Reads the head of the file (10,000 rows by default) and sends `progress` events {bytesRead, rowsRead}, one `schema` event {format, encoding, delimiter, header, columns, sampledRows, complete, rowErrors}, one `rows` event with the first 100 raw rows keyed by column name, then `done`. A failure sends one `error` event with the error body instead.',
  })
  @ApiParam({ name: 'fileId', description: 'File id from the upload.' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream.' })
  @ApiNotFoundResponse({ description: 'No such file in the workspace.' })
  async profile(
    @CurrentUser() user: AuthenticatedUser,
    @Param('fileId') fileId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const workspace = workspaceOf(user);

    // An unknown file is a 404 response, not an event.
    await this.files.describe(workspace, fileId);
    await this.profiles.stream(reply, { workspace, fileId, userId: user.id });
  }
}
