import { type SqlEngineError } from './errors/sql-engine.exception';
import { runCursorQuery } from './query/cursor-query.runner';
import { type QueryLimits } from './query/query-limits';
import { openTestEngine, type TestBackendKind, type TestEngine } from './testing/test-databases';

async function failure(promise: Promise<unknown>): Promise<SqlEngineError> {
  try {
    await promise;
  } catch (error) {
    return error as SqlEngineError;
  }

  throw new Error('expected a rejection');
}

async function* rows<T>(items: T[]): AsyncIterable<T[]> {
  yield items;
}

const LIMITS: Partial<QueryLimits> = {
  statementTimeoutMs: 1_000,
  maxRows: 1_000,
  maxResultChars: 200_000,
  maxValueChars: 10_000,
  maxConcurrentPerUser: 2,
  maxQueuedPerUser: 30,
};

describe.each<TestBackendKind>(['postgres', 'pglite'])('hostile queries on %s', (kind) => {
  let test: TestEngine;
  let tableId: string;
  const query = (sql: string, userId = 'mallory') => test.engine.query({ workspace: 'alpha', userId, sql });
  /** Runs SQL past the parser check, as the workspace role: only the database layers apply. */
  const unchecked = async (sql: string, limits: Partial<QueryLimits> = {}) => {
    const workspace = (await test.engine.listWorkspaces()).find((info) => info.workspace === 'alpha');

    return runCursorQuery(
      test.engine.database,
      { sql, params: [], searchPath: 'ws_alpha', role: workspace?.role ?? null, limit: 100 },
      { ...test.engine.limits, ...limits },
    );
  };

  const weatherCount = async () => (await query('SELECT count(*) FROM weather', 'checker')).rows[0][0];

  beforeAll(async () => {
    test = await openTestEngine(kind, { limits: LIMITS });

    const result = await test.engine.load(
      {
        workspace: 'alpha',
        table: 'weather',
        loadId: 'weather',
        mode: 'create',
        columns: [
          { name: 'city', type: 'text' },
          { name: 'temp', type: 'float' },
        ],
      },
      rows([
        ['Berlin', 21.5],
        ['Paris', 24],
      ]),
    );

    tableId = result.tableId;
    await test.engine.load(
      { workspace: 'beta', table: 'secrets', loadId: 'secrets', mode: 'create', columns: [{ name: 'code', type: 'text' }] },
      rows([['hidden']]),
    );
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  describe('parser layer, through the query API', () => {
    it.each([
      'SELECT 1; DROP TABLE weather',
      'COMMIT; DELETE FROM weather',
      '/* report */ SELECT 1; DELETE FROM weather',
      '-- report\nSELECT 1; DROP VIEW weather',
      'WITH gone AS (DELETE FROM weather RETURNING *) SELECT * FROM gone',
      'SET ROLE postgres',
      'SET SESSION AUTHORIZATION postgres',
      "SELECT set_config('default_transaction_read_only', 'off', false)",
      "COPY weather TO PROGRAM 'id'",
      'SELECT pg_sleep(3600)',
      "SELECT pg_read_file('/etc/passwd')",
      "SELECT lo_import('/etc/passwd')",
      'SELECT * FROM pg_authid',
      'SELECT * FROM pg_user_mappings',
      'SELECT * FROM rokks_catalog.table_metadata',
      'SELECT * FROM ws_beta.secrets',
      `SELECT * FROM wsd_alpha.${'t'.padEnd(34, '0')}`,
    ])('rejects %s', async (sql) => {
      const error = await failure(query(sql));

      expect(error.code).toBe('INVALID_QUERY');
      expect(error.httpStatus).toBe(400);
      expect(await weatherCount()).toBe(2);
    });
  });

  describe('protocol layer', () => {
    it.each(['SELECT 1; DROP VIEW ws_alpha.weather', 'COMMIT; DELETE FROM ws_alpha.weather'])(
      'rejects stacked statements sent directly: %s',
      async (sql) => {
        await expect(test.engine.database.query(sql)).rejects.toThrow(/multiple commands|cannot insert multiple/);
        expect(await weatherCount()).toBe(2);
      },
    );
  });

  describe('transaction and role layer, past the parser', () => {
    it.each([
      ['the physical table', () => `SELECT * FROM wsd_alpha.${tableId}`],
      ['the catalog schema', () => 'SELECT * FROM rokks_catalog.table_metadata'],
      ['another workspace', () => 'SELECT * FROM ws_beta.secrets'],
      ['pg_authid', () => 'SELECT * FROM pg_catalog.pg_authid'],
      ['a server file', () => "SELECT pg_read_file('/etc/passwd')"],
      ['a large object import', () => "SELECT lo_import('/etc/passwd')"],
    ])('denies reading %s', async (_, sql) => {
      const error = await failure(unchecked(sql()));

      expect(error.code).toBe('INVALID_QUERY');
      expect(error.message).toMatch(/permission denied|must be superuser|read-only/);
    });

    it('denies a data-modifying CTE', async () => {
      const error = await failure(unchecked('WITH gone AS (DELETE FROM weather RETURNING *) SELECT * FROM gone'));

      expect(error.code).toBe('INVALID_QUERY');
      expect(await weatherCount()).toBe(2);
    });

    it('runs read only', async () => {
      const error = await failure(unchecked("SELECT nextval('rokks_catalog.missing')"));

      expect(error.code).toBe('INVALID_QUERY');
    });
  });

  describe('result caps', () => {
    it('stops a 50-million-row result at the row cap', async () => {
      const started = Date.now();
      // A set-returning function in the select list streams its rows; in FROM
      // it would first store all of them (see the generate_series test).
      const result = await query('SELECT generate_series(1, 50000000) AS g, 2 AS two');

      expect(result.rowCount).toBe(1_000);
      expect(result.truncated).toBe(true);
      expect(result.rows[999]).toEqual([1_000, 2]);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    if (kind === 'postgres') {
      it('stops generate_series(1, 1e12) in the select list at the row cap', async () => {
        const result = await test.engine.query({
          workspace: 'alpha',
          userId: 'mallory',
          sql: 'SELECT generate_series(1, 1e12) AS g',
          limit: 5,
        });

        expect(result.rows).toEqual([[1], [2], [3], [4], [5]]);
        expect(result.truncated).toBe(true);
      });
    }

    it.each([
      'SELECT g FROM generate_series(1, 1e12) AS g',
      'SELECT g FROM generate_series(1, 1e12) AS g LIMIT 10',
    ])('stops %s by timeout or plan cost', async (sql) => {
      const started = Date.now();
      const error = await failure(query(sql));

      expect(error.code).toBe(kind === 'postgres' ? 'TIMEOUT' : 'TOO_LARGE');
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('cuts one huge value on the server', async () => {
      // 30 million characters; a column reference keeps the planner from
      // computing the value while it plans.
      const result = await query("SELECT repeat(city, 5000000) AS huge, 1 AS n FROM weather WHERE city = 'Berlin'");

      expect(result.truncated).toBe(true);
      expect(result.rows[0][0]).toBe('Berlin'.repeat(5_000).slice(0, 10_000));
      expect(result.rows[0][1]).toBe(1);
    });

    it('stops at the result size cap', async () => {
      const result = await query("SELECT repeat('y', 5000) FROM generate_series(1, 100000)");

      expect(result.truncated).toBe(true);
      expect(result.rowCount).toBe(40);
    });

    it('reports no truncation for a small result', async () => {
      const result = await query('SELECT city FROM weather ORDER BY city');

      expect(result).toEqual({
        columns: [{ name: 'city', type: 'text' }],
        rows: [['Berlin'], ['Paris']],
        rowCount: 2,
        truncated: false,
      });
    });
  });

  if (kind === 'postgres') {
    describe('timeouts on PostgreSQL', () => {
      it('cancels pg_sleep(3600) at the statement timeout and keeps the pool healthy', async () => {
        const started = Date.now();
        const error = await failure(unchecked('SELECT pg_sleep(3600)'));

        expect(error.code).toBe('TIMEOUT');
        expect(error.httpStatus).toBe(504);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(await weatherCount()).toBe(2);
      });

      it('times out a recursive query that never ends', async () => {
        const error = await failure(query('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r'));

        expect(error.code).toBe('TIMEOUT');
      });

      it('times out an aggregate over generate_series(1, 1e12)', async () => {
        const error = await failure(query('SELECT count(*) FROM generate_series(1, 1e12)'));

        expect(error.code).toBe('TIMEOUT');
      });

      it('keeps other users served while one user floods', async () => {
        const flood = Array.from({ length: 20 }, () =>
          query('SELECT count(*) FROM generate_series(1, 1e12)', 'greedy').catch((error: SqlEngineError) => error.code),
        );
        const started = Date.now();
        const other = await query('SELECT count(*) FROM weather', 'patient');
        const otherMs = Date.now() - started;

        expect(other.rows).toEqual([[2]]);
        expect(otherMs).toBeLessThan(900);
        expect(await Promise.all(flood)).toEqual(Array.from({ length: 20 }, () => 'TIMEOUT'));
      }, 60_000);
    });
  } else {
    describe('what PGlite cannot enforce', () => {
      it.each(['SELECT count(*) FROM generate_series(1, 1e12)', 'SELECT generate_series(1, 1e12)'])(
        'rejects %s by plan cost',
        async (sql) => {
          const error = await failure(query(sql));

          expect(error.code).toBe('TOO_LARGE');
          expect(error.httpStatus).toBe(413);
          expect(error.message).toContain('estimated cost');
        },
      );

      it('rejects a recursive query, which could run forever', async () => {
        const error = await failure(query('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r'));

        expect(error.code).toBe('INVALID_QUERY');
      });

      it('does not fire statement_timeout', async () => {
        const result = await unchecked('SELECT pg_sleep(0.3) IS NOT NULL AS slept', { statementTimeoutMs: 50 });

        expect(result.rows).toEqual([[true]]);
      });

      it('serves every user of a flood, one statement at a time', async () => {
        const flood = Array.from({ length: 20 }, () => query('SELECT generate_series(1, 1000000)', 'greedy'));
        const other = await query('SELECT count(*) FROM weather', 'patient');

        expect(other.rows).toEqual([[2]]);

        for (const result of await Promise.all(flood)) {
          expect(result.truncated).toBe(true);
        }
      });
    });
  }
});
