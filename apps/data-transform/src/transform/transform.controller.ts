import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { z } from 'zod';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { parseInput } from '../http/parse-input.util';
import { invalidField } from '../http/transform-http.error';
import { previewBodySchema, type PreviewResponse, previewResponseSchema, runBodySchema } from '../http/transform-schemas';
import { workspaceOf } from '../http/workspace.util';
import { PreviewService } from './preview.service';
import { RunsService } from './runs.service';

const runResponseSchema = z.object({ jobId: z.string().describe('Follow the run at /api/jobs/{jobId}.') });

/** Previews and runs of transformation specs, at the paths the edge exposes. */
@ApiTags('transform')
@ApiBearerAuth()
@Controller('api/transform')
export class TransformController {
  constructor(
    private readonly previews: PreviewService,
    private readonly runs: RunsService,
  ) {}

  @Post('preview')
  @Roles('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Preview a transformation',
    description:
      'Runs the spec over the head of an uploaded file (fileId) or over inline CSV text (csv), exactly as a run would, and returns the first `limit` output rows, the rejected or nulled values and the counts.',
  })
  @ApiBody({ schema: openApiSchema(previewBodySchema) })
  @ApiOkResponse({ schema: openApiSchema(previewResponseSchema, 'output') })
  @ApiBadRequestResponse({ description: 'A field or the spec is invalid; the message names the field or spec step.' })
  @ApiNotFoundResponse({ description: 'No such file in the workspace.' })
  @ApiPayloadTooLargeResponse({ description: 'The inline csv is over TRANSFORM_MAX_INLINE_CSV_BYTES (default 1 MiB).' })
  @ApiUnprocessableEntityResponse({ description: 'The file cannot be read as CSV, JSON or NDJSON.' })
  preview(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown): Promise<PreviewResponse> {
    return this.previews.preview(workspaceOf(user), parseInput(previewBodySchema, body, 'body'));
  }

  @Post('runs')
  @Roles('editor')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a run',
    description:
      'Checks the request, then submits an ETL job that loads the whole file into the target table. Modes: create (fails if the table exists), replace, append, upsert (needs target.key).',
  })
  @ApiBody({ schema: openApiSchema(runBodySchema) })
  @ApiHeader({
    name: 'idempotency-key',
    required: false,
    description: 'A repeated request with the same key returns the first run instead of starting another.',
  })
  @ApiAcceptedResponse({ schema: openApiSchema(runResponseSchema, 'output') })
  @ApiBadRequestResponse({ description: 'A field or the spec is invalid; the message names the field or spec step.' })
  @ApiNotFoundResponse({ description: 'No such file in the workspace.' })
  startRun(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | string[] | undefined,
  ): Promise<{ jobId: string }> {
    if (Array.isArray(idempotencyKey) || (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/u.test(idempotencyKey))) {
      throw invalidField('idempotency-key', 'Invalid Idempotency-Key header: send it once, as 1 to 200 visible ASCII characters.');
    }

    return this.runs.start({
      workspace: workspaceOf(user),
      actor: user.id,
      body: parseInput(runBodySchema, body, 'body'),
      idempotencyKey,
    });
  }
}
