export { computeBackoffDelay } from './core/backoff.util';
export { type JobEngineOptions, type RetentionPolicy } from './core/engine-settings';
export { MAX_HANDLER_CONCURRENCY } from './core/handler-registry';
export { JOB_ID_PATTERN } from './core/job-id.util';
export {
  DEFAULT_LOG_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  MAX_ATTEMPTS,
  MAX_BACKOFF_DELAY_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_LOG_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MAX_PAYLOAD_BYTES,
  MAX_PRIORITY,
} from './core/request.util';
export { createJobEngine, type JobEngineConfig } from './create-job-engine';
export { type JobBackendName, type JobEngine } from './job-engine';
export * from './job.types';
export {
  CANCELLED_BEFORE_START_MESSAGE,
  errorMessage,
  isJobsError,
  JOBS_ERROR_STATUS,
  JobCancelledError,
  JobsError,
  type JobsErrorCode,
  LEASE_EXPIRED_MESSAGE,
  LeaseLostError,
  PermanentJobError,
  WorkerShutdownError,
} from './jobs.errors';
// Types only, so that BullMQ and ioredis load only when createJobEngine opens a Redis engine.
export { type RedisJobEngine, type RedisJobEngineOptions } from './redis/redis-job-engine';
export { SqliteJobEngine, type SqliteJobEngineOptions } from './sqlite/sqlite-job-engine';
