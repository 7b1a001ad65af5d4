/** Stable reason for a failed engine call; the worker service maps each one to an HTTP status. */
export type JobsErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ENGINE_CLOSED';

/** HTTP status for each error code. */
export const JOBS_ERROR_STATUS: Readonly<Record<JobsErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ENGINE_CLOSED: 503,
};

/** The error type every engine method throws for a bad request; the message names the offending value. */
export class JobsError extends Error {
  override readonly name = 'JobsError';
  readonly status: number;

  constructor(
    readonly code: JobsErrorCode,
    message: string,
  ) {
    super(message);
    this.status = JOBS_ERROR_STATUS[code];
  }
}

export function isJobsError(error: unknown, code?: JobsErrorCode): error is JobsError {
  return error instanceof JobsError && (code === undefined || error.code === code);
}

/** Thrown by a handler to fail the job at once, without the remaining attempts. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** `signal.reason` when someone cancelled the job. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';

  constructor(jobId: string) {
    super(`Job ${jobId} was cancelled.`);
  }
}

/**
 * `signal.reason` when this worker can no longer renew the job's lease
 * (another worker may already run it); the attempt's outcome will be rejected.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';

  constructor(jobId: string) {
    super(`The lease on job ${jobId} was lost, so this worker can no longer complete it.`);
  }
}

/** `signal.reason` when the worker shut down before the job finished; the job goes back to the queue. */
export class WorkerShutdownError extends Error {
  override readonly name = 'WorkerShutdownError';

  constructor(jobId: string) {
    super(`The worker shut down before job ${jobId} finished; the job was released to the queue.`);
  }
}

/** Error message stored when a job's last attempt ended because its lease expired. */
export const LEASE_EXPIRED_MESSAGE =
  'The lease expired before the attempt finished (the worker stopped or stalled).';

/** Error message stored when a queued job is cancelled. */
export const CANCELLED_BEFORE_START_MESSAGE = 'Cancelled before it started.';

/** Renders a thrown value as the message stored in `Job.error`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message === '' ? error.name : error.message;
  }

  return String(error);
}
