import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type z } from 'zod';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';
import { type QueryResult, SqlEngine } from '@rokks/sql-engine';

import { openApiSchema } from '../http/open-api-schema.util';
import { workspaceOf } from '../http/workspace.util';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { queryResultSchema, sqlQuerySchema, widgetQuerySchema } from './query-schemas';

/** Read-only SQL and dashboard widget queries over the user's workspace. */
@ApiTags('queries')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid access token.' })
@ApiForbiddenResponse({ description: 'The user lacks the viewer role.' })
@ApiBadRequestResponse({ description: 'Invalid body or query; the message names the field, or the position in the SQL.' })
@ApiNotFoundResponse({ description: 'Unknown table or column.' })
@ApiPayloadTooLargeResponse({ description: 'The embedded database rejected the query plan as too costly.' })
@ApiTooManyRequestsResponse({ description: 'The user already has the maximum of queries running and queued.' })
@ApiGatewayTimeoutResponse({ description: 'The statement timeout expired.' })
@Controller('api/sql')
export class QueriesController {
  constructor(private readonly engine: SqlEngine) {}

  @Post('query')
  @Roles('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a read-only SQL query',
    description:
      'One SELECT against logical table names, in a read-only transaction under the statement timeout and the row and size caps.',
  })
  @ApiBody({ schema: openApiSchema(sqlQuerySchema) })
  @ApiOkResponse({ schema: openApiSchema(queryResultSchema, 'output') })
  query(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(sqlQuerySchema)) body: z.output<typeof sqlQuerySchema>,
  ): Promise<QueryResult> {
    return this.engine.query({ workspace: workspaceOf(user), userId: user.id, ...body });
  }

  @Post('widget-query')
  @Roles('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a dashboard widget query',
    description:
      'Compiled to one parameterised SELECT: measures, dimensions, an optional time bucket (time_bucket on TimescaleDB, date_bin elsewhere), filters and ordering.',
  })
  @ApiBody({ schema: openApiSchema(widgetQuerySchema) })
  @ApiOkResponse({ schema: openApiSchema(queryResultSchema, 'output') })
  widgetQuery(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(widgetQuerySchema)) body: z.output<typeof widgetQuerySchema>,
  ): Promise<QueryResult> {
    return this.engine.widgetQuery({ workspace: workspaceOf(user), userId: user.id, query: body });
  }
}
