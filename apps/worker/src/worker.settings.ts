import { availableParallelism } from 'node:os';

import { z } from 'zod';

import { fromEnv, markSecret } from '@rokks/config';
import { JOB_TYPES, type JobType } from '@rokks/jobs';
import { type BaseSettings } from '@rokks/service-kit';

export const DAY_MS = 24 * 60 * 60 * 1000;

const wholeNumber = (minimum: number, maximum: number, unit: string) =>
  z.coerce
    .number({ error: `must be a whole number of ${unit}` })
    .int({ error: `must be a whole number of ${unit}` })
    .min(minimum, { error: `must be at least ${minimum} ${unit}` })
    .max(maximum, { error: `must be at most ${maximum} ${unit}` });

// `ETL=2,INDEX=1` from the environment, or `{ ETL: 2 }` from the registry.
const concurrencyPerType = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .transform((value, context): Partial<Record<JobType, number>> => {
    const entries =
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part !== '')
            .map((part) => part.split('=').map((side) => side.trim()))
        : Object.entries(value).map(([type, count]) => [type, String(count)]);
    const result: Partial<Record<JobType, number>> = {};

    for (const [type, count] of entries) {
      const number = Number(count);

      if (!(JOB_TYPES as readonly string[]).includes(type ?? '')) {
        context.addIssue({
          code: 'custom',
          message: `names unknown job type ${JSON.stringify(type)}; expected TYPE=count with TYPE one of ${JOB_TYPES.join(', ')}`,
        });
      } else if (!Number.isInteger(number) || number < 1 || number > 1000) {
        context.addIssue({
          code: 'custom',
          message: `gives ${type} the concurrency ${JSON.stringify(count)}; expected a whole number from 1 to 1000`,
        });
      } else {
        result[type as JobType] = number;
      }
    }

    return result;
  });

/** Settings of the worker, on top of the service kit's base settings. */
export const workerSettings = z.object({
  /** Job store: `sqlite` (a file in the data dir) or `redis` (BullMQ, needs `REDIS_URL`). */
  jobsBackend: fromEnv(
    'JOBS_BACKEND',
    z.enum(['sqlite', 'redis'], { error: 'must be sqlite or redis' }).default('sqlite'),
  ),
  /** Job database of the sqlite backend; default `<data dir>/worker/jobs.db`. */
  jobsSqliteFile: fromEnv(
    'JOBS_SQLITE_FILE',
    z.string({ error: 'must be a file path' }).trim().min(1, 'must be a file path').optional(),
  ),
  /** Redis of the redis backend, `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  redisUrl: fromEnv(
    'REDIS_URL',
    markSecret(
      z
        .string({ error: 'must be a redis:// or rediss:// URL' })
        .refine((value) => /^rediss?:\/\//u.test(value) && URL.canParse(value), {
          error: 'must be a redis:// or rediss:// URL',
        }),
    ).optional(),
  ),
  /** Key prefix of the redis backend; workers that share queues use the same one. */
  jobsRedisPrefix: fromEnv(
    'JOBS_REDIS_PREFIX',
    z
      .string({ error: 'must be a key prefix' })
      .regex(/^[^:\s]{1,100}$/u, { error: 'must be 1 to 100 characters without ":" or spaces' })
      .default('rokks-jobs'),
  ),
  /** Jobs of each type that this worker runs at once, `ETL=2,INDEX=1`; 1 for unnamed types. */
  jobsConcurrency: fromEnv('JOBS_CONCURRENCY', concurrencyPerType.default({})),
  /** Lease of a running job; a job whose worker stops renewing it runs again after this time. */
  jobsLeaseMs: fromEnv('JOBS_LEASE_MS', wholeNumber(1000, DAY_MS, 'ms').default(30_000)),
  /** Time running jobs get to finish at shutdown before they go back to the queue. */
  jobsShutdownGraceMs: fromEnv(
    'JOBS_SHUTDOWN_GRACE_MS',
    wholeNumber(0, 10 * 60_000, 'ms').default(8000),
  ),
  /** Interval between two heartbeat comments of a job's event stream. */
  jobsEventsHeartbeatMs: fromEnv(
    'JOBS_EVENTS_HEARTBEAT_MS',
    wholeNumber(100, 10 * 60_000, 'ms').default(15_000),
  ),
  /** Age after which finished jobs are removed. */
  jobsRetentionDays: fromEnv('JOBS_RETENTION_DAYS', wholeNumber(1, 3650, 'days').default(7)),
  /** Number of finished jobs kept at most. */
  jobsRetentionMaxCount: fromEnv(
    'JOBS_RETENTION_MAX_COUNT',
    wholeNumber(1, 10_000_000, 'jobs').default(10_000),
  ),
  /**
   * Threads that read and transform blocks of one large CSV file at the
   * same time; 0 reads files on the main thread. Default 2 on a machine
   * with two or more cores, else 0.
   */
  etlThreads: fromEnv(
    'ETL_THREADS',
    wholeNumber(0, 64, 'threads').default(availableParallelism() >= 2 ? 2 : 0),
  ),
  /** Interval between two reads of the registry's service list, from which the ETL job finds the gateways. */
  serviceDiscoveryIntervalMs: fromEnv(
    'SERVICE_DISCOVERY_INTERVAL_MS',
    wholeNumber(100, DAY_MS, 'ms').default(10_000),
  ),
  /** Age after which audit entries are removed. */
  auditRetentionDays: fromEnv('AUDIT_RETENTION_DAYS', wholeNumber(1, 36_500, 'days').default(365)),
  /** Interval between two runs of the audit retention pruner. */
  auditPruneIntervalMs: fromEnv(
    'AUDIT_PRUNE_INTERVAL_MS',
    wholeNumber(1000, DAY_MS, 'ms').default(60 * 60_000),
  ),
});

export type WorkerSettings = BaseSettings & z.output<typeof workerSettings>;
