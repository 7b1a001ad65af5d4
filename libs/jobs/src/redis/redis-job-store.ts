import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';

import { type NormalizedListQuery, type NormalizedSubmit } from '../core/request.util';
import {
  type Job,
  type JobEvent,
  type JobLogLine,
  type JobPage,
  JOB_TYPES,
  type JobType,
} from '../job.types';
import { CANCELLED_BEFORE_START_MESSAGE } from '../jobs.errors';
import {
  JOB_HASH_FIELDS,
  type JobHashValues,
  type QueuePlacement,
  type StoredJobData,
  toJob,
} from './redis-job-mapper';
import { CANCEL_FIELD, type RedisKeys } from './redis-keys';
import { CANCEL_JOB_SCRIPT, DELETE_IDEMPOTENCY_KEY_SCRIPT } from './redis-scripts';

/** Ids read from each type's index per round trip while listing. */
const INDEX_BATCH = 200;
/** Ids whose jobs are read per transaction while listing. */
const READ_CHUNK = 100;
/** Minimum number of ids one list call examines before it returns a short page with a cursor. */
const MIN_SCAN_BUDGET = 2000;
const PRUNE_BATCH = 500;

type ExecResult = [error: Error | null, value: unknown][] | null;

interface IndexSource {
  type: JobType;
  buffer: string[];
  after: string | null;
  exhausted: boolean;
}

function execValues(result: ExecResult): unknown[] {
  if (result === null) {
    throw new Error('The Redis transaction was discarded.');
  }

  return result.map(([error, value]) => {
    if (error !== null) {
      throw error;
    }

    return value;
  });
}

/**
 * Reads and writes jobs in Redis: BullMQ's keys for the jobs themselves
 * and this library's index, idempotency keys and log lists.
 */
export class RedisJobStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    private readonly queueOf: (type: JobType) => Queue<StoredJobData>,
  ) {}

  /**
   * Adds the jobs. A request with an idempotency key first claims the key
   * with SET NX. When the key already names another job, the request is
   * added under that job's id, and BullMQ keeps the job that was added first.
   */
  async insert(entries: { id: string; request: NormalizedSubmit }[], now: number): Promise<Job[]> {
    const resolved = await Promise.all(
      entries.map(async ({ id, request }) => {
        if (request.idempotencyKey === null) {
          return { id, request };
        }

        const key = this.keys.idempotency(request.type, request.idempotencyKey);
        const existing = await this.client.set(key, id, 'NX', 'GET');

        return { id: existing ?? id, request };
      }),
    );
    // Indexed before the add, so a listed id may lack its job for a moment but a job is never unlisted.
    const indexing = this.client.multi();

    for (const { id, request } of resolved) {
      indexing.zadd(this.keys.index(request.type), 0, id);
    }

    execValues(await indexing.exec());

    for (const type of JOB_TYPES) {
      const ofType = resolved.filter(({ request }) => request.type === type);

      if (ofType.length === 0) {
        continue;
      }

      await this.queueOf(type).addBulk(
        ofType.map(({ id, request }) => ({
          name: type,
          data: {
            payload: request.payload,
            maxAttempts: request.maxAttempts,
            backoff: request.backoff,
            idempotencyKey: request.idempotencyKey,
            priority: request.priority,
            runAt: request.runAt,
          },
          opts: {
            jobId: id,
            timestamp: now,
            priority: request.priority,
            delay: request.runAt - now,
            attempts: request.maxAttempts,
            backoff: { type: 'rokks' },
          },
        })),
      );
    }

    const jobs = await Promise.all(
      resolved.map(async ({ id, request }) => this.read(request.type, [id])),
    );

    return jobs.map(([job], index) => {
      if (job === null) {
        throw new Error(`Job ${resolved[index].id} is missing right after it was added.`);
      }

      return job;
    });
  }

  /** Reads jobs of one type, each with its queue placement, in one transaction. */
  async read(type: JobType, ids: string[]): Promise<(Job | null)[]> {
    if (ids.length === 0) {
      return [];
    }

    const transaction = this.client.multi();

    for (const id of ids) {
      transaction
        .hmget(this.keys.job(type, id), ...JOB_HASH_FIELDS)
        .zscore(this.keys.queueKey(type, 'completed'), id)
        .zscore(this.keys.queueKey(type, 'failed'), id)
        .zscore(this.keys.queueKey(type, 'delayed'), id)
        .zscore(this.keys.queueKey(type, 'prioritized'), id)
        .lpos(this.keys.queueKey(type, 'active'), id);
    }

    const values = execValues(await transaction.exec());

    return ids.map((id, index) => {
      const [hash, completed, failed, delayed, prioritized, active] = values.slice(
        index * 6,
        index * 6 + 6,
      );
      const placement: QueuePlacement = {
        completed: completed !== null,
        failed: failed !== null,
        delayedScore: delayed === null ? null : Number(delayed),
        prioritized: prioritized !== null,
        active: active !== null,
      };

      return toJob(type, id, hash as JobHashValues, placement);
    });
  }

  /** Finds the queue of a job id; null when no queue has it. */
  async findType(id: string): Promise<JobType | null> {
    const transaction = this.client.multi();

    for (const type of JOB_TYPES) {
      transaction.exists(this.keys.job(type, id));
    }

    const found = execValues(await transaction.exec());
    const index = found.findIndex((exists) => exists === 1);

    return index === -1 ? null : JOB_TYPES[index];
  }

  async getJob(id: string): Promise<Job | null> {
    const type = await this.findType(id);

    return type === null ? null : ((await this.read(type, [id]))[0] ?? null);
  }

  /**
   * Lists jobs newest first by merging the per-type id indexes. A status
   * filter is applied to the jobs read, so a call examines at most a scan
   * budget of ids and may return a short page with a cursor.
   */
  async list(query: NormalizedListQuery): Promise<JobPage> {
    const sources: IndexSource[] = (query.type === null ? [...JOB_TYPES] : [query.type]).map(
      (type) => ({
        type,
        buffer: [],
        after: query.afterId,
        exhausted: false,
      }),
    );
    const budget = Math.max(MIN_SCAN_BUDGET, query.limit * 20);
    const jobs: Job[] = [];
    let scanned = 0;

    for (;;) {
      await Promise.all(
        sources
          .filter((source) => source.buffer.length === 0 && !source.exhausted)
          .map(async (source) => this.refill(source)),
      );

      const chunk = this.takeNewest(sources);

      if (chunk.length === 0) {
        return { jobs, nextCursor: null };
      }

      const read = await this.readMixed(chunk);

      for (const job of read) {
        if (job !== null && (query.status === null || job.status === query.status)) {
          jobs.push(job);

          if (jobs.length === query.limit) {
            return { jobs, nextCursor: job.id };
          }
        }
      }

      scanned += chunk.length;

      if (scanned >= budget) {
        return { jobs, nextCursor: chunk[chunk.length - 1].id };
      }
    }
  }

  private async refill(source: IndexSource): Promise<void> {
    const ids = await this.client.zrange(
      this.keys.index(source.type),
      source.after === null ? '+' : `(${source.after}`,
      '-',
      'BYLEX',
      'REV',
      'LIMIT',
      0,
      INDEX_BATCH,
    );

    source.buffer = ids;
    source.exhausted = ids.length < INDEX_BATCH;
    source.after = ids.length > 0 ? ids[ids.length - 1] : source.after;
  }

  /** Takes ids newest first across the sources until a source needs a refill or the chunk is full. */
  private takeNewest(sources: IndexSource[]): { type: JobType; id: string }[] {
    const chunk: { type: JobType; id: string }[] = [];

    while (chunk.length < READ_CHUNK) {
      if (sources.some((source) => source.buffer.length === 0 && !source.exhausted)) {
        break;
      }

      let newest: IndexSource | null = null;

      for (const source of sources) {
        if (source.buffer.length > 0 && (newest === null || source.buffer[0] > newest.buffer[0])) {
          newest = source;
        }
      }

      if (newest === null) {
        break;
      }

      chunk.push({ type: newest.type, id: newest.buffer.shift() as string });
    }

    return chunk;
  }

  private async readMixed(entries: { type: JobType; id: string }[]): Promise<(Job | null)[]> {
    const byId = new Map<string, Job | null>();

    await Promise.all(
      JOB_TYPES.map(async (type) => {
        const ids = entries.filter((entry) => entry.type === type).map((entry) => entry.id);
        const jobs = await this.read(type, ids);

        ids.forEach((id, index) => byId.set(id, jobs[index]));
      }),
    );

    return entries.map((entry) => byId.get(entry.id) ?? null);
  }

  /** Cancels a queued job or flags a running one (see CANCEL_JOB_SCRIPT); null when the job does not exist. */
  async cancel(
    id: string,
    now: number,
  ): Promise<{ job: Job; change: 'cancelled' | 'requested' | 'none' } | null> {
    const type = await this.findType(id);

    if (type === null) {
      return null;
    }

    const queueKey = (name: string): string => this.keys.queueKey(type, name);
    const change = (await this.client.eval(
      CANCEL_JOB_SCRIPT,
      8,
      this.keys.job(type, id),
      queueKey('wait'),
      queueKey('paused'),
      queueKey('prioritized'),
      queueKey('delayed'),
      queueKey('active'),
      queueKey('failed'),
      queueKey('events'),
      id,
      now,
      CANCELLED_BEFORE_START_MESSAGE,
      CANCEL_FIELD,
    )) as 'missing' | 'cancelled' | 'requested' | 'none';
    const [job] = await this.read(type, [id]);

    if (change === 'missing' || job === null) {
      return null;
    }

    return { job, change };
  }

  /** Returns the ids among `ids` (jobs of one type) whose cancel was requested. */
  async cancelRequested(jobs: { type: JobType; id: string }[]): Promise<Set<string>> {
    if (jobs.length === 0) {
      return new Set();
    }

    const transaction = this.client.multi();

    for (const { type, id } of jobs) {
      transaction.hexists(this.keys.job(type, id), CANCEL_FIELD);
    }

    const flags = execValues(await transaction.exec());

    return new Set(jobs.filter((_, index) => flags[index] === 1).map(({ id }) => id));
  }

  async appendLogs(
    type: JobType,
    id: string,
    lines: JobLogLine[],
    maxLines: number,
  ): Promise<void> {
    const key = this.keys.logs(type, id);

    execValues(
      await this.client
        .multi()
        .rpush(key, ...lines.map((line) => JSON.stringify(line)))
        .ltrim(key, -maxLines, -1)
        .exec(),
    );
  }

  async readLogs(
    type: JobType,
    id: string,
    offset: number,
    limit: number,
  ): Promise<{ lines: JobLogLine[]; total: number }> {
    const key = this.keys.logs(type, id);
    const [total, lines] = execValues(
      await this.client
        .multi()
        .llen(key)
        .lrange(key, offset, offset + limit - 1)
        .exec(),
    ) as [number, string[]];

    return { total, lines: lines.map((line) => JSON.parse(line) as JobLogLine) };
  }

  async publish(event: JobEvent): Promise<void> {
    await this.client.publish(this.keys.eventChannel(event.jobId), JSON.stringify(event));
  }

  /** Removes finished jobs finished before `now − maxAgeMs`, then the oldest beyond `maxCount`; returns how many. */
  async prune(maxAgeMs: number, maxCount: number, now: number): Promise<number> {
    let removed = 0;

    for (const type of JOB_TYPES) {
      for (const set of ['completed', 'failed']) {
        for (;;) {
          const ids = await this.client.zrangebyscore(
            this.keys.queueKey(type, set),
            '-inf',
            `(${now - maxAgeMs}`,
            'LIMIT',
            0,
            PRUNE_BATCH,
          );

          const count = await this.removeJobs(ids.map((id) => ({ type, id })));

          removed += count;

          // A batch that removed nothing would be read again, so stop instead.
          if (ids.length < PRUNE_BATCH || count === 0) {
            break;
          }
        }
      }
    }

    for (;;) {
      const excess = Math.min(PRUNE_BATCH, (await this.countFinished()) - maxCount);

      if (excess <= 0) {
        return removed;
      }

      const count = await this.removeJobs(await this.oldestFinished(excess));

      if (count === 0) {
        return removed;
      }

      removed += count;
    }
  }

  private async countFinished(): Promise<number> {
    const transaction = this.client.multi();

    for (const type of JOB_TYPES) {
      transaction
        .zcard(this.keys.queueKey(type, 'completed'))
        .zcard(this.keys.queueKey(type, 'failed'));
    }

    return (execValues(await transaction.exec()) as number[]).reduce(
      (sum, count) => sum + count,
      0,
    );
  }

  /** The `count` jobs that finished first, across all types, by `finishedOn`. */
  private async oldestFinished(count: number): Promise<{ type: JobType; id: string }[]> {
    const candidates: { type: JobType; id: string; finishedOn: number }[] = [];

    for (const type of JOB_TYPES) {
      for (const set of ['completed', 'failed']) {
        const flat = await this.client.zrange(
          this.keys.queueKey(type, set),
          0,
          count - 1,
          'WITHSCORES',
        );

        for (let index = 0; index < flat.length; index += 2) {
          candidates.push({ type, id: flat[index], finishedOn: Number(flat[index + 1]) });
        }
      }
    }

    candidates.sort(
      (left, right) => left.finishedOn - right.finishedOn || (left.id < right.id ? -1 : 1),
    );

    return candidates.slice(0, count);
  }

  /** Removes jobs with BullMQ, then their index entries and idempotency keys; returns how many were removed. */
  private async removeJobs(jobs: { type: JobType; id: string }[]): Promise<number> {
    const removed = await Promise.all(
      jobs.map(async ({ type, id }) => {
        const data = await this.client.hget(this.keys.job(type, id), 'data');
        const idempotencyKey =
          data === null ? null : (JSON.parse(data) as StoredJobData).idempotencyKey;
        const count = await this.queueOf(type).remove(id);

        await this.client.zrem(this.keys.index(type), id);

        if (idempotencyKey !== null) {
          await this.client.eval(
            DELETE_IDEMPOTENCY_KEY_SCRIPT,
            1,
            this.keys.idempotency(type, idempotencyKey),
            id,
          );
        }

        return count === 1 ? 1 : 0;
      }),
    );

    return removed.reduce<number>((sum, count) => sum + count, 0);
  }
}
