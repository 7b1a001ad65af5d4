import { performance } from 'node:perf_hooks';

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
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
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
  constructor(
    private readonly engine: SqlEngine,
    @InjectPinoLogger('QueriesController') private readonly logger: PinoLogger,
  ) {}

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
  async query(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(sqlQuerySchema)) body: z.output<typeof sqlQuerySchema>,
  ): Promise<QueryResult> {
    const started = performance.now();
    const result = await this.engine.query({ workspace: workspaceOf(user), userId: user.id, ...body });

    this.logQuery('sql', user, result, started);

    return result;
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
  async widgetQuery(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(widgetQuerySchema)) body: z.output<typeof widgetQuerySchema>,
  ): Promise<QueryResult> {
    const started = performance.now();
    const result = await this.engine.widgetQuery({ workspace: workspaceOf(user), userId: user.id, query: body });

    this.logQuery('widget', user, result, started);

    return result;
  }

  private logQuery(kind: 'sql' | 'widget', user: AuthenticatedUser, result: QueryResult, started: number): void {
    this.logger.debug(
      { kind, userId: user.id, rows: result.rowCount, truncated: result.truncated, durationMs: Math.round(performance.now() - started) },
      'query finished',
    );
  }
}
