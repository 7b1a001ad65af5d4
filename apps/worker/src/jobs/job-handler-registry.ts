import { Injectable } from '@nestjs/common';

import {
  errorMessage,
  type Job,
  JobCancelledError,
  type JobContext,
  type JobEngine,
  type JobHandler,
  JobsError,
  type JobType,
  type JsonValue,
  PermanentJobError,
} from '@rokks/jobs';

import { AuditLog } from '../audit/audit-log';

/** Actor of the entries the worker records about jobs it ran. */
export const WORKER_ACTOR = 'system:worker';

/**
 * Registry of the job types this worker runs. Any module injects it and
 * calls `register`, in its `onModuleInit` for example. Handlers registered
 * before the engine opens are added when it opens, and later ones at once.
 * Each type runs with the concurrency of `JOBS_CONCURRENCY` (default 1).
 *
 * Each handler is wrapped so that the attempt that ends a job records
 * `job.finished` in the audit log: a success, a failure on the last attempt
 * or with `PermanentJobError`, or a failure after a cancel request. An
 * attempt released at shutdown or whose lease was lost records nothing.
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobType, JobHandler>();
  private engine: JobEngine | undefined;
  private concurrency: Partial<Record<JobType, number>> = {};

  constructor(private readonly audit: AuditLog) {}

  /** Adds the handler of a job type; a type has at most one handler. */
  register(type: JobType, handler: JobHandler): void {
    if (this.handlers.has(type)) {
      throw new JobsError('INVALID_ARGUMENT', `A handler for ${type} jobs is already registered.`);
    }

    const wrapped = this.audited(handler);

    this.handlers.set(type, wrapped);
    this.engine?.registerHandler(type, wrapped, { concurrency: this.concurrency[type] ?? 1 });
  }

  /** Job types that have a handler. */
  types(): JobType[] {
    return [...this.handlers.keys()];
  }

  /** Called by the engine host once the engine is open. */
  attach(engine: JobEngine, concurrency: Partial<Record<JobType, number>>): void {
    this.engine = engine;
    this.concurrency = concurrency;

    for (const [type, handler] of this.handlers) {
      engine.registerHandler(type, handler, { concurrency: concurrency[type] ?? 1 });
    }
  }

  private audited(handler: JobHandler): JobHandler {
    return async (job: Job, context: JobContext): Promise<JsonValue | undefined> => {
      try {
        const result = await handler(job, context);

        if (!context.signal.aborted || context.signal.reason instanceof JobCancelledError) {
          this.record(job, 'succeeded', null);
        }

        return result;
      } catch (error) {
        const reason: unknown = context.signal.aborted ? context.signal.reason : undefined;

        if (reason instanceof JobCancelledError) {
          this.record(job, 'cancelled', errorMessage(error));
        } else if (
          reason === undefined &&
          (error instanceof PermanentJobError || job.attempts >= job.maxAttempts)
        ) {
          this.record(job, 'failed', errorMessage(error));
        }

        throw error;
      }
    };
  }

  private record(job: Job, status: string, error: string | null): void {
    this.audit.append({
      actor: WORKER_ACTOR,
      action: 'job.finished',
      target: job.id,
      details: { type: job.type, status, attempts: job.attempts, error },
    });
  }
}
