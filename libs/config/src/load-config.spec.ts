import { z } from 'zod';

import { createLogger, MemoryDestination } from '@rokks/logging';

import { ConfigError } from './config-error';
import { loadConfig } from './load-config';
import { dataDirectory, logLevel, port, secretString } from './setting-helpers';
import { fromEnv } from './setting-registries';

const INTERNAL_SECRET = 'Zq8vN3rT6wY1uI4oP7aS0dF2gH5jK9lX';

function serviceSchema() {
  return z.object({
    port: port({ env: 'ROKKS_PORT' }).default(4100),
    logLevel: logLevel(),
    dataDir: dataDirectory({ cwd: '/srv/rokks' }),
    internalSecret: secretString({ env: 'ROKKS_INTERNAL_SECRET' }),
    database: z.object({
      host: fromEnv('ROKKS_DB_HOST', z.string().min(1)),
      name: z.string().min(1),
    }),
  });
}

function captureError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }

    throw error;
  }

  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads registry values and applies defaults', () => {
    const config = loadConfig(serviceSchema(), {
      env: {},
      registry: { internalSecret: INTERNAL_SECRET, database: { host: 'db', name: 'rokks' } },
    });

    expect(config).toEqual({
      port: 4100,
      logLevel: 'info',
      dataDir: '/srv/rokks/.rokks',
      internalSecret: INTERNAL_SECRET,
      database: { host: 'db', name: 'rokks' },
    });
  });

  it('lets mapped environment variables override the registry', () => {
    const config = loadConfig(serviceSchema(), {
      env: { ROKKS_PORT: '4200', ROKKS_LOG_LEVEL: 'debug', ROKKS_DB_HOST: 'db.internal', ROKKS_DATA_DIR: 'data' },
      registry: { port: 4300, internalSecret: INTERNAL_SECRET, database: { host: 'db', name: 'rokks' } },
    });

    expect(config.port).toBe(4200);
    expect(config.logLevel).toBe('debug');
    expect(config.database).toEqual({ host: 'db.internal', name: 'rokks' });
    expect(config.dataDir).toBe('/srv/rokks/data');
  });

  it('ignores unmapped and empty environment variables', () => {
    const config = loadConfig(serviceSchema(), {
      env: { port: '1', ROKKS_PORT: '', ROKKS_INTERNAL_SECRET: '' },
      registry: { internalSecret: INTERNAL_SECRET, database: { host: 'db', name: 'rokks' } },
    });

    expect(config.port).toBe(4100);
    expect(config.internalSecret).toBe(INTERNAL_SECRET);
  });

  it('creates nested objects for environment values', () => {
    const config = loadConfig(z.object({ database: z.object({ host: fromEnv('DB_HOST_ONLY', z.string()) }) }), {
      env: { DB_HOST_ONLY: 'db' },
    });

    expect(config.database.host).toBe('db');
  });

  it('lists every problem at once', () => {
    const error = captureError(() =>
      loadConfig(serviceSchema(), {
        env: { ROKKS_PORT: 'http', ROKKS_LOG_LEVEL: 'loud', ROKKS_INTERNAL_SECRET: 'changeme' },
        registry: { database: { name: '' } },
      }),
    );

    expect(error.problems).toEqual([
      { setting: 'port', env: 'ROKKS_PORT', problem: 'must be an integer from 0 to 65535' },
      { setting: 'logLevel', env: 'ROKKS_LOG_LEVEL', problem: expect.stringContaining('expected one of') },
      { setting: 'internalSecret', env: 'ROKKS_INTERNAL_SECRET', problem: 'is shorter than 32 characters' },
      {
        setting: 'database.host',
        env: 'ROKKS_DB_HOST',
        problem: 'is missing; set ROKKS_DB_HOST or "database.host" in the registry',
      },
      { setting: 'database.name', problem: expect.stringContaining('>=1 characters') },
    ]);
    expect(error.message).toMatch(/^Invalid configuration, 5 problems:\n- port \(ROKKS_PORT\): /);
    expect(error.message.split('\n')).toHaveLength(6);
  });

  it('never shows a secret value', () => {
    const weakSecret = 'my-changeme-value-that-is-long-enough-for-length';
    const error = captureError(() =>
      loadConfig(serviceSchema(), {
        env: { ROKKS_INTERNAL_SECRET: weakSecret },
        registry: { database: { host: 'db', name: 'x' } },
      }),
    );

    expect(error.message).toContain('internalSecret (ROKKS_INTERNAL_SECRET): contains the well-known word "changeme"');
    expect(error.message).not.toContain(weakSecret);
    expect(JSON.stringify(error.problems)).not.toContain(weakSecret);
  });

  it('reports a missing setting without an environment variable', () => {
    const error = captureError(() => loadConfig(z.object({ region: z.string() }), {}));

    expect(error.problems).toEqual([{ setting: 'region', problem: 'is missing; set "region" in the registry' }]);
    expect(error.name).toBe('ConfigError');
  });

  it('registers secret values with the log scrubber', () => {
    const destination = new MemoryDestination();
    const logger = createLogger({ service: 'config-test', destination });
    const config = loadConfig(serviceSchema(), {
      env: { ROKKS_INTERNAL_SECRET: INTERNAL_SECRET },
      registry: { database: { host: 'db', name: 'x' } },
    });

    logger.info({ note: `secret is ${config.internalSecret}` }, 'loaded');

    expect(destination.text).not.toContain(INTERNAL_SECRET);
    expect(destination.text).toContain('secret is [REDACTED]');
  });
});
