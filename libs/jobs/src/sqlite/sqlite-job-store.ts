import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type Database from 'better-sqlite3';

import { parseJson } from '../core/json.util';
import { type NormalizedListQuery, type NormalizedSubmit } from '../core/request.util';
import {
  type BackoffPolicy,
  type Job,
  type JobLogLine,
  type JobProgress,
  type JobStatus,
  type JobType,
} from '../job.types';
import { CANCELLED_BEFORE_START_MESSAGE, LEASE_EXPIRED_MESSAGE } from '../jobs.errors';
import { openJobDatabase } from './sqlite-schema';

interface JobRow {
  id: string;
  type: JobType;
  status: JobStatus;
  payload: string;
  priority: number;
  idempotency_key: string | null;
  max_attempts: number;
  backoff: string;
  attempts: number;
  run_at: number;
  lease_token: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested_at: number | null;
  progress: string;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A status change made by the store, for the engine to announce. */
export interface StatusChange {
  id: string;
  status: JobStatus;
  attempts: number;
  error: string | null;
}

export interface ClaimedJob {
  job: Job;
  token: string;
  backoff: BackoffPolicy;
}

export interface JobSnapshot extends StatusChange {
  progress: string;
}

export interface Lease {
  id: string;
  token: string;
}

/** The outcome of a finished attempt, as the engine records it. */
export type AttemptRecord =
  | { lease: Lease; kind: 'complete'; result: string; progress: JobProgress }
  | {
      lease: Lease;
      kind: 'fail';
      error: string;
      permanent: boolean;
      retryAt: number;
      progress: JobProgress;
    };

export interface CycleResult {
  /** Per attempt record, the new status; null when the lease was lost and the outcome rejected. */
  recorded: (StatusChange | null)[];
  /** Running jobs whose lease had expired. */
  swept: StatusChange[];
  claimed: ClaimedJob[];
}

/**
 * Maximum synchronous wait in ms for another connection's write lock. Longer
 * waits are retried asynchronously, so a busy database freezes the event loop
 * (and with it the lease renewals) for at most this long per attempt.
 */
const SYNC_BUSY_WAIT_MS = 20;

const ZERO_PROGRESS = JSON.stringify({ rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 });
const FINISHED = `('succeeded', 'failed', 'cancelled')`;
const PRUNE_BATCH = 1000;

function isoTime(milliseconds: number | null): string | null {
  return milliseconds === null ? null : new Date(milliseconds).toISOString();
}

function rowToJob(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    payload: parseJson(row.payload),
    progress: JSON.parse(row.progress) as JobProgress,
    result: parseJson(row.result),
    error: row.error,
    idempotencyKey: row.idempotency_key,
    runAt: new Date(row.run_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: isoTime(row.started_at),
    finishedAt: isoTime(row.finished_at),
    cancelRequestedAt: isoTime(row.cancel_requested_at),
  };
}

/** Orders queued jobs of one type as the claim does: priority, due time, then submit order. */
function compareClaimOrder(left: JobRow, right: JobRow): number {
  if (left.priority !== right.priority) {
    return left.priority - right.priority;
  }

  if (left.run_at !== right.run_at) {
    return left.run_at - right.run_at;
  }

  if (left.id === right.id) {
    return 0;
  }

  return left.id < right.id ? -1 : 1;
}

function prepareStatements(state: Database.Database, telemetry: Database.Database) {
  return {
    insert: state.prepare<Record<string, unknown>, JobRow>(`
      INSERT INTO jobs (id, type, status, payload, priority, idempotency_key, max_attempts, backoff,
                        run_at, progress, created_at)
      VALUES (@id, @type, 'queued', @payload, @priority, @idempotencyKey, @maxAttempts, @backoff,
              @runAt, '${ZERO_PROGRESS}', @createdAt)
      ON CONFLICT (type, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING *`),
    byIdempotencyKey: state.prepare<[string, string], JobRow>(
      'SELECT * FROM jobs WHERE type = ? AND idempotency_key = ?',
    ),
    byId: state.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    hasDueWork: state.prepare<{ now: number; types: string }, { due: number }>(`
      SELECT EXISTS (
               SELECT 1 FROM json_each(@types) AS due_type
               JOIN jobs INDEXED BY jobs_queued_by_type
                 ON jobs.type = due_type.value AND jobs.status = 'queued' AND jobs.run_at <= @now
             )
          OR EXISTS (
               SELECT 1 FROM jobs INDEXED BY jobs_lease_expiry
               WHERE status = 'running' AND lease_expires_at < @now
             ) AS due`),
    sweepExpiredLeases: state.prepare<Record<string, unknown>, StatusChange>(`
      UPDATE jobs SET
        status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                      WHEN attempts >= max_attempts THEN 'failed'
                      ELSE 'queued' END,
        finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR attempts >= max_attempts THEN @now END,
        error = @message,
        run_at = @now,
        lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
      WHERE id IN (
        SELECT id FROM jobs INDEXED BY jobs_lease_expiry
        WHERE status = 'running' AND lease_expires_at < @now
      )
      RETURNING id, status, attempts, error`),
    // The token of each claimed job is the claim's random UUID and the job id,
    // so it is unique per job and per claim.
    claimOfType: state.prepare<Record<string, unknown>, JobRow>(`
      UPDATE jobs SET
        status = 'running', attempts = attempts + 1, started_at = @now, progress = '${ZERO_PROGRESS}',
        lease_token = @claim || ':' || id, lease_owner = @owner, lease_expires_at = @leaseExpiresAt
      WHERE id IN (
        SELECT id FROM jobs INDEXED BY jobs_queued_by_type
        WHERE type = @type AND status = 'queued' AND run_at <= @now
        ORDER BY priority, run_at, id
        LIMIT @limit
      )
      RETURNING *`),
    renewLease: state.prepare<Record<string, unknown>, { cancel_requested_at: number | null }>(`
      UPDATE jobs SET lease_expires_at = @leaseExpiresAt
      WHERE id = @id AND status = 'running' AND lease_token = @token AND lease_expires_at >= @now
      RETURNING cancel_requested_at`),
    complete: state.prepare<Record<string, unknown>, StatusChange>(`
      UPDATE jobs SET
        status = 'succeeded', result = @result, progress = @progress, error = NULL, finished_at = @now,
        lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = @id AND status = 'running' AND lease_token = @token AND lease_expires_at >= @now
      RETURNING id, status, attempts, error`),
    fail: state.prepare<Record<string, unknown>, StatusChange>(`
      UPDATE jobs SET
        status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                      WHEN @permanent = 1 OR attempts >= max_attempts THEN 'failed'
                      ELSE 'queued' END,
        run_at = CASE WHEN cancel_requested_at IS NULL AND @permanent = 0 AND attempts < max_attempts
                      THEN @retryAt ELSE run_at END,
        finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR @permanent = 1 OR attempts >= max_attempts
                           THEN @now END,
        error = @error, progress = @progress,
        lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = @id AND status = 'running' AND lease_token = @token AND lease_expires_at >= @now
      RETURNING id, status, attempts, error`),
    release: state.prepare<Record<string, unknown>, StatusChange>(`
      UPDATE jobs SET
        status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'queued' END,
        attempts = CASE WHEN cancel_requested_at IS NOT NULL THEN attempts ELSE attempts - 1 END,
        finished_at = CASE WHEN cancel_requested_at IS NOT NULL THEN @now END,
        error = CASE WHEN cancel_requested_at IS NOT NULL THEN @message ELSE error END,
        run_at = @now,
        lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = @id AND status = 'running' AND lease_token = @token
      RETURNING id, status, attempts, error`),
    cancelQueued: state.prepare<Record<string, unknown>, JobRow>(`
      UPDATE jobs SET status = 'cancelled', cancel_requested_at = @now, finished_at = @now, error = @message
      WHERE id = @id AND status = 'queued'
      RETURNING *`),
    cancelRunning: state.prepare<Record<string, unknown>, JobRow>(`
      UPDATE jobs SET cancel_requested_at = @now
      WHERE id = @id AND status = 'running' AND cancel_requested_at IS NULL
      RETURNING *`),
    cancelRequested: state.prepare<[string], { id: string }>(`
      SELECT id FROM jobs
      WHERE id IN (SELECT value FROM json_each(?)) AND cancel_requested_at IS NOT NULL`),
    snapshots: state.prepare<[string], JobSnapshot>(`
      SELECT id, status, attempts, error, progress FROM jobs WHERE id IN (SELECT value FROM json_each(?))`),
    pruneOlderThan: state.prepare<[number, number], { id: string }>(`
      DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs WHERE status IN ${FINISHED} AND finished_at < ? LIMIT ?
      )
      RETURNING id`),
    pruneBeyondCount: state.prepare<[number, number], { id: string }>(`
      DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs WHERE status IN ${FINISHED}
        ORDER BY finished_at DESC, id DESC
        LIMIT ? OFFSET ?
      )
      RETURNING id`),
    saveProgress: telemetry.prepare<Record<string, unknown>>(`
      UPDATE jobs SET progress = @progress WHERE id = @id AND status = 'running' AND lease_token = @token`),
    lastLogSeq: telemetry.prepare<[string], { seq: number }>(
      'SELECT coalesce(max(seq), 0) AS seq FROM job_logs WHERE job_id = ?',
    ),
    insertLog: telemetry.prepare<Record<string, unknown>>(`
      INSERT INTO job_logs (job_id, seq, at, attempt, message) VALUES (@jobId, @seq, @at, @attempt, @message)`),
    trimLogs: telemetry.prepare<[string, number]>(
      'DELETE FROM job_logs WHERE job_id = ? AND seq <= ?',
    ),
    countLogs: state.prepare<[string], { total: number }>(
      'SELECT count(*) AS total FROM job_logs WHERE job_id = ?',
    ),
    readLogs: state.prepare<
      [string, number, number],
      { at: number; attempt: number; message: string }
    >(`
      SELECT at, attempt, message FROM job_logs WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?`),
  };
}

type PreparedStatements = ReturnType<typeof prepareStatements>;

function isBusy(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as { code: string }).code.startsWith('SQLITE_BUSY')
  );
}

/**
 * The SQL of the SQLite backend. Job state changes go through `stateDb`
 * (synchronous=FULL); progress and log lines through `telemetryDb`
 * (synchronous=NORMAL), because losing the last of those in a power cut is
 * acceptable and they are written far more often. Each write method runs
 * one `BEGIN IMMEDIATE` transaction; while another process holds the write
 * lock, it retries after short random pauses until `busyTimeoutMs` passed.
 */
export class SqliteJobStore {
  private readonly stateDb: Database.Database;
  private readonly telemetryDb: Database.Database;
  private readonly statements: PreparedStatements;
  private readonly listStatements = new Map<
    string,
    Database.Statement<(string | number)[], JobRow>
  >();

  constructor(
    file: string,
    private readonly busyTimeoutMs: number,
  ) {
    const syncWait = Math.min(busyTimeoutMs, SYNC_BUSY_WAIT_MS);
    const stateDb = openJobDatabase(file, { busyTimeoutMs: syncWait, synchronous: 'FULL' });
    let telemetryDb: Database.Database | undefined;

    try {
      telemetryDb = openJobDatabase(file, { busyTimeoutMs: syncWait, synchronous: 'NORMAL' });
      this.statements = prepareStatements(stateDb, telemetryDb);
    } catch (error) {
      telemetryDb?.close();
      stateDb.close();
      throw error;
    }

    this.stateDb = stateDb;
    this.telemetryDb = telemetryDb;
  }

  /** Inserts the jobs in one transaction; a request whose idempotency key is taken gets the stored job. */
  async insert(requests: { id: string; request: NormalizedSubmit }[], now: number): Promise<Job[]> {
    const insertAll = this.stateDb.transaction(() =>
      requests.map(({ id, request }) => {
        const row = this.statements.insert.get({
          id,
          type: request.type,
          payload: request.payloadJson,
          priority: request.priority,
          idempotencyKey: request.idempotencyKey,
          maxAttempts: request.maxAttempts,
          backoff: JSON.stringify(request.backoff),
          runAt: request.runAt,
          createdAt: now,
        });

        // No row back means the key is taken; an insert without a key always returns one.
        return (
          row ?? this.statements.byIdempotencyKey.get(request.type, request.idempotencyKey ?? '')
        );
      }),
    );
    const rows = await this.write(() => insertAll.immediate());

    return rows.map((row, index) => {
      if (row === undefined) {
        throw new Error(
          `Job ${requests[index].id} was neither inserted nor found by its idempotency key.`,
        );
      }

      return rowToJob(row);
    });
  }

  getJob(id: string): Job | null {
    const row = this.statements.byId.get(id);

    return row === undefined ? null : rowToJob(row);
  }

  /** Returns up to `limit + 1` jobs, so the caller knows whether another page exists. */
  list(query: NormalizedListQuery): Job[] {
    const conditions: string[] = [];
    const parameters: (string | number)[] = [];

    if (query.status !== null) {
      conditions.push('status = ?');
      parameters.push(query.status);
    }

    if (query.type !== null) {
      conditions.push('type = ?');
      parameters.push(query.type);
    }

    if (query.afterId !== null) {
      conditions.push('id < ?');
      parameters.push(query.afterId);
    }

    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const sql = `SELECT * FROM jobs ${where} ORDER BY id DESC LIMIT ?`;
    let statement = this.listStatements.get(sql);

    if (statement === undefined) {
      statement = this.stateDb.prepare<(string | number)[], JobRow>(sql);
      this.listStatements.set(sql, statement);
    }

    const rows = statement.all(...parameters, query.limit + 1);

    return rows.map(rowToJob);
  }

  hasDueWork(types: JobType[], now: number): boolean {
    return this.statements.hasDueWork.get({ now, types: JSON.stringify(types) })?.due === 1;
  }

  /**
   * In one write transaction: records the outcomes of finished attempts,
   * returns the running jobs whose lease expired to the queue (or fails or
   * cancels them), then claims the first due jobs of each type, as many as
   * the type has free slots.
   */
  async cycle(
    outcomes: AttemptRecord[],
    freeSlots: Map<JobType, number>,
    options: { now: number; leaseMs: number; owner: string },
  ): Promise<CycleResult> {
    const { now, leaseMs, owner } = options;
    const run = this.stateDb.transaction((): CycleResult => {
      const recorded = outcomes.map((outcome) => this.recordOutcome(outcome, now));
      const swept = this.statements.sweepExpiredLeases.all({ now, message: LEASE_EXPIRED_MESSAGE });
      const claimed: ClaimedJob[] = [];
      const claim = randomUUID();

      for (const [type, free] of freeSlots) {
        if (free <= 0) {
          continue;
        }

        const rows = this.statements.claimOfType.all({
          type,
          limit: free,
          now,
          claim,
          owner,
          leaseExpiresAt: now + leaseMs,
        });

        // RETURNING gives no order, so sort into the claim order again.
        rows.sort(compareClaimOrder);

        for (const row of rows) {
          if (row.lease_token === null) {
            throw new Error(`Claimed job ${row.id} has no lease token.`);
          }

          claimed.push({
            job: rowToJob(row),
            token: row.lease_token,
            backoff: JSON.parse(row.backoff) as BackoffPolicy,
          });
        }
      }

      return { recorded, swept, claimed };
    });

    return this.write(() => run.immediate());
  }

  /**
   * Stores a result, or records a failed attempt: the job is queued again at
   * `retryAt`, or failed when the attempts are used up or the error is
   * permanent, or cancelled when a cancel was requested. Returns null when
   * the lease is no longer held, so the outcome is rejected.
   */
  private recordOutcome(outcome: AttemptRecord, now: number): StatusChange | null {
    const progress = JSON.stringify(outcome.progress);

    if (outcome.kind === 'complete') {
      return (
        this.statements.complete.get({ ...outcome.lease, result: outcome.result, progress, now }) ??
        null
      );
    }

    return (
      this.statements.fail.get({
        ...outcome.lease,
        error: outcome.error,
        permanent: outcome.permanent ? 1 : 0,
        retryAt: outcome.retryAt,
        progress,
        now,
      }) ?? null
    );
  }

  /** Extends the leases; returns, per job, whether the lease is still held and whether a cancel was requested. */
  async renewLeases(
    leases: Lease[],
    now: number,
    leaseMs: number,
  ): Promise<Map<string, { held: boolean; cancelRequested: boolean }>> {
    const renewAll = this.stateDb.transaction(() => {
      const results = new Map<string, { held: boolean; cancelRequested: boolean }>();

      for (const { id, token } of leases) {
        const row = this.statements.renewLease.get({
          id,
          token,
          now,
          leaseExpiresAt: now + leaseMs,
        });

        results.set(id, {
          held: row !== undefined,
          cancelRequested: row?.cancel_requested_at != null,
        });
      }

      return results;
    });

    return this.write(() => renewAll.immediate());
  }

  /** Returns a running job to the queue without counting the attempt (or cancels it if requested). */
  async release(lease: Lease, message: string, now: number): Promise<StatusChange | null> {
    const run = this.stateDb.transaction(
      () => this.statements.release.get({ ...lease, message, now }) ?? null,
    );

    return this.write(() => run.immediate());
  }

  /** Cancels a queued job or flags a running one; `change` names what was done (`none` for neither). */
  async cancel(
    id: string,
    now: number,
  ): Promise<{ job: Job; change: 'cancelled' | 'requested' | 'none' } | null> {
    const run = this.stateDb.transaction(() => {
      const cancelled = this.statements.cancelQueued.get({
        id,
        now,
        message: CANCELLED_BEFORE_START_MESSAGE,
      });

      if (cancelled !== undefined) {
        return { job: rowToJob(cancelled), change: 'cancelled' as const };
      }

      const requested = this.statements.cancelRunning.get({ id, now });

      if (requested !== undefined) {
        return { job: rowToJob(requested), change: 'requested' as const };
      }

      const row = this.statements.byId.get(id);

      return row === undefined ? null : { job: rowToJob(row), change: 'none' as const };
    });

    return this.write(() => run.immediate());
  }

  /** Returns the ids among `ids` whose cancel was requested. */
  cancelRequested(ids: string[]): Set<string> {
    return new Set(this.statements.cancelRequested.all(JSON.stringify(ids)).map((row) => row.id));
  }

  snapshots(ids: string[]): JobSnapshot[] {
    return this.statements.snapshots.all(JSON.stringify(ids));
  }

  async saveProgress(lease: Lease, progress: JobProgress): Promise<void> {
    const run = this.telemetryDb.transaction(() => {
      this.statements.saveProgress.run({ ...lease, progress: JSON.stringify(progress) });
    });

    await this.write(() => run.immediate());
  }

  /** Appends log lines and drops the oldest beyond `maxLines`. */
  async appendLogs(jobId: string, lines: JobLogLine[], maxLines: number): Promise<void> {
    const append = this.telemetryDb.transaction(() => {
      let seq = this.statements.lastLogSeq.get(jobId)?.seq ?? 0;

      for (const line of lines) {
        seq += 1;
        this.statements.insertLog.run({
          jobId,
          seq,
          at: Date.parse(line.at),
          attempt: line.attempt,
          message: line.message,
        });
      }

      this.statements.trimLogs.run(jobId, seq - maxLines);
    });

    await this.write(() => append.immediate());
  }

  readLogs(jobId: string, offset: number, limit: number): { lines: JobLogLine[]; total: number } {
    const read = this.stateDb.transaction(() => ({
      total: this.statements.countLogs.get(jobId)?.total ?? 0,
      lines: this.statements.readLogs.all(jobId, limit, offset).map((row) => ({
        at: new Date(row.at).toISOString(),
        attempt: row.attempt,
        message: row.message,
      })),
    }));

    return read();
  }

  /** Deletes finished jobs (and their logs) older than `maxAgeMs` or beyond the newest `maxCount`; returns their ids. */
  async prune(maxAgeMs: number, maxCount: number, now: number): Promise<string[]> {
    const removed: string[] = [];
    let batch: { id: string }[];

    // Batches keep each write transaction short while other engines wait for the lock.
    do {
      const run = this.stateDb.transaction(() =>
        this.statements.pruneOlderThan.all(now - maxAgeMs, PRUNE_BATCH),
      );

      batch = await this.write(() => run.immediate());
      removed.push(...batch.map((row) => row.id));
    } while (batch.length === PRUNE_BATCH);

    do {
      const run = this.stateDb.transaction(() =>
        this.statements.pruneBeyondCount.all(PRUNE_BATCH, maxCount),
      );

      batch = await this.write(() => run.immediate());
      removed.push(...batch.map((row) => row.id));
    } while (batch.length === PRUNE_BATCH);

    return removed;
  }

  /** Runs a write transaction, retrying while another connection holds the write lock. */
  private async write<T>(transaction: () => T): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;

    for (let retry = 0; ; retry += 1) {
      try {
        return transaction();
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) {
          throw error;
        }

        // Random pauses of up to 1, 2, 4 … 16 ms, so that waiting engines do not retry in step.
        await sleep(1 + Math.random() * 2 ** Math.min(retry, 4));
      }
    }
  }

  close(): void {
    this.telemetryDb.close();
    this.stateDb.close();
  }
}
