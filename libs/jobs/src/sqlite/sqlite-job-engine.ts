import { type Logger } from 'pino';

import { computeBackoffDelay } from '../core/backoff.util';
import {
  type EngineSettings,
  type JobEngineOptions,
  resolveEngineSettings,
} from '../core/engine-settings';
import { EventHub } from '../core/event-hub';
import { HandlerRegistry } from '../core/handler-registry';
import { JobExecution, type AttemptOutcome } from '../core/job-execution';
import { createJobId } from '../core/job-id.util';
import {
  normalizeListQuery,
  normalizeLogQuery,
  normalizeSubmit,
  validateJobId,
} from '../core/request.util';
import { type RunningJob, RunningJobs } from '../core/running-jobs';
import { type JobEngine } from '../job-engine';
import {
  type BackoffPolicy,
  type HandlerOptions,
  type Job,
  type JobEventListener,
  type JobHandler,
  type JobLogPage,
  type JobLogQuery,
  type JobPage,
  type JobProgress,
  type JobType,
  type ListJobsQuery,
  type StopOptions,
  type SubmitJobRequest,
} from '../job.types';
import { JobCancelledError, JobsError, LeaseLostError, WorkerShutdownError } from '../jobs.errors';
import {
  type AttemptRecord,
  type ClaimedJob,
  type JobSnapshot,
  SqliteJobStore,
  type StatusChange,
} from './sqlite-job-store';
import { WakeFile } from './wake-file';

export interface SqliteJobEngineOptions extends JobEngineOptions {
  /** Database file, created when missing; every engine that shares the queue opens the same file. */
  file: string;
  /** Maximum time in ms a write waits for another connection's write lock before it fails; default 10,000. */
  busyTimeoutMs?: number;
  /** Interval in ms at which subscriptions read changes made by other engines; default 250. */
  eventPollIntervalMs?: number;
}

interface SqliteRunningJob extends RunningJob {
  token: string;
  backoff: BackoffPolicy;
  /** Resolves `done` once the outcome is recorded. */
  settle(): void;
}

/** A finished attempt waiting for the next write cycle. */
interface PendingOutcome {
  entry: SqliteRunningJob;
  record: AttemptRecord;
}

type EngineState = 'created' | 'started' | 'stopping' | 'stopped' | 'closed';

/**
 * The SQLite backend: one database file in WAL mode shared by any number of
 * engines in any number of processes on one machine. Claims are
 * `UPDATE … RETURNING` statements, one per job type, inside
 * `BEGIN IMMEDIATE`, so two engines never claim the same job. Engines in
 * other processes hear of new jobs and cancel requests through the wake
 * file, and poll every `pollIntervalMs` in case a wake is missed.
 */
export class SqliteJobEngine implements JobEngine {
  readonly backend = 'sqlite' as const;
  readonly workerId: string;

  private readonly settings: EngineSettings;
  private readonly logger: Logger;
  private readonly store: SqliteJobStore;
  private readonly wakeFile: WakeFile;
  private readonly registry = new HandlerRegistry();
  private readonly running = new RunningJobs<SqliteRunningJob>();
  private readonly hub: EventHub;
  private readonly eventPollIntervalMs: number;
  /** Last status, attempts and progress announced per subscribed job, to detect other engines' changes. */
  private readonly announced = new Map<string, JobSnapshot>();
  private state: EngineState = 'created';
  private stopping: Promise<void> | undefined;
  private readonly pendingOutcomes: PendingOutcome[] = [];
  private tickTimer: NodeJS.Timeout | undefined;
  private tickDueAt = Number.POSITIVE_INFINITY;
  /** Tick that runs right after the pending I/O callbacks, used in place of a 0 ms timer because that waits at least 1 ms. */
  private tickImmediate: NodeJS.Immediate | undefined;
  private tickRunning = false;
  private tickRequested = false;
  private cycleInFlight: Promise<void> = Promise.resolve();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private eventTimer: NodeJS.Timeout | undefined;

  private constructor(options: SqliteJobEngineOptions) {
    this.settings = resolveEngineSettings(options);
    this.workerId = this.settings.workerId;
    this.logger = this.settings.logger.child({ workerId: this.workerId, jobBackend: 'sqlite' });
    this.hub = new EventHub(this.logger);
    this.eventPollIntervalMs = options.eventPollIntervalMs ?? 250;

    if (!Number.isSafeInteger(this.eventPollIntervalMs) || this.eventPollIntervalMs < 1) {
      throw new JobsError(
        'INVALID_ARGUMENT',
        `Invalid eventPollIntervalMs ${String(options.eventPollIntervalMs)}: expected a positive integer.`,
      );
    }

    this.store = new SqliteJobStore(options.file, options.busyTimeoutMs ?? 10_000);
    this.wakeFile = new WakeFile(options.file, this.logger);
  }

  /** Opens (and if needed creates) the database; the engine does not claim jobs until `start`. */
  static async open(options: SqliteJobEngineOptions): Promise<SqliteJobEngine> {
    return Promise.resolve(new SqliteJobEngine(options));
  }

  registerHandler(type: JobType, handler: JobHandler, options?: HandlerOptions): void {
    this.assertOpen();
    this.registry.register(type, handler, options);
    this.wake();
  }

  async start(): Promise<void> {
    this.assertOpen();

    if (this.state !== 'created') {
      throw new JobsError(
        'INVALID_ARGUMENT',
        `The engine cannot start again (it is ${this.state}).`,
      );
    }

    this.state = 'started';
    this.wakeFile.watch(() => {
      if (this.state === 'started' || this.state === 'stopping') {
        this.scheduleTick(0);
      }
    });
    this.heartbeatTimer = setInterval(() => {
      this.renewLeases().catch((error: unknown) => {
        this.logger.error({ err: error }, 'job lease renewal failed');
      });
    }, this.settings.heartbeatIntervalMs);
    this.retentionTimer = setInterval(() => {
      this.pruneFinished().catch((error: unknown) => {
        this.logger.error({ err: error }, 'job retention run failed');
      });
    }, this.settings.retention.intervalMs);
    this.logger.info(
      { jobTypes: this.registry.all().map((handler) => handler.type) },
      'job engine started',
    );
    this.scheduleTick(0);

    return Promise.resolve();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.state !== 'started') {
      return this.stopping;
    }

    this.state = 'stopping';
    this.stopping = this.drain(options.graceMs ?? this.settings.shutdownGraceMs);

    return this.stopping;
  }

  async close(options: StopOptions = {}): Promise<void> {
    if (this.state === 'closed') {
      return;
    }

    await this.stop(options);
    clearInterval(this.eventTimer);
    this.hub.clear();
    this.announced.clear();
    this.state = 'closed';
    this.wakeFile.close();
    this.store.close();
  }

  async submit(request: SubmitJobRequest): Promise<Job> {
    const [job] = await this.submitMany([request]);

    return job;
  }

  async submitMany(requests: SubmitJobRequest[]): Promise<Job[]> {
    this.assertOpen();

    if (!Array.isArray(requests)) {
      throw new JobsError('INVALID_ARGUMENT', 'Invalid submit requests: expected an array.');
    }

    const now = Date.now();
    const normalized = requests.map((request) =>
      normalizeSubmit(
        request,
        { maxAttempts: this.settings.defaultMaxAttempts, backoff: this.settings.defaultBackoff },
        now,
      ),
    );
    const jobs = await this.store.insert(
      normalized.map((request) => ({ id: createJobId(now), request })),
      now,
    );

    this.wakeFile.notify();

    if (
      jobs.some((job) => this.registry.get(job.type) !== undefined && Date.parse(job.runAt) <= now)
    ) {
      this.wake();
    }

    return jobs;
  }

  async getJob(id: string): Promise<Job | null> {
    this.assertOpen();

    return Promise.resolve(this.store.getJob(validateJobId(id)));
  }

  async listJobs(query?: ListJobsQuery): Promise<JobPage> {
    this.assertOpen();

    const normalized = normalizeListQuery(query);
    const rows = this.store.list(normalized);
    const jobs = rows.slice(0, normalized.limit);
    const nextCursor = rows.length > normalized.limit ? jobs[jobs.length - 1].id : null;

    return Promise.resolve({ jobs, nextCursor });
  }

  async cancel(id: string): Promise<Job> {
    this.assertOpen();

    const outcome = await this.store.cancel(validateJobId(id), Date.now());

    if (outcome === null) {
      throw new JobsError('NOT_FOUND', `Job ${id} not found.`);
    }

    if (outcome.change !== 'none') {
      this.wakeFile.notify();
    }

    if (outcome.change === 'cancelled') {
      this.logger.info({ jobId: id, jobType: outcome.job.type }, 'queued job cancelled');
      this.announceStatus(outcome.job);
    }

    if (outcome.job.status === 'running') {
      this.running.get(id)?.execution.abort(new JobCancelledError(id));
    }

    return outcome.job;
  }

  async getLogs(id: string, query?: JobLogQuery): Promise<JobLogPage> {
    this.assertOpen();

    const { offset, limit } = normalizeLogQuery(query);

    if (this.store.getJob(validateJobId(id)) === null) {
      throw new JobsError('NOT_FOUND', `Job ${id} not found.`);
    }

    return Promise.resolve(this.store.readLogs(id, offset, limit));
  }

  async subscribe(id: string, listener: JobEventListener): Promise<() => void> {
    this.assertOpen();
    validateJobId(id);

    const snapshot = this.store.snapshots([id])[0];

    if (snapshot === undefined) {
      throw new JobsError('NOT_FOUND', `Job ${id} not found.`);
    }

    if (this.hub.add(id, listener)) {
      this.announced.set(id, snapshot);
    }

    this.eventTimer ??= setInterval(() => this.pollEvents(), this.eventPollIntervalMs);

    return Promise.resolve(() => {
      if (this.hub.remove(id, listener)) {
        this.announced.delete(id);
      }

      if (this.hub.jobIds().length === 0) {
        clearInterval(this.eventTimer);
        this.eventTimer = undefined;
      }
    });
  }

  async pruneFinished(): Promise<number> {
    this.assertOpen();

    const { maxAgeMs, maxCount } = this.settings.retention;
    const removed = await this.store.prune(maxAgeMs, maxCount, Date.now());

    if (removed.length > 0) {
      this.logger.info({ removedJobs: removed.length }, 'finished jobs removed');
    }

    return removed.length;
  }

  private assertOpen(): void {
    if (this.state === 'closed') {
      throw new JobsError('ENGINE_CLOSED', 'The job engine is closed.');
    }
  }

  /** Looks for work now instead of at the next poll. */
  private wake(): void {
    if (this.state === 'started') {
      this.scheduleTick(0);
    }
  }

  private scheduleTick(delayMs: number): void {
    if (this.tickImmediate !== undefined) {
      return;
    }

    if (delayMs <= 0) {
      this.cancelScheduledTick();
      this.tickImmediate = setImmediate(() => this.tick());

      return;
    }

    const dueAt = Date.now() + delayMs;

    if (this.tickTimer !== undefined && this.tickDueAt <= dueAt) {
      return;
    }

    clearTimeout(this.tickTimer);
    this.tickDueAt = dueAt;
    this.tickTimer = setTimeout(() => this.tick(), delayMs);
  }

  private cancelScheduledTick(): void {
    clearTimeout(this.tickTimer);
    clearImmediate(this.tickImmediate);
    this.tickTimer = undefined;
    this.tickImmediate = undefined;
    this.tickDueAt = Number.POSITIVE_INFINITY;
  }

  /**
   * Runs one write cycle (see `runCycle`) unless one is running, then
   * schedules the next. Cycles started here never overlap.
   */
  private tick(): void {
    this.cancelScheduledTick();

    if (this.tickRunning) {
      this.tickRequested = true;

      return;
    }

    this.tickRunning = true;
    this.tickRequested = false;
    this.cycleInFlight = this.runCycle()
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'job claim failed');

        return false;
      })
      .then((claimedAny) => {
        this.tickRunning = false;

        if (this.state === 'started' || this.state === 'stopping') {
          this.scheduleTick(claimedAny || this.tickRequested ? 0 : this.settings.pollIntervalMs);
        }
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'job claim scheduling failed');
      });
  }

  /**
   * Records the finished attempts, requeues expired leases and claims due
   * jobs into free slots, all in one transaction, then passes on cancel
   * requests. Returns true when it claimed a job, so the next cycle runs at once.
   */
  private async runCycle(): Promise<boolean> {
    if (this.state !== 'started' && this.state !== 'stopping') {
      return false;
    }

    const pending = this.pendingOutcomes.splice(0);
    const now = Date.now();
    const freeSlots =
      this.state === 'started' ? this.freeSlots(pending) : new Map<JobType, number>();

    // A read first, so idle engines do not take the write lock at every poll.
    if (pending.length === 0 && !this.store.hasDueWork([...freeSlots.keys()], now)) {
      await this.passOnCancelRequests();

      return false;
    }

    let result;

    try {
      result = await this.store.cycle(
        pending.map(({ record }) => record),
        freeSlots,
        { now, leaseMs: this.settings.leaseMs, owner: this.workerId },
      );
    } catch (error) {
      // Recorded with the next cycle; the leases stay renewed until then.
      this.pendingOutcomes.unshift(...pending);
      throw error;
    }

    pending.forEach(({ entry }, index) => this.finishAttempt(entry, result.recorded[index]));

    for (const change of result.swept) {
      this.logger.warn(
        { jobId: change.id, attempt: change.attempts, status: change.status },
        'job lease expired',
      );
      this.announceStatus(change);
    }

    if (result.swept.some((change) => change.status === 'queued')) {
      this.wakeFile.notify();
    }

    for (const claim of result.claimed) {
      this.launch(claim);
    }

    await this.passOnCancelRequests();

    return result.claimed.length > 0;
  }

  /** Free slots per type; attempts whose outcome is in `pending` no longer take one. */
  private freeSlots(pending: PendingOutcome[]): Map<JobType, number> {
    const freeSlots = new Map<JobType, number>();

    for (const { type, concurrency } of this.registry.all()) {
      const finishing = pending.filter(({ entry }) => entry.type === type).length;
      const free = concurrency - this.running.countOfType(type) + finishing;

      if (free > 0) {
        freeSlots.set(type, free);
      }
    }

    return freeSlots;
  }

  private launch(claim: ClaimedJob): void {
    const { job, token } = claim;
    const registered = this.registry.get(job.type);

    if (registered === undefined) {
      throw new Error(`Claimed job ${job.id} of type ${job.type}, which has no handler.`);
    }

    const lease = { id: job.id, token };
    const execution = new JobExecution(
      job,
      registered.handler,
      {
        saveProgress: async (progress) => {
          await this.store.saveProgress(lease, progress);
          this.announceProgress(job.id, progress);
        },
        appendLogs: async (lines) =>
          this.store.appendLogs(job.id, lines, this.settings.maxLogLinesPerJob),
      },
      { progressIntervalMs: this.settings.progressIntervalMs, logger: this.logger },
    );
    let settle = (): void => undefined;
    const entry: SqliteRunningJob = {
      type: job.type,
      execution,
      token,
      backoff: claim.backoff,
      detached: false,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
      settle: () => settle(),
    };

    this.running.add(job.id, entry);
    this.logger.debug({ jobId: job.id, jobType: job.type, attempt: job.attempts }, 'job started');
    this.announceStatus(job);
    execution
      .run()
      .then(async (outcome) => this.queueOutcome(entry, outcome))
      .catch((error: unknown) => {
        this.logger.error({ err: error, jobId: job.id }, 'job outcome could not be stored');
        this.running.delete(job.id);
        entry.settle();
      });
  }

  /** Queues the attempt's outcome for the next write cycle, which runs at once. */
  private async queueOutcome(entry: SqliteRunningJob, outcome: AttemptOutcome): Promise<void> {
    const { job } = entry.execution;

    await entry.execution.flush();

    if (entry.detached || this.state === 'closed') {
      this.running.delete(job.id);
      entry.settle();

      return;
    }

    const lease = { id: job.id, token: entry.token };
    const progress = entry.execution.currentProgress;

    if (outcome.kind === 'failed') {
      this.logger.info(
        { jobId: job.id, jobType: job.type, attempt: job.attempts, err: outcome.error },
        'job attempt failed',
      );
    }

    this.pendingOutcomes.push({
      entry,
      record:
        outcome.kind === 'succeeded'
          ? { lease, kind: 'complete', result: JSON.stringify(outcome.result), progress }
          : {
              lease,
              kind: 'fail',
              error: outcome.message,
              permanent: outcome.permanent,
              retryAt: Date.now() + computeBackoffDelay(job.attempts, entry.backoff),
              progress,
            },
    });
    this.scheduleTick(0);
  }

  private finishAttempt(entry: SqliteRunningJob, change: StatusChange | null): void {
    const { job } = entry.execution;

    this.running.delete(job.id);
    entry.settle();

    if (change === null) {
      this.logger.warn(
        { jobId: job.id, jobType: job.type, attempt: job.attempts },
        'job outcome rejected because the lease was lost',
      );

      return;
    }

    this.logger.info(
      { jobId: job.id, jobType: job.type, attempt: job.attempts, status: change.status },
      'job attempt finished',
    );
    this.announceStatus(change);
  }

  private async renewLeases(): Promise<void> {
    const leases = this.running
      .list()
      .filter(([, entry]) => !entry.detached)
      .map(([id, entry]) => ({ id, token: entry.token }));

    if (leases.length === 0) {
      return;
    }

    const results = await this.store.renewLeases(leases, Date.now(), this.settings.leaseMs);

    for (const [id, { held, cancelRequested }] of results) {
      const entry = this.running.get(id);

      if (entry === undefined) {
        continue;
      }

      if (!held) {
        entry.detached = true;
        entry.execution.detach();
        entry.execution.abort(new LeaseLostError(id));
        this.logger.warn({ jobId: id, jobType: entry.type }, 'job lease lost');
      } else if (cancelRequested) {
        entry.execution.abort(new JobCancelledError(id));
      }
    }
  }

  private async passOnCancelRequests(): Promise<void> {
    const ids = this.running
      .list()
      .filter(([, entry]) => !entry.detached && !entry.execution.signal.aborted)
      .map(([id]) => id);

    if (ids.length === 0) {
      return;
    }

    for (const id of this.store.cancelRequested(ids)) {
      this.running.get(id)?.execution.abort(new JobCancelledError(id));
    }

    return Promise.resolve();
  }

  /** Waits up to `graceMs` for running jobs, then releases the rest to the queue. */
  private async drain(graceMs: number): Promise<void> {
    this.logger.info({ runningJobs: this.running.size, graceMs }, 'job engine stopping');

    const idle = await this.running.waitUntilIdle(graceMs);

    if (!idle) {
      const finishing = new Set(this.pendingOutcomes.map(({ entry }) => entry));
      const now = Date.now();

      for (const [id, entry] of this.running.list()) {
        if (entry.detached || finishing.has(entry)) {
          continue;
        }

        entry.detached = true;
        entry.execution.detach();
        entry.execution.abort(new WorkerShutdownError(id));

        const change = await this.store.release(
          { id, token: entry.token },
          new WorkerShutdownError(id).message,
          now,
        );

        if (change !== null) {
          this.logger.warn(
            { jobId: id, jobType: entry.type, status: change.status },
            'job released',
          );
          this.announceStatus(change);
          this.wakeFile.notify();
        }
      }

      // Attempts that finished in time but are not recorded yet.
      await this.runCycle();
    }

    // Set first, so the cycle in flight schedules no further one; close() waits for it.
    this.state = 'stopped';
    this.cancelScheduledTick();
    this.wakeFile.unwatch();
    clearInterval(this.heartbeatTimer);
    clearInterval(this.retentionTimer);
    await this.cycleInFlight;
    this.logger.info('job engine stopped');
  }

  private announceStatus(change: StatusChange | Job): void {
    const previous = this.announced.get(change.id);

    if (previous !== undefined) {
      this.announced.set(change.id, { ...previous, ...pickStatus(change) });
    }

    this.hub.emit({
      kind: 'status',
      jobId: change.id,
      ...pickStatus(change),
      at: new Date().toISOString(),
    });
  }

  private announceProgress(jobId: string, progress: JobProgress): void {
    const previous = this.announced.get(jobId);

    if (previous !== undefined) {
      this.announced.set(jobId, { ...previous, progress: JSON.stringify(progress) });
    }

    this.hub.emit({ kind: 'progress', jobId, progress, at: new Date().toISOString() });
  }

  /** Reads the subscribed jobs and announces what other engines changed since the last read. */
  private pollEvents(): void {
    const ids = this.hub.jobIds();

    if (ids.length === 0 || this.state === 'closed') {
      return;
    }

    try {
      for (const snapshot of this.store.snapshots(ids)) {
        const previous = this.announced.get(snapshot.id);

        if (previous === undefined) {
          continue;
        }

        if (previous.status !== snapshot.status || previous.attempts !== snapshot.attempts) {
          this.announceStatus(snapshot);
        }

        if (previous.progress !== snapshot.progress) {
          this.announceProgress(snapshot.id, JSON.parse(snapshot.progress) as JobProgress);
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'job event poll failed');
    }
  }
}

function pickStatus(
  change: StatusChange | Job,
): Pick<StatusChange, 'status' | 'attempts' | 'error'> {
  return { status: change.status, attempts: change.attempts, error: change.error };
}
