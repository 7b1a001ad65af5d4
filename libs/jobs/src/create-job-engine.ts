import { type JobEngine } from './job-engine';
import { RedisJobEngine, type RedisJobEngineOptions } from './redis/redis-job-engine';
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
      return RedisJobEngine.open(config);
  }
}
