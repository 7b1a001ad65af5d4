import { hostname } from 'node:os';

import pino, { type Logger } from 'pino';

import { type BackoffPolicy } from '../job.types';
import { JobsError } from '../jobs.errors';
import { validateBackoff } from './request.util';

/** Settings shared by both backends; every field has a default. */
export interface JobEngineOptions {
  /** Name of this engine in leases and logs; default `<host>:<pid>:<random>`. */
  workerId?: string;
  /** Lease (lock) duration in ms: a running job whose lease is not renewed for this long is run again. Default 30,000. */
  leaseMs?: number;
  /** Interval in ms between lease renewals; default a third of `leaseMs`. */
  heartbeatIntervalMs?: number;
  /**
   * Interval in ms at which an idle SQLite engine looks for due jobs and for
   * cancel requests made on other engines; default 1,000. Redis workers wait
   * on the queue instead, so the Redis backend does not use it.
   */
  pollIntervalMs?: number;
  /** Minimum time in ms between two stored progress updates of one job; default 1,000. */
  progressIntervalMs?: number;
  /** Attempts of a job submitted without `maxAttempts`; default 3. */
  defaultMaxAttempts?: number;
  /** Retry delays of a job submitted without `backoff`; default 1 s doubling up to 5 min, jitter 0.2. */
  defaultBackoff?: Partial<BackoffPolicy>;
  /** Removal of finished (succeeded, failed, cancelled) jobs, with their logs and idempotency keys. */
  retention?: Partial<RetentionPolicy>;
  /** Log lines kept per job; older lines are dropped. Default 1,000. */
  maxLogLinesPerJob?: number;
  /** Default grace period in ms of `stop()`; default 30,000. */
  shutdownGraceMs?: number;
  /** Logger for claims, retries, lease losses and background failures; default silent. */
  logger?: Logger;
}

export interface RetentionPolicy {
  /** Finished jobs older than this (by `finishedAt`) are removed; default 7 days. */
  maxAgeMs: number;
  /** At most this many finished jobs are kept, the most recently finished ones; default 10,000. */
  maxCount: number;
  /** Interval in ms between two removal runs of a started engine; default 60,000. */
  intervalMs: number;
}

export interface EngineSettings {
  workerId: string;
  leaseMs: number;
  heartbeatIntervalMs: number;
  pollIntervalMs: number;
  progressIntervalMs: number;
  defaultMaxAttempts: number;
  defaultBackoff: BackoffPolicy;
  retention: RetentionPolicy;
  maxLogLinesPerJob: number;
  shutdownGraceMs: number;
  logger: Logger;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;

  if (!Number.isSafeInteger(resolved) || resolved < 1) {
    throw new JobsError(
      'INVALID_ARGUMENT',
      `Invalid ${name} ${String(value)}: expected a positive integer.`,
    );
  }

  return resolved;
}

/** Fills in the defaults and checks every setting; throws `INVALID_ARGUMENT` naming the bad one. */
export function resolveEngineSettings(options: JobEngineOptions): EngineSettings {
  const leaseMs = positiveInteger('leaseMs', options.leaseMs, 30_000);
  const random = Math.random().toString(36).slice(2, 8);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${random}`;

  if (workerId === '' || workerId.length > 200) {
    throw new JobsError('INVALID_ARGUMENT', 'Invalid workerId: expected 1 to 200 characters.');
  }

  return {
    workerId,
    leaseMs,
    heartbeatIntervalMs: positiveInteger(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs,
      Math.max(1, Math.floor(leaseMs / 3)),
    ),
    pollIntervalMs: positiveInteger('pollIntervalMs', options.pollIntervalMs, 1000),
    progressIntervalMs: positiveInteger('progressIntervalMs', options.progressIntervalMs, 1000),
    defaultMaxAttempts: positiveInteger('defaultMaxAttempts', options.defaultMaxAttempts, 3),
    defaultBackoff: validateBackoff(
      { initialDelayMs: 1000, maxDelayMs: 300_000, jitter: 0.2, ...options.defaultBackoff },
      'defaultBackoff',
    ),
    retention: {
      maxAgeMs: positiveInteger('retention.maxAgeMs', options.retention?.maxAgeMs, 7 * DAY_MS),
      maxCount: positiveInteger('retention.maxCount', options.retention?.maxCount, 10_000),
      intervalMs: positiveInteger('retention.intervalMs', options.retention?.intervalMs, 60_000),
    },
    maxLogLinesPerJob: positiveInteger('maxLogLinesPerJob', options.maxLogLinesPerJob, 1000),
    shutdownGraceMs: positiveInteger('shutdownGraceMs', options.shutdownGraceMs, 30_000),
    logger: options.logger ?? pino({ enabled: false }),
  };
}
