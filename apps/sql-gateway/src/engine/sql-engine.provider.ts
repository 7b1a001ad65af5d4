import path from 'node:path';
import { setTimeout } from 'node:timers/promises';

import { Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';

import { MIN_SECRET_VALUE_LENGTH, registerSecretValue } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';
import { type BackendOptions, type EngineLogger, SqlEngine, type SqlEngineOptions } from '@rokks/sql-engine';

import { isConnectionFailure } from '../http/connection-failure.util';
import { type SqlGatewaySettings } from '../sql-gateway.settings';

/** Tries to reach the database at start-up, 1 + 2 + 4 + 8 seconds apart, before the start fails. */
const OPEN_ATTEMPTS = 5;

/** Backend options from the settings: PostgreSQL for `DATABASE_URL`, else PGlite in the service's data directory. */
export function backendOptions(settings: SqlGatewaySettings, serviceDataDir: string): BackendOptions {
  if (settings.databaseUrl === undefined) {
    return { kind: 'pglite', dataDir: path.join(serviceDataDir, 'pglite') };
  }

  return {
    kind: 'postgres',
    connection: {
      connectionString: settings.databaseUrl,
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      application_name: 'rokks-sql-gateway',
    },
  };
}

function registerDatabasePassword(databaseUrl: string | undefined): void {
  const password = databaseUrl === undefined ? '' : decodeURIComponent(new URL(databaseUrl).password);

  // The whole URL is already a registered secret; the password alone can show up in driver errors.
  if (password.length >= MIN_SECRET_VALUE_LENGTH) {
    registerSecretValue(password);
  }
}

/**
 * The engine's log lines. Its info lines (table created, load finished) are
 * logged again by the gateway with the request and user ids, so they go to
 * debug; warnings and errors stay as they are.
 */
function engineLogger(context: ServiceContext): EngineLogger {
  const logger = context.logger.child({ component: 'sql-engine' });

  return {
    info: (fields, message) => logger.debug(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
  };
}

async function openEngine(context: ServiceContext<SqlGatewaySettings>): Promise<SqlEngine> {
  const settings = context.settings;

  if (settings.databaseUrl !== undefined && settings.maxOpenLoads >= settings.poolSize) {
    throw new RangeError(
      `ROKKS_SQL_MAX_OPEN_LOADS (${settings.maxOpenLoads}) must be below ROKKS_SQL_POOL_SIZE (${settings.poolSize}): each open load holds a connection, and queries need one too.`,
    );
  }

  registerDatabasePassword(settings.databaseUrl);

  const options: SqlEngineOptions = {
    backend: backendOptions(settings, context.serviceDataDir),
    timescale: settings.timescale,
    logger: engineLogger(context),
    limits: {
      statementTimeoutMs: settings.statementTimeoutMs,
      maxRows: settings.maxRows,
      maxResultChars: settings.maxResultChars,
      maxValueChars: settings.maxValueChars,
      maxConcurrentPerUser: settings.maxConcurrentPerUser,
      maxQueuedPerUser: settings.maxQueuedPerUser,
    },
  };

  for (let attempt = 1; ; attempt += 1) {
    try {
      const engine = await SqlEngine.open(options);

      context.logger.info({ backend: engine.backendKind, timescale: engine.timescale }, 'database connected');

      return engine;
    } catch (error) {
      if (attempt >= OPEN_ATTEMPTS || !isConnectionFailure(error)) {
        throw error;
      }

      const delayMs = 1000 * 2 ** (attempt - 1);

      context.logger.warn({ err: error, attempt, delayMs }, 'database unreachable at start-up; retrying');
      await setTimeout(delayMs);
    }
  }
}

/** The engine, opened once the settings are known; `SqlEngineCloser` closes it at shutdown. */
export const SQL_ENGINE_PROVIDER: Provider = {
  provide: SqlEngine,
  inject: [ServiceContext],
  useFactory: openEngine,
};

/** Closes the engine's connections after every module has stopped using them (open loads are aborted first). */
@Injectable()
export class SqlEngineCloser implements OnApplicationShutdown {
  constructor(private readonly engine: SqlEngine) {}

  async onApplicationShutdown(): Promise<void> {
    await this.engine.close();
  }
}
