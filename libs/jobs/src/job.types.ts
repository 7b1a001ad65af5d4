/** Job types of the platform; each one has its own queue and its own handler. */
export const JOB_TYPES = [
  'ETL',
  'WEBAPI_SYNC',
  'AIRTABLE_SYNC',
  'INDEX',
  'ALERT',
  'AI_GENERATE',
] as const;

export type JobType = (typeof JOB_TYPES)[number];

/** Job statuses as the worker API reports them; the last three are final. */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Row counters of a job; every job type reports the same three. */
export interface JobProgress {
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
}

/** Retry delay settings: the delay before retry n is `initialDelayMs · 2^(n−1)`, capped and jittered. */
export interface BackoffPolicy {
  /** Delay in ms before the first retry, before jitter. */
  initialDelayMs: number;
  /** Maximum delay in ms before jitter. */
  maxDelayMs: number;
  /** Fraction (0 to 1) of the delay that is random: the delay is drawn from `[d · (1 − jitter), d]`. */
  jitter: number;
}

/** A job as the engine stores it. Timestamps are ISO 8601 UTC strings. */
export interface Job {
  /** UUID version 7, so the id order is the submit order at millisecond resolution. */
  id: string;
  type: JobType;
  status: JobStatus;
  /** Number of times a worker started the job, this run included. */
  attempts: number;
  maxAttempts: number;
  /** Lower values start first; 0 is the default and the highest priority. */
  priority: number;
  payload: JsonValue;
  progress: JobProgress;
  /** The handler's return value once the job succeeded, otherwise null. */
  result: JsonValue;
  /** Message of the last failed attempt, or why the job was cancelled; null while none failed. */
  error: string | null;
  idempotencyKey: string | null;
  /** Earliest time the job may start (the time of submit unless delayed). */
  runAt: string;
  createdAt: string;
  /** Start of the latest attempt. */
  startedAt: string | null;
  finishedAt: string | null;
  /** Time of the first cancel request, if any. */
  cancelRequestedAt: string | null;
}

export interface SubmitJobRequest {
  type: JobType;
  /** Any JSON value; default null. At most 1 MiB as JSON. */
  payload?: JsonValue;
  /** Integer from 0 (default, highest) to 2,097,151. */
  priority?: number;
  /**
   * Caller-chosen key, unique per job type: while a job with this type and key
   * is stored, submitting again returns that job instead of creating one.
   */
  idempotencyKey?: string;
  /** Earliest start time; default now. */
  runAt?: Date;
  /** Total number of attempts, at least 1; default from the engine settings. */
  maxAttempts?: number;
  /** Retry delays; missing fields come from the engine settings. */
  backoff?: Partial<BackoffPolicy>;
}

export interface ListJobsQuery {
  status?: JobStatus;
  type?: JobType;
  /** Page size from 1 to 500; default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of jobs, newest first. A null `nextCursor` means there are no more jobs. */
export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

export interface JobLogLine {
  at: string;
  /** The attempt that wrote the line. */
  attempt: number;
  message: string;
}

export interface JobLogQuery {
  /** Number of stored lines to skip, oldest first; default 0. */
  offset?: number;
  /** Maximum number of lines, from 1 to 1,000; default 100. */
  limit?: number;
}

export interface JobLogPage {
  lines: JobLogLine[];
  /** Number of lines stored for the job (older lines beyond the per-job cap are dropped). */
  total: number;
}

/** A change of a job, delivered to `subscribe` listeners (the source of the job's server-sent events). */
export type JobEvent =
  | {
      kind: 'status';
      jobId: string;
      status: JobStatus;
      attempts: number;
      error: string | null;
      at: string;
    }
  | { kind: 'progress'; jobId: string; progress: JobProgress; at: string };

export type JobEventListener = (event: JobEvent) => void;

/** The second argument of a handler: the signal and the progress and log functions. */
export interface JobContext {
  /**
   * Aborted when the job is cancelled, when this worker lost the lease, or
   * when a shutdown grace period ran out. `signal.reason` is then a
   * `JobCancelledError`, `LeaseLostError` or `WorkerShutdownError`.
   */
  signal: AbortSignal;
  /** Merges the counters into the job's progress; the engine stores it at most once per progress interval. */
  reportProgress(progress: Partial<JobProgress>): void;
  /** Appends a line to the job's log; lines are written in batches with the progress. */
  log(message: string): void;
}

/**
 * Runs one attempt of a job and resolves with its result (any JSON value;
 * undefined is stored as null). A rejection fails the attempt, and the job is
 * retried unless the attempts are used up or the error is a `PermanentJobError`.
 */
export type JobHandler = (job: Job, context: JobContext) => Promise<JsonValue | undefined>;

export interface HandlerOptions {
  /** Maximum number of jobs of this type that this engine runs at once; default 1. */
  concurrency?: number;
}

export interface StopOptions {
  /** Time in ms that running jobs get to finish before they are released; default from the engine settings. */
  graceMs?: number;
}
