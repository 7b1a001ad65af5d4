import { type Value } from '@rokks/transform';

import { type SqlEngineError } from './errors/sql-engine.exception';
import { type LoadOptions } from './load/load.types';
import { SqlEngine } from './sql-engine';
import { bucketQuery, DST_CASES, loadReadings } from './testing/dst-cases';
import { openTestEngine, type TestBackendKind, type TestEngine } from './testing/test-databases';

async function* chunks<T>(...items: T[]): AsyncIterable<T> {
  for (const item of items) {
    yield item;
  }
}

async function failure(promise: Promise<unknown>): Promise<SqlEngineError> {
  try {
    await promise;
  } catch (error) {
    return error as SqlEngineError;
  }

  throw new Error('expected a rejection');
}

const cityColumns: LoadOptions['columns'] = [
  { name: 'city', type: 'text' },
  { name: 'people', type: 'integer' },
];

describe.each<TestBackendKind>(['postgres', 'pglite'])('SqlEngine on %s', (kind) => {
  let test: TestEngine;
  const query = (sql: string, params?: unknown[]) =>
    test.engine.query({ workspace: 'alpha', userId: 'u1', sql, params });
  const load = (options: Partial<LoadOptions>, ...rows: Value[][][]) =>
    test.engine.load(
      { workspace: 'alpha', table: 'cities', loadId: 'x', mode: 'append', columns: cityColumns, ...options },
      chunks(...rows),
    );
  const cityRows = async () => (await query('SELECT city, people FROM cities ORDER BY city')).rows;

  beforeAll(async () => {
    test = await openTestEngine(kind, { limits: { statementTimeoutMs: 5_000 } });
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it('loads typed rows and encodes every type', async () => {
    const result = await test.engine.load(
      {
        workspace: 'alpha',
        table: 'samples',
        loadId: 'samples-1',
        mode: 'create',
        columns: [
          { name: 'day', type: 'date' },
          { name: 'label', type: 'text' },
          { name: 'ratio', type: 'float' },
          { name: 'big', type: 'integer' },
          { name: 'price', type: 'numeric' },
          { name: 'ok', type: 'boolean' },
          { name: 'seen_at', type: 'timestamptz' },
          { name: 'local_at', type: 'timestamp' },
          { name: 'extra', type: 'json' },
        ],
      },
      chunks(
        [['2024-01-01', 'tab\there', 1.5, 9007199254740993n, '12.50', true, '2024-03-31T01:30:00.25Z', '2024-03-31T01:30:00', '{"a":[1,2]}']],
        [['2024-01-02', 'back\\slash\nnewline', -2, 3n, '0.1', false, null, null, null]],
      ),
    );

    expect(result).toMatchObject({ rowsLoaded: 2, rowCount: 2, alreadyApplied: false, mode: 'create' });

    const samples = await test.engine.query({ workspace: 'alpha', userId: 'u1', sql: 'SELECT * FROM samples ORDER BY day' });

    expect(samples.columns.map((column) => column.type)).toEqual([
      'date', 'text', 'float', 'integer', 'numeric', 'boolean', 'timestamptz', 'timestamp', 'json',
    ]);
    expect(samples.rows).toEqual([
      ['2024-01-01', 'tab\there', 1.5, '9007199254740993', 12.5, true, '2024-03-31T01:30:00.25Z', '2024-03-31T01:30:00Z', '{"a": [1, 2]}'],
      ['2024-01-02', 'back\\slash\nnewline', -2, 3, 0.1, false, null, null, null],
    ]);
  });

  it('rejects create when the table exists', async () => {
    await load({ loadId: 'cities-create', mode: 'create' }, [['Berlin', 3_700_000n]]);

    const error = await failure(load({ loadId: 'cities-create-again', mode: 'create' }, [['Paris', 2n]]));

    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('table cities already exists');
    expect(await cityRows()).toEqual([['Berlin', 3_700_000]]);
  });

  it('appends, and never applies a load id twice', async () => {
    const first = await load({ loadId: 'cities-append-1' }, [['Hamburg', 1_800_000n]], [['Munich', 1_500_000n]]);
    const retry = await load({ loadId: 'cities-append-1' }, [['Hamburg', 1_800_000n]], [['Munich', 1_500_000n]]);

    expect(first).toMatchObject({ rowsLoaded: 2, rowCount: 3, alreadyApplied: false });
    expect(retry).toMatchObject({ rowsLoaded: 2, alreadyApplied: true });
    expect(await cityRows()).toEqual([
      ['Berlin', 3_700_000],
      ['Hamburg', 1_800_000],
      ['Munich', 1_500_000],
    ]);
  });

  it('adds a column a later load brings', async () => {
    const result = await load(
      { loadId: 'cities-append-2', columns: [...cityColumns, { name: 'country', label: 'Country', type: 'text' }] },
      [['Cologne', 1_000_000n, 'DE']],
    );

    expect(result.addedColumns).toEqual(['country']);
    expect((await query("SELECT city, country FROM cities WHERE country = 'DE'")).rows).toEqual([['Cologne', 'DE']]);

    const table = await test.engine.getTable('alpha', 'cities');

    expect(table.columns.map((column) => [column.name, column.type, column.position])).toEqual([
      ['city', 'text', 1],
      ['people', 'integer', 2],
      ['country', 'text', 3],
    ]);
    expect(table.rowCount).toBe(4);
  });

  it('upserts by key, last row of a key wins', async () => {
    const result = await load(
      { loadId: 'cities-upsert', mode: 'upsert', key: ['city'] },
      [['Berlin', 3_800_000n], ['Bonn', 1n]],
      [['Bonn', 330_000n]],
    );

    expect(result).toMatchObject({ rowsLoaded: 2, rowCount: 5 });
    expect(await cityRows()).toEqual([
      ['Berlin', 3_800_000],
      ['Bonn', 330_000],
      ['Cologne', 1_000_000],
      ['Hamburg', 1_800_000],
      ['Munich', 1_500_000],
    ]);
  });

  it('leaves the table as it was when a load fails', async () => {
    const before = await cityRows();
    const error = await failure(
      test.engine.load(
        { workspace: 'alpha', table: 'cities', loadId: 'cities-bad', mode: 'replace', columns: cityColumns },
        chunks<Value[][] | string>([['Leipzig', 600_000n]], 'Dresden\tmany\n'),
      ),
    );

    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toContain('"many"');
    expect(error.message).toContain('column people');
    expect(error.message).toContain('row 2 of the load');
    expect(error.details).toMatchObject({ table: 'cities', column: 'people', row: 2 });
    expect(await cityRows()).toEqual(before);
    expect((await test.engine.getTable('alpha', 'cities')).rowCount).toBe(5);
  });

  it('leaves the table as it was when a load is aborted', async () => {
    const before = await cityRows();
    const writer = await test.engine.beginLoad({
      workspace: 'alpha',
      table: 'cities',
      loadId: 'cities-aborted',
      mode: 'replace',
      columns: cityColumns,
    });

    await writer.writeRows([['Essen', 580_000n]]);
    await writer.abort();
    expect(await cityRows()).toEqual(before);

    const retried = await load({ loadId: 'cities-aborted', mode: 'append' }, [['Essen', 580_000n]]);

    expect(retried.alreadyApplied).toBe(false);
  });

  it('replaces all rows and keeps the physical table id', async () => {
    const { id } = await test.engine.getTable('alpha', 'cities');
    const result = await load({ loadId: 'cities-replace', mode: 'replace' }, [['Stuttgart', 630_000n]]);

    expect(result).toMatchObject({ tableId: id, rowsLoaded: 1, rowCount: 1 });
    expect(await cityRows()).toEqual([['Stuttgart', 630_000]]);
  });

  it('streams many chunks with back-pressure', async () => {
    const writer = await test.engine.beginLoad({
      workspace: 'alpha',
      table: 'numbers',
      loadId: 'numbers-1',
      mode: 'create',
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'label', type: 'text' },
      ],
    });

    for (let chunk = 0; chunk < 20; chunk += 1) {
      const rows: Value[][] = Array.from({ length: 2_000 }, (_, index) => [BigInt(chunk * 2_000 + index), `row ${index}`]);

      await writer.writeRows(rows);
    }

    await writer.writeCopyText('40000\tcopy text\n');

    expect(await writer.commit()).toMatchObject({ rowsLoaded: 40_001, rowCount: 40_001 });
    expect((await query('SELECT count(*), sum(n) FROM numbers')).rows).toEqual([[40_001, 800_020_000]]);
  });

  it('renames table and columns without touching the physical table', async () => {
    const before = await test.engine.createTable('alpha', {
      name: 'sales',
      columns: [
        { label: 'Sold at', type: 'timestamptz' },
        { label: 'Amount €', type: 'numeric' },
      ],
    });

    expect(before.columns.map((column) => column.name)).toEqual(['sold_at', 'amount']);
    await load({ table: 'sales', loadId: 'sales-1', columns: [{ name: 'sold_at', type: 'timestamptz' }, { name: 'amount', type: 'numeric' }] }, [
      ['2024-05-01T10:00:00Z', '10.5'],
      ['2024-05-01T11:00:00Z', '4.5'],
    ]);

    const relfilenode = async () =>
      (
        await test.engine.database.query(
          "SELECT relfilenode::text FROM pg_class WHERE oid = to_regclass('wsd_alpha.' || $1)",
          [before.id],
        )
      ).rows[0][0];
    const fileBefore = await relfilenode();
    const { version } = await test.engine.getTable('alpha', 'sales');
    const amountId = before.columns[1].id;
    const renamed = await test.engine.renameTable('alpha', before.id, {
      name: 'revenue',
      columns: { [amountId]: 'total' },
    });

    expect(renamed).toMatchObject({ id: before.id, name: 'revenue', version: version + 1 });
    expect(renamed.columns.map((column) => [column.id, column.name])).toEqual([
      [before.columns[0].id, 'sold_at'],
      [amountId, 'total'],
    ]);
    expect(await relfilenode()).toBe(fileBefore);
    expect((await query('SELECT sum(total) FROM revenue')).rows).toEqual([[15]]);
    expect((await failure(query('SELECT * FROM sales'))).message).toBe('table sales not found in this workspace');

    const widget = await test.engine.widgetQuery({
      workspace: 'alpha',
      userId: 'u1',
      query: { table: before.id, measures: [{ column: amountId, agg: 'sum' }] },
    });

    expect(widget.columns).toEqual([{ name: 'sum_total', type: 'numeric' }]);
    expect(widget.rows).toEqual([[15]]);
  });

  it('rejects renames that clash or name unknown columns', async () => {
    const revenue = await test.engine.getTable('alpha', 'revenue');

    expect((await failure(test.engine.renameTable('alpha', revenue.id, { name: 'cities' }))).code).toBe('CONFLICT');
    expect(
      (await failure(test.engine.renameTable('alpha', revenue.id, { columns: { [revenue.columns[0].id]: 'total' } }))).code,
    ).toBe('CONFLICT');
    expect((await failure(test.engine.renameTable('alpha', revenue.id, { columns: { f_ffffffff: 'x' } }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(test.engine.renameTable('alpha', revenue.id, { name: 'Not Valid' }))).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('drops a table', async () => {
    const table = await test.engine.createTable('alpha', { name: 'scratch', columns: [{ name: 'a', type: 'integer' }] });

    await test.engine.dropTable('alpha', table.id);

    expect((await failure(test.engine.getTable('alpha', table.id))).code).toBe('NOT_FOUND');
    expect((await test.engine.database.query('SELECT to_regclass($1)::text', [`wsd_alpha.${table.id}`])).rows).toEqual([
      [null],
    ]);
  });

  it('lists tables with their columns', async () => {
    const tables = await test.engine.listTables('alpha');

    expect(tables.map((table) => table.name)).toEqual(['cities', 'numbers', 'revenue', 'samples']);
    expect(tables[0].id).toMatch(/^t_[0-9a-f]{32}$/);
    expect(tables[0].columns[0].id).toMatch(/^f_[0-9a-f]{8}$/);
    expect(tables[0].createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('keeps workspaces apart', async () => {
    await test.engine.load(
      { workspace: 'beta', table: 'secrets', loadId: 'beta-1', mode: 'create', columns: [{ name: 'code', type: 'text' }] },
      chunks([['hidden']]),
    );

    expect((await failure(query('SELECT * FROM ws_beta.secrets'))).code).toBe('INVALID_QUERY');
    expect((await failure(query('SELECT * FROM secrets'))).message).toBe('table secrets not found in this workspace');
    expect(await test.engine.listTables('alpha')).not.toContainEqual(expect.objectContaining({ name: 'secrets' }));
  });

  it('queries a workspace without tables', async () => {
    const fresh = (sql: string) => test.engine.query({ workspace: 'empty', userId: 'u1', sql });

    expect((await fresh('SELECT 1 AS one')).rows).toEqual([[1]]);
    expect((await failure(fresh('SELECT * FROM cities'))).message).toBe('table cities not found in this workspace');
    expect(await test.engine.listTables('empty')).toEqual([]);
  });

  it('sees tables created and dropped after a query', async () => {
    const inGamma = (sql: string) => test.engine.query({ workspace: 'gamma', userId: 'u1', sql });

    expect((await inGamma('SELECT 1 AS one')).rows).toEqual([[1]]);
    await test.engine.load(
      { workspace: 'gamma', table: 'late', loadId: 'late-1', mode: 'create', columns: cityColumns },
      chunks([['Ulm', 126_000]]),
    );
    expect((await inGamma('SELECT city FROM late')).rows).toEqual([['Ulm']]);

    await test.engine.dropTable('gamma', 'late');
    expect((await failure(inGamma('SELECT city FROM late'))).message).toBe('table late not found in this workspace');
  });

  it('queries again after the workspace lost its catalog row', async () => {
    const inDelta = (sql: string) => test.engine.query({ workspace: 'delta', userId: 'u1', sql });

    expect((await inDelta('SELECT 1 AS one')).rows).toEqual([[1]]);
    // As if another gateway had dropped the workspace: the cached names are stale.
    await test.engine.database.query('DELETE FROM rokks_catalog.workspaces WHERE workspace = $1', ['delta']);

    expect((await inDelta('SELECT 2 AS two')).rows).toEqual([[2]]);
    expect((await test.engine.listWorkspaces()).map((workspace) => workspace.workspace)).toContain('delta');
  });

  it('repeats a statement without tables from its cached columns', async () => {
    const sql = "SELECT $1::text AS label, 2 AS n, repeat('x', 3) AS xs, now() > '2000-01-01' AS recent";

    for (const label of ['first', 'second']) {
      const result = await query(sql, [label]);

      expect(result.columns).toEqual([
        { name: 'label', type: 'text' },
        { name: 'n', type: 'integer' },
        { name: 'xs', type: 'text' },
        { name: 'recent', type: 'boolean' },
      ]);
      expect(result.rows).toEqual([[label, 2, 'xxx', true]]);
      expect(result.truncated).toBe(false);
    }
  });

  it('ends each read with its transaction', async () => {
    await load({ table: 'divisors', loadId: 'divisors-1', mode: 'create', columns: [{ name: 'n', type: 'integer' }] }, [[0]]);

    // On PostgreSQL each read goes out together with its ROLLBACK. The LIMIT 0
    // probe evaluates no row, so the division fails in the read itself.
    const users = ['u1', 'u2', 'u3', 'u4'];
    const failures = await Promise.all(
      users.map((userId) => failure(test.engine.query({ workspace: 'alpha', userId, sql: 'SELECT 1 / n AS ratio FROM divisors' }))),
    );
    const reads = await Promise.all(
      users.map((userId) => test.engine.query({ workspace: 'alpha', userId, sql: 'SELECT n FROM divisors' })),
    );

    for (const read of reads) {
      expect(read.rows).toEqual([[0]]);
    }

    for (const error of failures) {
      expect(error.code).toBe('INVALID_QUERY');
    }

    // Eight sessions at once take every pooled connection: none may be left
    // in the query's transaction, read only or as the workspace's role.
    const sessions = await Promise.all(
      Array.from({ length: 8 }, () =>
        test.engine.database.query("SELECT current_user::text, current_setting('transaction_read_only'), pg_sleep(0.05)::text"),
      ),
    );

    for (const session of sessions) {
      expect(session.rows[0].slice(0, 2)).toEqual(['postgres', 'off']);
    }

    expect((await query('SELECT n FROM divisors')).rows).toEqual([[0]]);
  });

  it('reports a missing widget table by name', async () => {
    const error = await failure(
      test.engine.widgetQuery({ workspace: 'nothing', userId: 'u1', query: { table: 'sales', measures: [{ agg: 'count' }] } }),
    );

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('sales');
    expect((await test.engine.listWorkspaces()).map((workspace) => workspace.workspace)).not.toContain('nothing');
  });

  it('reports a widget table name with a NUL as missing', async () => {
    const error = await failure(
      test.engine.widgetQuery({ workspace: 'alpha', userId: 'u1', query: { table: 'cit\0ies', measures: [{ agg: 'count' }] } }),
    );

    expect(error.code).toBe('NOT_FOUND');
  });

  it('runs a widget query by table id', async () => {
    const cities = await test.engine.getTable('alpha', 'cities');
    const result = await test.engine.widgetQuery({
      workspace: 'alpha',
      userId: 'u1',
      query: { table: cities.id, measures: [{ agg: 'count' }] },
    });

    expect(result.rows).toEqual([[cities.rowCount]]);
  });

  it('runs widget queries with dimensions, filters and order', async () => {
    const result = await test.engine.widgetQuery({
      workspace: 'alpha',
      userId: 'u1',
      query: {
        table: 'numbers',
        dimensions: ['label'],
        measures: [
          { agg: 'count' },
          { column: 'n', agg: 'max' },
          { column: 'n', agg: 'avg', as: 'mean' },
          { column: 'n', agg: 'count_distinct' },
        ],
        filters: [
          { column: 'label', op: 'in', value: ['row 1', 'row 2', 'copy text'] },
          { column: 'n', op: 'between', value: [0, 40_000] },
          { column: 'label', op: 'contains', value: 'row' },
          { column: 'n', op: '!=', value: 1 },
        ],
        orderBy: [{ column: 'label', dir: 'desc' }],
        limit: 10,
      },
    });

    expect(result.columns).toEqual([
      { name: 'label', type: 'text' },
      { name: 'count', type: 'integer' },
      { name: 'max_n', type: 'integer' },
      { name: 'mean', type: 'float' },
      { name: 'count_distinct_n', type: 'integer' },
    ]);
    expect(result.rows).toEqual([
      ['row 2', 20, 38_002, 19_002, 20],
      ['row 1', 19, 38_001, 20_001, 19],
    ]);
  });

  it.each(DST_CASES)('buckets time in Europe/Berlin: $name', async ({ interval, from, to, rows }) => {
    if ((await test.engine.listTables('alpha')).every((table) => table.name !== 'readings')) {
      await loadReadings(test.engine, 'alpha', 'readings');
    }

    const result = await test.engine.widgetQuery({
      workspace: 'alpha',
      userId: 'u1',
      query: bucketQuery('readings', interval, from, to),
    });

    expect(result.columns).toEqual([
      { name: 'bucket', type: 'timestamptz' },
      { name: 'count', type: 'integer' },
    ]);
    expect(result.rows).toEqual(rows);
  });

  it('reports a bad column with its position', async () => {
    const sql = 'SELECT nope FROM cities';
    const error = await failure(query(sql));

    expect(error.code).toBe('INVALID_QUERY');
    expect(error.message).toContain('nope');
    expect(error.details.position).toBe(sql.indexOf('nope') + 1);
  });

  it('binds parameters', async () => {
    expect((await query('SELECT city FROM cities WHERE people > $1 AND city <> $2', [100, 'x'])).rows).toEqual([
      ['Stuttgart'],
    ]);
  });
});

describe('SqlEngine on postgres beside another gateway', () => {
  let test: TestEngine;
  let other: SqlEngine;

  beforeAll(async () => {
    test = await openTestEngine('postgres');
    other = await SqlEngine.open({ backend: { kind: 'postgres', connection: { ...test.database?.connection, max: 2 } } });
  }, 60_000);

  afterAll(async () => {
    await other?.close();
    await test?.dispose();
  });

  it('queries a workspace the other engine dropped and recreated', async () => {
    const inShared = (sql: string) => test.engine.query({ workspace: 'shared', userId: 'u1', sql });

    expect((await inShared('SELECT 1 AS one')).rows).toEqual([[1]]);

    // The workspace's role and schemas are gone, so the cached names fail the role switch.
    await other.dropWorkspace('shared');
    expect((await inShared('SELECT 2 AS two')).rows).toEqual([[2]]);

    await other.load(
      { workspace: 'shared', table: 'towns', loadId: 'towns-1', mode: 'create', columns: cityColumns },
      chunks([['Bonn', 330_000]]),
    );
    expect((await inShared('SELECT city, people FROM towns')).rows).toEqual([['Bonn', 330_000]]);
  });
});
