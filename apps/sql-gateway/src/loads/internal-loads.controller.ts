import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';

import { InternalOnly } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { STREAM_BODY } from '../http/stream-body.parser';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { type BeginLoadBody, beginLoadSchema, loadStatusSchema } from './load-schemas';
import { LoadSessions, type LoadStatus } from './load-sessions.service';

/** Media type of a rows body: PostgreSQL COPY text (tab-separated, `\N` for null). */
export const COPY_TEXT_MEDIA_TYPE = 'text/tab-separated-values';

const LOAD_ID_PARAM = { name: 'loadId', description: 'The load id given when the load began.' };
const STATUS_RESPONSE = { schema: openApiSchema(loadStatusSchema, 'output') };

/**
 * The Load API of the worker: begin a load, stream its rows as COPY text in
 * one or more requests, then commit or abort. Everything a load writes
 * becomes visible at the commit, in one transaction; a load id that
 * committed once is never applied again.
 */
@ApiTags('internal: loads')
@InternalOnly()
@Controller('internal/loads')
export class InternalLoadsController {
  constructor(private readonly loads: LoadSessions) {}

  @Post()
  @ApiOperation({
    summary: 'Begin a load',
    description:
      'Opens the load\'s transaction. A load id that committed before returns 200 with `alreadyApplied` and its result; one that is open is aborted and begun again.',
  })
  @ApiBody({ schema: openApiSchema(beginLoadSchema) })
  @ApiCreatedResponse({ ...STATUS_RESPONSE, description: 'The load is open and takes rows.' })
  @ApiOkResponse({ ...STATUS_RESPONSE, description: 'The load id had committed before; nothing will change.' })
  @ApiBadRequestResponse({ description: 'Invalid body, names or load options; the message names the field.' })
  @ApiConflictResponse({ description: 'mode create and the table exists, a column type differs, or the load is busy.' })
  @ApiTooManyRequestsResponse({ description: 'The maximum of open loads is reached.' })
  async begin(
    @Body(new ZodValidationPipe(beginLoadSchema)) body: BeginLoadBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoadStatus> {
    const status = await this.loads.begin(body);

    void reply.status(status.state === 'committed' ? 200 : 201);

    return status;
  }

  @Get(':loadId')
  @ApiOperation({ summary: 'Read the state of a load' })
  @ApiParam(LOAD_ID_PARAM)
  @ApiOkResponse(STATUS_RESPONSE)
  @ApiNotFoundResponse({ description: 'No open or recently committed load with this id.' })
  status(@Param('loadId') loadId: string): LoadStatus {
    return this.loads.status(loadId);
  }

  @Put(':loadId/rows')
  @RouteConfig(STREAM_BODY)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stream rows into a load',
    description:
      'The body is PostgreSQL COPY text: one row per line, values separated by tabs, `\\N` for null, backslash escapes, UTF-8. ' +
      'It streams into the database as it arrives. A load may take several such requests, one after another; a row may span two of them. ' +
      'Any failure, a body cut off included, aborts the whole load.',
  })
  @ApiParam(LOAD_ID_PARAM)
  @ApiConsumes(COPY_TEXT_MEDIA_TYPE, 'application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiQuery({ name: 'commit', required: false, description: '`true` commits the load once the body has been written.' })
  @ApiOkResponse(STATUS_RESPONSE)
  @ApiNotFoundResponse({ description: 'No such load.' })
  @ApiConflictResponse({ description: 'Another request of the load is running, or the load was aborted meanwhile.' })
  @ApiPayloadTooLargeResponse({ description: 'A row is longer than 64 MiB.' })
  @ApiUnprocessableEntityResponse({ description: 'A value the column type cannot take, or a body that is not UTF-8; the message names row and column.' })
  @ApiUnsupportedMediaTypeResponse({ description: 'A JSON body.' })
  async writeRows(
    @Param('loadId') loadId: string,
    @Query('commit') commit: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<LoadStatus> {
    if (request.body !== undefined) {
      throw new UnsupportedMediaTypeException(
        `the rows of a load are COPY text: send them as ${COPY_TEXT_MEDIA_TYPE}, not ${request.headers['content-type']}`,
      );
    }

    const status = await this.loads.writeRows(loadId, request.raw);

    return commit === 'true' ? this.loads.commit(loadId) : status;
  }

  @Post(':loadId/commit')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Commit a load',
    description: 'Makes the rows visible at once. Committing a committed load returns its result again.',
  })
  @ApiParam(LOAD_ID_PARAM)
  @ApiOkResponse(STATUS_RESPONSE)
  @ApiNotFoundResponse({ description: 'No such load.' })
  @ApiConflictResponse({ description: 'Another request of the load is running, or the upsert key or a type conflicts.' })
  @ApiUnprocessableEntityResponse({ description: 'A value the column type cannot take; the message names row and column.' })
  commit(@Param('loadId') loadId: string): Promise<LoadStatus> {
    return this.loads.commit(loadId);
  }

  @Delete(':loadId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Abort a load', description: 'Rolls back everything the load wrote; a request streaming rows into it fails.' })
  @ApiParam(LOAD_ID_PARAM)
  @ApiNoContentResponse({ description: 'Aborted.' })
  @ApiNotFoundResponse({ description: 'No such load.' })
  @ApiConflictResponse({ description: 'The load has committed.' })
  abort(@Param('loadId') loadId: string): Promise<void> {
    return this.loads.abort(loadId);
  }
}
