import { join } from 'node:path';

import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import { createJobEngine, type JobEngine, type JobEngineConfig } from '@rokks/jobs';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { DAY_MS, type WorkerSettings } from '../worker.settings';
import { JobHandlerRegistry } from './job-handler-registry';

/** Reads `redis://user:password@host:port/db` into ioredis connection settings. */
export function redisConnection(url: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
} {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//u, '');

  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/u, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Owner of the job engine. It opens the engine at module init and starts
 * claiming once the application is up. At shutdown it stops claiming, lets
 * running jobs finish for `JOBS_SHUTDOWN_GRACE_MS`, releases the rest to the
 * queue and closes the store.
 */
@Injectable()
export class JobEngineHost
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private current: JobEngine | undefined;

  constructor(
    private readonly context: ServiceContext<WorkerSettings>,
    private readonly readiness: ReadinessChecks,
    private readonly handlers: JobHandlerRegistry,
    @InjectPinoLogger('JobEngineHost') private readonly logger: PinoLogger,
  ) {}

  /** The open engine. */
  get engine(): JobEngine {
    if (this.current === undefined) {
      throw new Error('The job engine is not open yet.');
    }

    return this.current;
  }

  async onModuleInit(): Promise<void> {
    const settings = this.context.settings;
    const common = {
      leaseMs: settings.jobsLeaseMs,
      shutdownGraceMs: settings.jobsShutdownGraceMs,
      retention: {
        maxAgeMs: settings.jobsRetentionDays * DAY_MS,
        maxCount: settings.jobsRetentionMaxCount,
      },
      logger: this.context.logger.child({ component: 'jobs' }),
    };
    let config: JobEngineConfig;

    if (settings.jobsBackend === 'redis') {
      if (settings.redisUrl === undefined) {
        throw new Error(
          'REDIS_URL is missing: JOBS_BACKEND=redis needs it (redis://host:6379); set it or use JOBS_BACKEND=sqlite.',
        );
      }

      config = {
        backend: 'redis',
        connection: redisConnection(settings.redisUrl),
        prefix: settings.jobsRedisPrefix,
        ...common,
      };
    } else {
      config = {
        backend: 'sqlite',
        file: settings.jobsSqliteFile ?? join(this.context.serviceDataDir, 'jobs.db'),
        ...common,
      };
    }

    this.current = await createJobEngine(config);
    this.handlers.attach(this.current, settings.jobsConcurrency);
    this.readiness.register(
      'jobs',
      async () => {
        await this.engine.listJobs({ limit: 1 });

        return { backend: settings.jobsBackend };
      },
      { timeoutMs: 3000 },
    );
    this.logger.info({ backend: settings.jobsBackend }, 'job engine open');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.start();
    this.logger.info({ types: this.handlers.types() }, 'job engine started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    const graceMs = this.context.settings.jobsShutdownGraceMs;

    this.logger.info({ graceMs }, 'job engine stopping');
    await this.current?.stop({ graceMs });
  }

  async onApplicationShutdown(): Promise<void> {
    const engine = this.current;

    this.current = undefined;
    await engine?.close();
  }
}
