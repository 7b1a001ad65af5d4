import { ConfigError, loadConfig } from '@rokks/config';
import { DEFAULT_QUERY_LIMITS } from '@rokks/sql-engine';

import { backendOptions } from './engine/sql-engine.provider';
import { sqlGatewaySettings } from './sql-gateway.settings';

function load(env: Record<string, string>) {
  return loadConfig(sqlGatewaySettings, { env });
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems.map((problem) => `${problem.env ?? problem.setting}: ${problem.problem}`);
    }

    throw error;
  }

  return [];
}

describe('sql-gateway settings', () => {
  it('defaults to PGlite and the engine limits', () => {
    const settings = load({});

    expect(settings.databaseUrl).toBeUndefined();
    expect(settings).toMatchObject({
      poolSize: 10,
      statementTimeoutMs: DEFAULT_QUERY_LIMITS.statementTimeoutMs,
      maxRows: DEFAULT_QUERY_LIMITS.maxRows,
      maxConcurrentPerUser: DEFAULT_QUERY_LIMITS.maxConcurrentPerUser,
      timescale: 'auto',
    });
    expect(backendOptions({ ...settings } as never, '/data/sql-gateway')).toEqual({
      kind: 'pglite',
      dataDir: '/data/sql-gateway/pglite',
    });
  });

  it('reads the environment', () => {
    const settings = load({
      DATABASE_URL: 'postgresql://rokks:pw@db:5432/rokks',
      ROKKS_SQL_POOL_SIZE: '20',
      ROKKS_SQL_STATEMENT_TIMEOUT_MS: '5000',
      ROKKS_SQL_MAX_ROWS: '500',
      ROKKS_SQL_MAX_RESULT_CHARS: '65536',
      ROKKS_SQL_MAX_CONCURRENT_PER_USER: '4',
    });

    expect(settings).toMatchObject({ poolSize: 20, statementTimeoutMs: 5000, maxRows: 500, maxResultChars: 65_536, maxConcurrentPerUser: 4 });
    expect(backendOptions({ ...settings } as never, '/data')).toEqual({
      kind: 'postgres',
      connection: {
        connectionString: 'postgresql://rokks:pw@db:5432/rokks',
        max: 20,
        connectionTimeoutMillis: 10_000,
        application_name: 'rokks-sql-gateway',
      },
    });
  });

  it('lists every invalid setting', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://db/rokks',
      ROKKS_SQL_POOL_SIZE: '1',
      ROKKS_SQL_MAX_ROWS: 'many',
      ROKKS_SQL_TIMESCALE: 'on',
    });

    expect(problems).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
      'ROKKS_SQL_POOL_SIZE: must be at least 2 connections',
      'ROKKS_SQL_MAX_ROWS: must be a whole number of rows',
      'ROKKS_SQL_TIMESCALE: must be auto or off',
    ]);
    expect(problems.join('\n')).not.toContain('mysql');
  });
});
