import { Injectable } from '@nestjs/common';

import { type AuthenticatedUser } from '@rokks/auth-guard';
import {
  JOB_ID_PATTERN,
  type Job,
  type JobLogPage,
  type JobPage,
  JobsError,
  type ListJobsQuery,
  type SubmitJobRequest,
} from '@rokks/jobs';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { AuditLog } from '../audit/audit-log';
import { InvalidFieldError } from '../http/worker-exception.filter';
import { JobEngineHost } from './job-engine-host';

/** Workspace of requests and jobs that name none. */
export const DEFAULT_WORKSPACE = 'default';

/** Audit actions the worker records about jobs. */
export const JOB_AUDIT_ACTIONS = {
  submitted: 'job.submitted',
  cancelled: 'job.cancelled',
  finished: 'job.finished',
} as const;

/**
 * Returns the workspace of a job: its payload's `workspace` field when it
 * is a string, else `default`. Submitters put the workspace there.
 */
export function jobWorkspace(job: Job): string {
  const payload = job.payload;

  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    const workspace = payload.workspace;

    if (typeof workspace === 'string') {
      return workspace;
    }
  }

  return DEFAULT_WORKSPACE;
}

function userWorkspace(user: AuthenticatedUser): string {
  return user.workspace ?? DEFAULT_WORKSPACE;
}

/** Checks a job id from a path, so a malformed id is 400 naming `jobId`. */
export function checkJobId(id: string): string {
  if (!JOB_ID_PATTERN.test(id)) {
    throw new InvalidFieldError('jobId', `Invalid jobId ${JSON.stringify(id)}: expected a job id (UUID version 7).`);
  }

  return id;
}

function notFound(id: string): JobsError {
  return new JobsError('NOT_FOUND', `No job ${id}.`);
}

/**
 * The jobs API on top of the engine: user calls see only the jobs of their
 * workspace (another workspace's job is 404), and submits and cancels are
 * recorded in the audit log.
 */
@Injectable()
export class JobsService {
  constructor(
    private readonly host: JobEngineHost,
    private readonly audit: AuditLog,
    @InjectPinoLogger('JobsService') private readonly logger: PinoLogger,
  ) {}

  /** Submits a job (or returns the stored job with the same idempotency key) and records it. */
  async submit(request: SubmitJobRequest, actor: string): Promise<Job> {
    const calledAt = Date.now();
    const job = await this.host.engine.submit(request);
    const reused = Date.parse(job.createdAt) < calledAt;

    if (!reused) {
      this.audit.append({
        actor,
        action: JOB_AUDIT_ACTIONS.submitted,
        target: job.id,
        details: { type: job.type, idempotencyKey: job.idempotencyKey, priority: job.priority },
      });
    }

    this.logger.info({ jobId: job.id, jobType: job.type, reused }, 'job submitted');

    return job;
  }

  /** Reads a job of any workspace for internal callers, and throws 404 when it is unknown. */
  async getAny(id: string): Promise<Job> {
    const job = await this.host.engine.getJob(checkJobId(id));

    if (job === null) {
      throw notFound(id);
    }

    return job;
  }

  /** Reads a job of the user's workspace, and throws 404 for an unknown job or another workspace's. */
  async get(user: AuthenticatedUser, id: string): Promise<Job> {
    const job = await this.getAny(id);

    if (jobWorkspace(job) !== userWorkspace(user)) {
      throw notFound(id);
    }

    return job;
  }

  /**
   * Lists a page of jobs of the user's workspace, newest first. Jobs of other
   * workspaces are left out, so a page can hold fewer than `limit` jobs
   * while `nextCursor` is set.
   */
  async list(user: AuthenticatedUser, query: ListJobsQuery): Promise<JobPage> {
    const page = await this.host.engine.listJobs(query);

    return {
      jobs: page.jobs.filter((job) => jobWorkspace(job) === userWorkspace(user)),
      nextCursor: page.nextCursor,
    };
  }

  async cancel(user: AuthenticatedUser, id: string): Promise<Job> {
    await this.get(user, id);

    const job = await this.host.engine.cancel(id);

    this.audit.append({
      actor: user.id,
      action: JOB_AUDIT_ACTIONS.cancelled,
      target: job.id,
      details: { type: job.type, status: job.status },
    });
    this.logger.info({ jobId: job.id, userId: user.id, status: job.status }, 'job cancel requested');

    return job;
  }

  async logs(user: AuthenticatedUser, id: string, query: { offset?: number; limit?: number }): Promise<JobLogPage> {
    await this.get(user, id);

    return this.host.engine.getLogs(id, query);
  }
}
