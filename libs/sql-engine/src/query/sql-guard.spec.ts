import { type SqlEngineError } from '../errors/sql-engine.exception';
import { bytePositionToCharacter, checkReadOnlyQuery, type GuardScope, inspectReadOnlyQuery } from './sql-guard';

const scope: GuardScope = { schema: 'ws_alpha', tables: new Set(['weather', 'sales']) };

async function rejection(sql: string): Promise<SqlEngineError> {
  try {
    await checkReadOnlyQuery(sql, scope);
  } catch (error) {
    return error as SqlEngineError;
  }

  throw new Error(`expected the guard to reject: ${sql}`);
}

describe('checkReadOnlyQuery', () => {
  it.each([
    'SELECT * FROM weather',
    'SELECT count(*) FROM ws_alpha.weather WHERE city = $1',
    'WITH hot AS (SELECT * FROM weather WHERE temp > 30) SELECT * FROM hot',
    'SELECT * FROM (SELECT city FROM sales) AS s JOIN weather USING (city)',
    'SELECT g FROM generate_series(1, 10) AS g',
    "SELECT current_setting('TimeZone')",
    'SELECT pg_catalog.now()',
    'SELECT 1',
  ])('accepts %s', async (sql) => {
    await expect(checkReadOnlyQuery(sql, scope)).resolves.toBe(sql);
  });

  it('returns the statement without its trailing semicolon', async () => {
    await expect(checkReadOnlyQuery('SELECT 1 ;  ', scope)).resolves.toBe('SELECT 1 ');
  });

  it.each([
    ['SELECT 1; DROP TABLE weather', 'only one statement'],
    ['/* setup */ SELECT 1; DELETE FROM weather', 'only one statement'],
    ['COMMIT; DELETE FROM weather', 'only one statement'],
    ['-- comment\nCOMMIT', 'only SELECT'],
    ['DELETE FROM weather', 'only SELECT'],
    ['SET ROLE postgres', 'only SELECT'],
    ['SET SESSION AUTHORIZATION postgres', 'only SELECT'],
    ["COPY weather TO PROGRAM 'id'", 'only SELECT'],
    ['EXPLAIN ANALYZE SELECT 1', 'only SELECT'],
    ['WITH gone AS (DELETE FROM weather RETURNING *) SELECT * FROM gone', 'may not modify data'],
    ['SELECT * FROM (WITH x AS (UPDATE sales SET city = 1 RETURNING *) SELECT * FROM x) AS s', 'may not modify data'],
    ['SELECT * INTO copy_of_weather FROM weather', 'SELECT … INTO'],
    ['SELECT * FROM weather FOR UPDATE', 'FOR UPDATE'],
    ['SELECT * FROM (SELECT * FROM weather FOR SHARE) AS s', 'FOR UPDATE'],
    ['SELECT pg_sleep(3600)', 'pg_sleep'],
    ['SELECT * FROM weather WHERE EXISTS (SELECT pg_catalog.pg_sleep_for(\'1 hour\'))', 'pg_sleep_for'],
    ["SELECT pg_read_file('/etc/passwd')", 'pg_read_file'],
    ["SELECT pg_read_binary_file('/etc/passwd')", 'pg_read_binary_file'],
    ["SELECT pg_ls_dir('.')", 'pg_ls_dir'],
    ["SELECT lo_import('/etc/passwd')", 'lo_import'],
    ["SELECT dblink('host=127.0.0.1', 'select 1')", 'dblink'],
    ["SELECT set_config('default_transaction_read_only', 'off', false)", 'set_config'],
    ["SELECT set_config('role', 'postgres', true)", 'set_config'],
    ['SELECT pg_terminate_backend(1)', 'pg_terminate_backend'],
    ['SELECT pg_cancel_backend(1)', 'pg_cancel_backend'],
    ['SELECT pg_reload_conf()', 'pg_reload_conf'],
    ["SELECT query_to_xml('select pg_sleep(10)', true, true, '')", 'query_to_xml'],
    ['SELECT pg_advisory_xact_lock(1)', 'pg_advisory_xact_lock'],
    ["SELECT current_setting('data_directory')", 'current_setting'],
    ['SELECT current_setting(name) FROM weather', 'current_setting'],
    ['SELECT * FROM pg_authid', 'pg_authid'],
    ['SELECT * FROM pg_catalog.pg_user_mappings', 'pg_catalog.pg_user_mappings'],
    ['SELECT * FROM rokks_catalog.table_metadata', 'rokks_catalog.table_metadata'],
    ['SELECT * FROM ws_beta.weather', 'ws_beta.weather'],
    ['SELECT * FROM wsd_alpha.t_0123456789abcdef0123456789abcdef', 'outside this workspace'],
    ['SELECT other.public.f()', 'outside this workspace'],
    ['SELECT * FROM missing_table', 'missing_table'],
    ['SELEC 1', 'syntax error'],
    ['', 'empty'],
  ])('rejects %s', async (sql, fragment) => {
    const error = await rejection(sql);

    expect(error.code).toBe('INVALID_QUERY');
    expect(error.message).toContain(fragment);
  });

  it('rejects WITH RECURSIVE only where it is not allowed', async () => {
    const sql = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';

    await expect(checkReadOnlyQuery(sql, scope)).resolves.toBe(sql);
    await expect(checkReadOnlyQuery(sql, { ...scope, allowRecursive: false })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      message: expect.stringContaining('WITH RECURSIVE'),
    });
  });

  it('reports the character position of the offending call', async () => {
    const sql = "SELECT 'é', pg_sleep(1)";
    const error = await rejection(sql);

    expect(error.details.position).toBe(sql.indexOf('pg_sleep') + 1);
  });

  it('reports the character position of a syntax error', async () => {
    const sql = 'SELECT é, FROM weather';
    const error = await rejection(sql);

    expect(error.details.position).toBe(sql.indexOf('FROM') + 1);
  });

  it('reports the position of a second statement', async () => {
    const sql = 'SELECT 1; SELECT 2';
    const error = await rejection(sql);

    expect(error.details.position).toBe(sql.indexOf('SELECT 2') + 1);
  });
});

describe('inspectReadOnlyQuery', () => {
  it.each([
    ['SELECT 1', false],
    ["SELECT $1::text, now(), current_setting('TimeZone')", false],
    ['SELECT g FROM generate_series(1, 10) AS g', false],
    ['SELECT * FROM weather', true],
    ['SELECT (SELECT count(*) FROM sales)', true],
    ['WITH one AS (SELECT 1 AS n) SELECT n FROM one', true],
  ])('reports whether %s names a relation', async (sql, namesRelations) => {
    await expect(inspectReadOnlyQuery(sql, scope)).resolves.toEqual({ statement: sql, namesRelations });
  });

  it('checks a repeated statement against each scope', async () => {
    const sql = 'SELECT * FROM weather';

    await expect(inspectReadOnlyQuery(sql, scope)).resolves.toMatchObject({ statement: sql });
    await expect(inspectReadOnlyQuery(sql, { ...scope, tables: new Set(['sales']) })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      message: 'table weather not found in this workspace',
    });
  });

  it('rejects a repeated statement every time', async () => {
    const first = await rejection('SELECT pg_sleep(3600)');
    const second = await rejection('SELECT pg_sleep(3600)');

    expect(first.message).toContain('pg_sleep');
    expect(second.message).toBe(first.message);
  });
});

describe('bytePositionToCharacter', () => {
  it('counts characters, not UTF-8 bytes', () => {
    expect(bytePositionToCharacter('ab', 0)).toBe(1);
    expect(bytePositionToCharacter('éb', 2)).toBe(2);
    expect(bytePositionToCharacter('売b', 3)).toBe(2);
  });
});
