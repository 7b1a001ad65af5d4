import { type JobEngine } from './job-engine';
import { type RedisJobEngine, type RedisJobEngineOptions } from './redis/redis-job-engine';
import { SqliteJobEngine, type SqliteJobEngineOptions } from './sqlite/sqlite-job-engine';

/** Engine settings with the backend choice (`JOBS_BACKEND` in the worker service's configuration). */
export type JobEngineConfig =
  ({ backend: 'sqlite' } & SqliteJobEngineOptions) | ({ backend: 'redis' } & RedisJobEngineOptions);

/** Opens the engine of the configured backend; it claims no jobs until `start`. */
export async function createJobEngine(config: JobEngineConfig): Promise<JobEngine> {
  switch (config.backend) {
    case 'sqlite':
      return SqliteJobEngine.open(config);
    case 'redis':
      return loadRedisJobEngine().open(config);
  }
}

/**
 * Loads the Redis engine on first use. BullMQ and ioredis add about 27 MB
 * of RSS, which a worker on SQLite does not need. It is a `require`,
 * because the type check wants a `.js` extension in a relative `import()`,
 * which the tests, run from TypeScript sources, cannot resolve.
 */
function loadRedisJobEngine(): typeof RedisJobEngine {
  return (require('./redis/redis-job-engine') as { RedisJobEngine: typeof RedisJobEngine }).RedisJobEngine;
}
