import { type Job as BullJob, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { type Logger } from 'pino';

import { computeBackoffDelay } from '../core/backoff.util';
import {
  type EngineSettings,
  type JobEngineOptions,
  resolveEngineSettings,
} from '../core/engine-settings';
import { EventHub } from '../core/event-hub';
import { HandlerRegistry, type RegisteredHandler } from '../core/handler-registry';
import { JobExecution } from '../core/job-execution';
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
  type HandlerOptions,
  type Job,
  type JobEvent,
  type JobEventListener,
  type JobHandler,
  type JobLogPage,
  type JobLogQuery,
  type JobPage,
  type JobType,
  type JsonValue,
  type ListJobsQuery,
  type StopOptions,
  type SubmitJobRequest,
} from '../job.types';
import {
  JobCancelledError,
  JobsError,
  LEASE_EXPIRED_MESSAGE,
  LeaseLostError,
  WorkerShutdownError,
} from '../jobs.errors';
import { parseProgress, type StoredJobData } from './redis-job-mapper';
import { RedisJobStore } from './redis-job-store';
import { CANCEL_FIELD, RedisKeys } from './redis-keys';

export interface RedisJobEngineOptions extends JobEngineOptions {
  /** Connection settings of ioredis (host, port, username, password, db, tls, …). */
  connection: RedisOptions;
  /** Prefix of every key; engines that share a queue use the same prefix. Default `rokks-jobs`. */
  prefix?: string;
}

interface RedisRunningJob extends RunningJob {
  token: string;
  bullJob: BullJob<StoredJobData, JsonValue>;
  /** Makes the processor return at once, after the job was released at shutdown. */
  release(): void;
}

type EngineState = 'created' | 'started' | 'stopping' | 'stopped' | 'closed';

/** BullMQ sends a stalled job back to the queue at most this often before failing it; the engine counts attempts itself. */
const UNLIMITED_STALLS = 1_000_000;

/**
 * The Redis backend: one BullMQ queue per job type on a shared Redis, so
 * worker processes on many machines share the queues. BullMQ's job lock is
 * the lease, and BullMQ's lock manager renews it. When a lock expires, the
 * stalled-job check of any worker moves the job back to the queue.
 */
export class RedisJobEngine implements JobEngine {
  readonly backend = 'redis' as const;
  readonly workerId: string;

  private readonly settings: EngineSettings;
  private readonly logger: Logger;
  private readonly keys: RedisKeys;
  private readonly client: Redis;
  private readonly store: RedisJobStore;
  private readonly registry = new HandlerRegistry();
  private readonly running = new RunningJobs<RedisRunningJob>();
  private readonly hub: EventHub;
  private readonly queues = new Map<JobType, Queue<StoredJobData>>();
  private readonly workers = new Map<JobType, Worker<StoredJobData, JsonValue>>();
  /** Worker connections; BullMQ duplicates each for its blocking fetch and closes only the duplicate. */
  private readonly workerConnections: Redis[] = [];
  /** SUBSCRIBE calls per job id, so concurrent subscribers of one job wait for the same one. */
  private readonly channelSubscriptions = new Map<string, Promise<unknown>>();
  private subscriber: Redis | undefined;
  private state: EngineState = 'created';
  private stopping: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: RedisJobEngineOptions) {
    this.settings = resolveEngineSettings(options);
    this.workerId = this.settings.workerId;
    this.logger = this.settings.logger.child({ workerId: this.workerId, jobBackend: 'redis' });
    this.hub = new EventHub(this.logger);
    this.keys = new RedisKeys(options.prefix ?? 'rokks-jobs');

    if (this.keys.prefix === '' || this.keys.prefix.includes(':')) {
      throw new JobsError(
        'INVALID_ARGUMENT',
        `Invalid prefix ${JSON.stringify(options.prefix)}: expected a non-empty name without ":".`,
      );
    }

    this.client = new Redis({ ...options.connection, lazyConnect: true });
    this.client.on('error', (error: unknown) =>
      this.logger.warn({ err: error }, 'job store connection error'),
    );
    this.store = new RedisJobStore(this.client, this.keys, (type) => this.queueOf(type));
  }

  /** Connects to Redis; the engine does not claim jobs until `start`. */
  static async open(options: RedisJobEngineOptions): Promise<RedisJobEngine> {
    const engine = new RedisJobEngine(options);

    await engine.client.connect();

    return engine;
  }

  registerHandler(type: JobType, handler: JobHandler, options?: HandlerOptions): void {
    this.assertOpen();

    const registered = this.registry.register(type, handler, options);

    if (this.state === 'started') {
      this.startWorker(registered);
    }
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
    await this.subscriberConnection().subscribe(this.keys.cancelChannel());

    for (const registered of this.registry.all()) {
      this.startWorker(registered);
    }

    this.heartbeatTimer = setInterval(() => {
      this.passOnCancelRequests().catch((error: unknown) => {
        this.logger.error({ err: error }, 'job cancel check failed');
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
    this.state = 'closed';
    this.hub.clear();
    await Promise.all([...this.queues.values()].map(async (queue) => queue.close()));
    this.subscriber?.disconnect();
    await this.client.quit();
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

    return this.store.insert(
      normalized.map((request) => ({ id: createJobId(now), request })),
      now,
    );
  }

  async getJob(id: string): Promise<Job | null> {
    this.assertOpen();

    return this.store.getJob(validateJobId(id));
  }

  async listJobs(query?: ListJobsQuery): Promise<JobPage> {
    this.assertOpen();

    return this.store.list(normalizeListQuery(query));
  }

  async cancel(id: string): Promise<Job> {
    this.assertOpen();

    const outcome = await this.store.cancel(validateJobId(id), Date.now());

    if (outcome === null) {
      throw new JobsError('NOT_FOUND', `Job ${id} not found.`);
    }

    const { job, change } = outcome;

    if (change === 'cancelled') {
      this.logger.info({ jobId: id, jobType: job.type }, 'queued job cancelled');
      this.announce({
        kind: 'status',
        jobId: id,
        status: job.status,
        attempts: job.attempts,
        error: job.error,
        at: new Date().toISOString(),
      });
    }

    if (change === 'requested') {
      this.running.get(id)?.execution.abort(new JobCancelledError(id));
      await this.client.publish(this.keys.cancelChannel(), id);
    }

    return job;
  }

  async getLogs(id: string, query?: JobLogQuery): Promise<JobLogPage> {
    this.assertOpen();

    const { offset, limit } = normalizeLogQuery(query);
    const type = await this.store.findType(validateJobId(id));

    if (type === null) {
      throw new JobsError('NOT_FOUND', `Job ${id} not found.`);
    }

    return this.store.readLogs(type, id, offset, limit);
  }

  async subscribe(id: string, listener: JobEventListener): Promise<() => void> {
    this.assertOpen();
    validateJobId(id);

    const channel = this.keys.eventChannel(id);

    if (this.hub.add(id, listener)) {
      this.channelSubscriptions.set(id, this.subscriberConnection().subscribe(channel));
    }

    const unsubscribe = (): void => {
      if (this.hub.remove(id, listener)) {
        this.channelSubscriptions.delete(id);
        this.subscriber?.unsubscribe(channel).catch((error: unknown) => {
          this.logger.warn({ err: error, jobId: id }, 'job event unsubscribe failed');
        });
      }
    };

    try {
      await this.channelSubscriptions.get(id);

      if ((await this.store.findType(id)) === null) {
        throw new JobsError('NOT_FOUND', `Job ${id} not found.`);
      }
    } catch (error) {
      unsubscribe();
      throw error;
    }

    return unsubscribe;
  }

  async pruneFinished(): Promise<number> {
    this.assertOpen();

    const { maxAgeMs, maxCount } = this.settings.retention;
    const removed = await this.store.prune(maxAgeMs, maxCount, Date.now());

    if (removed > 0) {
      this.logger.info({ removedJobs: removed }, 'finished jobs removed');
    }

    return removed;
  }

  private assertOpen(): void {
    if (this.state === 'closed') {
      throw new JobsError('ENGINE_CLOSED', 'The job engine is closed.');
    }
  }

  private queueOf(type: JobType): Queue<StoredJobData> {
    let queue = this.queues.get(type);

    if (queue === undefined) {
      queue = new Queue<StoredJobData>(type, { connection: this.client, prefix: this.keys.prefix });
      queue.on('error', (error: unknown) =>
        this.logger.warn({ err: error, jobType: type }, 'job queue error'),
      );
      this.queues.set(type, queue);
    }

    return queue;
  }

  /** Returns the connection in subscriber mode, which receives cancel requests and the events of subscribed jobs. */
  private subscriberConnection(): Redis {
    if (this.subscriber === undefined) {
      const subscriber = this.client.duplicate();

      subscriber.on('error', (error: unknown) =>
        this.logger.warn({ err: error }, 'job event connection error'),
      );
      subscriber.on('message', (channel: string, message: string) =>
        this.receive(channel, message),
      );
      this.subscriber = subscriber;
    }

    return this.subscriber;
  }

  private receive(channel: string, message: string): void {
    if (channel === this.keys.cancelChannel()) {
      this.running.get(message)?.execution.abort(new JobCancelledError(message));

      return;
    }

    try {
      this.hub.emit(JSON.parse(message) as JobEvent);
    } catch (error) {
      this.logger.warn({ err: error, channel }, 'job event message invalid');
    }
  }

  private announce(event: JobEvent): void {
    this.store.publish(event).catch((error: unknown) => {
      this.logger.warn({ err: error, jobId: event.jobId }, 'job event publish failed');
    });
  }

  /** Reads the job and announces its status, after a change that BullMQ made. */
  private announceStored(jobId: string): void {
    this.store
      .getJob(jobId)
      .then((job) => {
        if (job !== null) {
          this.announce({
            kind: 'status',
            jobId,
            status: job.status,
            attempts: job.attempts,
            error: job.error,
            at: new Date().toISOString(),
          });
        }
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, jobId }, 'job event publish failed');
      });
  }

  private startWorker(registered: RegisteredHandler): void {
    const { type, concurrency } = registered;
    // BullMQ requires maxRetriesPerRequest null for workers, so commands wait out a reconnect.
    const connection = new Redis({ ...this.options.connection, maxRetriesPerRequest: null });

    connection.on('error', (error: unknown) =>
      this.logger.warn({ err: error, jobType: type }, 'job worker connection error'),
    );
    this.workerConnections.push(connection);

    const worker = new Worker<StoredJobData, JsonValue>(
      type,
      async (bullJob, token) => this.process(registered, bullJob, token),
      {
        connection,
        prefix: this.keys.prefix,
        name: this.workerId,
        autorun: false,
        concurrency,
        lockDuration: this.settings.leaseMs,
        lockRenewTime: this.settings.heartbeatIntervalMs,
        stalledInterval: Math.max(1, Math.floor(this.settings.leaseMs / 2)),
        maxStalledCount: UNLIMITED_STALLS,
        settings: {
          backoffStrategy: (attemptsMade, _strategy, _error, job) =>
            computeBackoffDelay(attemptsMade, (job?.data as StoredJobData).backoff),
        },
      },
    );

    worker.on('error', (error) =>
      this.logger.error({ err: error, jobType: type }, 'job worker error'),
    );
    worker.on('completed', (bullJob) => {
      this.logger.info(
        { jobId: bullJob.id, jobType: type, attempt: bullJob.attemptsStarted, status: 'succeeded' },
        'job attempt finished',
      );
      this.announce({
        kind: 'status',
        jobId: bullJob.id as string,
        status: 'succeeded',
        attempts: bullJob.attemptsStarted,
        error: null,
        at: new Date().toISOString(),
      });
    });
    worker.on('failed', (bullJob) => {
      if (bullJob?.id !== undefined) {
        this.announceStored(bullJob.id);
      }
    });
    worker.on('stalled', (jobId) => {
      this.logger.warn({ jobId, jobType: type }, 'job lease expired');
      this.announceStored(jobId);
    });
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds) {
        this.detach(id, new LeaseLostError(id));
        this.logger.warn({ jobId: id, jobType: type }, 'job lease lost');
      }
    });
    this.workers.set(type, worker);
    worker.run().catch((error: unknown) => {
      this.logger.error({ err: error, jobType: type }, 'job worker stopped on an error');
    });
  }

  private detach(id: string, reason: Error): void {
    const entry = this.running.get(id);

    if (entry !== undefined && !entry.detached) {
      entry.detached = true;
      entry.execution.detach();
      entry.execution.abort(reason);
    }
  }

  /** BullMQ's processor: runs one attempt and turns its outcome into a return value or an error for BullMQ. */
  private async process(
    registered: RegisteredHandler,
    bullJob: BullJob<StoredJobData, JsonValue>,
    token: string | undefined,
  ): Promise<JsonValue> {
    const id = bullJob.id as string;
    const jobKey = this.keys.job(registered.type, id);
    const data = bullJob.data;

    // The start that BullMQ just counted is not an attempt when the job ends here without running.
    if (bullJob.attemptsStarted > data.maxAttempts) {
      await this.client.hincrby(jobKey, 'ats', -1);
      throw new UnrecoverableError(LEASE_EXPIRED_MESSAGE);
    }

    if ((await this.client.hexists(jobKey, CANCEL_FIELD)) === 1) {
      await this.client.hincrby(jobKey, 'ats', -1);
      throw new UnrecoverableError(new JobCancelledError(id).message);
    }

    const progress = parseProgress(JSON.stringify(bullJob.progress));

    if (progress.rowsRead + progress.rowsLoaded + progress.rowsRejected > 0) {
      await bullJob.updateProgress({ rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 });
    }

    const job = this.toRunningJob(registered.type, bullJob);
    const execution = new JobExecution(
      job,
      registered.handler,
      {
        saveProgress: async (saved) => {
          await bullJob.updateProgress(saved);
          this.announce({
            kind: 'progress',
            jobId: id,
            progress: saved,
            at: new Date().toISOString(),
          });
        },
        appendLogs: async (lines) =>
          this.store.appendLogs(registered.type, id, lines, this.settings.maxLogLinesPerJob),
      },
      { progressIntervalMs: this.settings.progressIntervalMs, logger: this.logger },
    );
    let settle = (): void => undefined;
    let release = (): void => undefined;
    const released = new Promise<'released'>((resolve) => {
      release = () => resolve('released');
    });
    const entry: RedisRunningJob = {
      type: registered.type,
      execution,
      token: token ?? '',
      bullJob,
      detached: false,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
      release,
    };

    this.running.add(id, entry);
    this.logger.debug({ jobId: id, jobType: job.type, attempt: job.attempts }, 'job started');
    this.announce({
      kind: 'status',
      jobId: id,
      status: 'running',
      attempts: job.attempts,
      error: job.error,
      at: new Date().toISOString(),
    });

    try {
      const outcome = await Promise.race([execution.run(), released]);

      if (outcome === 'released') {
        // BullMQ's attempt to record this error fails, because the lock is gone.
        throw new UnrecoverableError(new WorkerShutdownError(id).message);
      }

      await execution.flush();

      if (entry.detached) {
        this.logger.warn(
          { jobId: id, jobType: job.type, attempt: job.attempts },
          'job outcome rejected because the lease was lost',
        );
      }

      if (outcome.kind === 'succeeded') {
        return outcome.result;
      }

      this.logger.info(
        { jobId: id, jobType: job.type, attempt: job.attempts, err: outcome.error },
        'job attempt failed',
      );

      const cancelled = execution.signal.reason instanceof JobCancelledError;

      if (cancelled || outcome.permanent || job.attempts >= data.maxAttempts) {
        throw new UnrecoverableError(outcome.message);
      }

      throw new Error(outcome.message);
    } finally {
      this.running.delete(id);
      settle();
    }
  }

  private toRunningJob(type: JobType, bullJob: BullJob<StoredJobData, JsonValue>): Job {
    const data = bullJob.data;

    return {
      id: bullJob.id as string,
      type,
      status: 'running',
      attempts: bullJob.attemptsStarted,
      maxAttempts: data.maxAttempts,
      priority: data.priority,
      payload: data.payload,
      progress: { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 },
      result: null,
      error: bullJob.failedReason ?? null,
      idempotencyKey: data.idempotencyKey,
      runAt: new Date(data.runAt).toISOString(),
      createdAt: new Date(bullJob.timestamp).toISOString(),
      startedAt: new Date(bullJob.processedOn ?? Date.now()).toISOString(),
      finishedAt: null,
      cancelRequestedAt: null,
    };
  }

  private async passOnCancelRequests(): Promise<void> {
    const candidates = this.running
      .list()
      .filter(([, entry]) => !entry.detached && !entry.execution.signal.aborted)
      .map(([id, entry]) => ({ id, type: entry.type }));

    for (const id of await this.store.cancelRequested(candidates)) {
      this.running.get(id)?.execution.abort(new JobCancelledError(id));
    }
  }

  /** Stops fetching, waits up to `graceMs` for running jobs, then moves the rest back to the queue. */
  private async drain(graceMs: number): Promise<void> {
    this.logger.info({ runningJobs: this.running.size, graceMs }, 'job engine stopping');

    // close() stops fetching at once and resolves after the running jobs have been recorded.
    const closing = [...this.workers.values()].map(async (worker) => worker.close());
    const idle = await this.running.waitUntilIdle(graceMs);

    if (!idle) {
      await Promise.all(this.running.list().map(async ([id, entry]) => this.release(id, entry)));
    }

    await Promise.all(closing);

    for (const connection of this.workerConnections.splice(0)) {
      connection.disconnect();
    }

    clearInterval(this.heartbeatTimer);
    clearInterval(this.retentionTimer);
    await this.subscriber?.unsubscribe(this.keys.cancelChannel());
    this.state = 'stopped';
    this.logger.info('job engine stopped');
  }

  private async release(id: string, entry: RedisRunningJob): Promise<void> {
    if (entry.detached) {
      return;
    }

    this.detach(id, new WorkerShutdownError(id));

    try {
      await entry.bullJob.moveToWait(entry.token);
      // moveToWait keeps the start count; the released attempt does not count.
      await this.client.hincrby(this.keys.job(entry.type, id), 'ats', -1);
      this.logger.warn({ jobId: id, jobType: entry.type }, 'job released');
      this.announceStored(id);
    } catch (error) {
      this.logger.warn(
        { err: error, jobId: id },
        'job release failed; it runs again after its lease expires',
      );
    } finally {
      entry.release();
    }
  }
}
