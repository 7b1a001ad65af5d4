import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';
import { JOB_STATUSES, JOB_TYPES, type JobLogPage, MAX_PAGE_SIZE } from '@rokks/jobs';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { openApiSchema } from '../http/open-api-schema.util';
import { parseInput } from '../http/parse-input.util';
import { type WorkerSettings } from '../worker.settings';
import { JobEngineHost } from './job-engine-host';
import { JobEventStream } from './job-event-stream';
import {
  jobLogPageSchema,
  jobLogsQuerySchema,
  jobPageSchema,
  type JobView,
  jobViewSchema,
  listJobsQuerySchema,
  toJobView,
} from './job-schemas';
import { JobsService } from './jobs.service';

const JOB_ID_PARAM = { name: 'jobId', description: 'Job id (UUID version 7).' };

/** The jobs API, at the paths the edge exposes. Users see the jobs of their workspace. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController implements BeforeApplicationShutdown {
  /** Open event streams, ended at shutdown so the HTTP server can close. */
  private readonly streams = new Set<JobEventStream>();

  constructor(
    private readonly jobs: JobsService,
    private readonly host: JobEngineHost,
    private readonly context: ServiceContext<WorkerSettings>,
    @InjectPinoLogger('JobsController') private readonly logger: PinoLogger,
  ) {}

  beforeApplicationShutdown(): void {
    for (const stream of [...this.streams]) {
      stream.close();
    }
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List jobs, newest first' })
  @ApiQuery({ name: 'status', required: false, enum: JOB_STATUSES })
  @ApiQuery({ name: 'type', required: false, enum: JOB_TYPES })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE_SIZE}; default 50.` })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page.' })
  @ApiOkResponse({ schema: openApiSchema(jobPageSchema, 'output') })
  @ApiBadRequestResponse({ description: 'A query field is invalid; the message names it.' })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: unknown,
  ): Promise<{ jobs: JobView[]; nextCursor: string | null }> {
    const page = await this.jobs.list(user, parseInput(listJobsQuerySchema, query, 'query'));

    return { jobs: page.jobs.map(toJobView), nextCursor: page.nextCursor };
  }

  @Get(':jobId')
  @Roles('viewer')
  @ApiOperation({ summary: 'Read a job' })
  @ApiParam(JOB_ID_PARAM)
  @ApiOkResponse({ schema: openApiSchema(jobViewSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such job in the workspace.' })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('jobId') jobId: string): Promise<JobView> {
    return toJobView(await this.jobs.get(user, jobId));
  }

  @Post(':jobId/cancel')
  @Roles('editor')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'A queued job is cancelled at once; a running job keeps running until its handler stops; a finished job is returned unchanged.',
  })
  @ApiParam(JOB_ID_PARAM)
  @ApiOkResponse({ schema: openApiSchema(jobViewSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such job in the workspace.' })
  async cancel(@CurrentUser() user: AuthenticatedUser, @Param('jobId') jobId: string): Promise<JobView> {
    return toJobView(await this.jobs.cancel(user, jobId));
  }

  @Get(':jobId/logs')
  @Roles('viewer')
  @ApiOperation({ summary: "Read a job's log lines, oldest first" })
  @ApiParam(JOB_ID_PARAM)
  @ApiQuery({ name: 'offset', required: false, description: 'Lines to skip; default 0.' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000; default 100.' })
  @ApiOkResponse({ schema: openApiSchema(jobLogPageSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such job in the workspace.' })
  async logs(
    @CurrentUser() user: AuthenticatedUser,
    @Param('jobId') jobId: string,
    @Query() query: unknown,
  ): Promise<JobLogPage> {
    return this.jobs.logs(user, jobId, parseInput(jobLogsQuerySchema, query, 'query'));
  }

  @Get(':jobId/events')
  @Roles('viewer')
  @ApiOperation({
    summary: "Follow a job's status and progress (server-sent events)",
    description:
      'First a `job` event with the job, then a `status` or `progress` event per change, and a heartbeat comment every 15 s. After a final status the stream sends the finished job as a `job` event and ends.',
  })
  @ApiParam(JOB_ID_PARAM)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream.' })
  @ApiNotFoundResponse({ description: 'No such job in the workspace.' })
  async events(
    @CurrentUser() user: AuthenticatedUser,
    @Param('jobId') jobId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.jobs.get(user, jobId);

    const engine = this.host.engine;
    // The listener runs before the stream exists: events that arrive while
    // the job is read are kept and sent after the job.
    const target: { stream?: JobEventStream } = {};
    const early: Parameters<JobEventStream['send']>[0][] = [];
    const unsubscribe = await engine.subscribe(jobId, (event) => {
      if (target.stream === undefined) {
        early.push(event);
      } else {
        target.stream.send(event);
      }
    });
    let job;

    try {
      job = await this.jobs.get(user, jobId);
    } catch (error) {
      unsubscribe();
      throw error;
    }

    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    this.logger.debug({ jobId, userId: user.id }, 'job event stream opened');
    const stream = new JobEventStream(reply.raw, {
      heartbeatMs: this.context.settings.jobsEventsHeartbeatMs,
      readJob: () => engine.getJob(jobId),
      onEnd: (reason) => {
        this.streams.delete(stream);
        unsubscribe();
        this.logger.debug({ jobId, userId: user.id, reason }, 'job event stream closed');
      },
    });

    this.streams.add(stream);
    stream.start(job);

    for (const event of early) {
      stream.send(event);
    }

    target.stream = stream;
  }
}
