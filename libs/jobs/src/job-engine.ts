import {
  type HandlerOptions,
  type Job,
  type JobEventListener,
  type JobHandler,
  type JobLogPage,
  type JobLogQuery,
  type JobPage,
  type JobType,
  type ListJobsQuery,
  type StopOptions,
  type SubmitJobRequest,
} from './job.types';

export type JobBackendName = 'sqlite' | 'redis';

/**
 * The job engine of the worker service. A process that only submits and
 * reads jobs never calls `start`; a worker registers handlers and calls
 * `start`. Methods reject with `JobsError` for invalid arguments, unknown
 * jobs and a closed engine; storage failures reject with the driver's error.
 */
export interface JobEngine {
  readonly backend: JobBackendName;
  /** Name of this engine in leases and logs. */
  readonly workerId: string;

  /** Adds the handler of a job type; allowed before and after `start`, once per type. */
  registerHandler(type: JobType, handler: JobHandler, options?: HandlerOptions): void;
  /** Starts claiming jobs of the registered types, renewing leases and removing old jobs. */
  start(): Promise<void>;
  /** Stops claiming, waits up to the grace period for running jobs, then releases the rest to the queue. */
  stop(options?: StopOptions): Promise<void>;
  /** Stops the engine if started and closes its connections. */
  close(options?: StopOptions): Promise<void>;

  /** Creates a queued job, or returns the stored job with the same type and idempotency key. */
  submit(request: SubmitJobRequest): Promise<Job>;
  /** Submits several jobs at once (one transaction on SQLite); returns them in request order. */
  submitMany(requests: SubmitJobRequest[]): Promise<Job[]>;
  /** Returns the job, or null when no job has this id (never submitted, or removed by retention). */
  getJob(id: string): Promise<Job | null>;
  /** Lists jobs newest first, optionally of one status and type. */
  listJobs(query?: ListJobsQuery): Promise<JobPage>;
  /**
   * Cancels a job. A queued job is cancelled at once, the signal of a running
   * job's handler aborts, and a finished job stays as it is. Returns the job
   * after the request, and throws `NOT_FOUND` for an unknown id.
   */
  cancel(id: string): Promise<Job>;
  /** Returns a page of the job's log lines, oldest first; throws `NOT_FOUND` for an unknown id. */
  getLogs(id: string, query?: JobLogQuery): Promise<JobLogPage>;
  /**
   * Calls `listener` for each status change and stored progress of the job,
   * from any engine on the same store. Resolves once listening, so a read of
   * the job after that misses no change; returns the function that stops it.
   */
  subscribe(id: string, listener: JobEventListener): Promise<() => void>;
  /** Removes finished jobs beyond the retention settings now; returns how many it removed. */
  pruneFinished(): Promise<number>;
}
