import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { InternalOnly } from '@rokks/auth-guard';
import { type Job } from '@rokks/jobs';

import { openApiSchema } from '../http/open-api-schema.util';
import { parseInput } from '../http/parse-input.util';
import { jobIdSchema, type JobView, jobViewSchema, submitJobSchema, toJobView } from './job-schemas';
import { JobsService } from './jobs.service';

/** Message patterns of the worker's jobs for other backends (NestJS TCP transport over mutual TLS). */
export const JOB_PATTERNS = {
  submit: 'jobs.submit',
  get: 'jobs.get',
} as const;

/** Default actor of jobs submitted by another service without one. */
export const SYSTEM_ACTOR = 'system';

/**
 * Job submission for other backends (the data-transform service submits ETL
 * jobs here), as an HTTP route and a message pattern with the same body:
 * `{ type, payload?, idempotencyKey?, priority?, runAt?, maxAttempts?,
 * actor? }`. The job's workspace is its payload's `workspace` field.
 */
@ApiTags('internal')
@InternalOnly()
@Controller('internal/jobs')
export class InternalJobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @ApiOperation({
    summary: 'Submit a job (internal)',
    description: 'Returns the stored job when one with the same type and idempotency key exists.',
  })
  @ApiBody({ schema: openApiSchema(submitJobSchema) })
  @ApiCreatedResponse({ schema: openApiSchema(jobViewSchema, 'output') })
  async submit(@Body() body: unknown): Promise<JobView> {
    return toJobView(await this.submitJob(body));
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'Read a job of any workspace (internal)' })
  @ApiParam({ name: 'jobId', description: 'Job id (UUID version 7).' })
  @ApiOkResponse({ schema: openApiSchema(jobViewSchema, 'output') })
  async get(@Param('jobId') jobId: string): Promise<JobView> {
    return toJobView(await this.jobs.getAny(jobId));
  }

  /** Same body as `POST /internal/jobs` → the job. */
  @MessagePattern(JOB_PATTERNS.submit)
  async submitMessage(@Payload() payload: unknown): Promise<JobView> {
    return toJobView(await this.submitJob(payload));
  }

  /** `{ jobId }` → the job. */
  @MessagePattern(JOB_PATTERNS.get)
  async getMessage(@Payload() payload: unknown): Promise<JobView> {
    const { jobId } = parseInput(jobIdSchema, payload, 'payload');

    return toJobView(await this.jobs.getAny(jobId));
  }

  private async submitJob(body: unknown): Promise<Job> {
    const { actor, ...request } = parseInput(submitJobSchema, body, 'body');

    return this.jobs.submit(request, actor ?? SYSTEM_ACTOR);
  }
}
