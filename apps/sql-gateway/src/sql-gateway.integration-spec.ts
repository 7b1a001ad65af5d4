import { type ClientProxy, ClientProxyFactory } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';

import { microserviceClientOptions } from '@rokks/mesh';
import { type QueryResult } from '@rokks/sql-engine';

import { type ErrorBody } from './http/sql-gateway-exception.filter';
import { TABLE_PATTERNS } from './messages/table-messages.controller';
import { type TableView } from './tables/table-schemas';
import { GatewayTestHarness, readJson, type TestBackend } from './testing/gateway-test-harness';

const BACKENDS: TestBackend[] = ['pglite', 'postgres'];

// Three readings an hour apart, plus one in the next day.
const WEATHER_ROWS = [
  '2024-03-01 10:15:00+00\tBerlin\t4.5\n',
  '2024-03-01 10:45:00+00\tParis\t7.25\n',
  '2024-03-01 11:05:00+00\tBerlin\t\\N\n',
  '2024-03-02 09:00:00+00\tParis\t9\n',
].join('');

describe.each(BACKENDS)('sql-gateway on %s', (backend) => {
  let gateway: GatewayTestHarness;
  let weather: TableView;

  /** Creates a table through the internal Load API and loads COPY text into it. */
  async function loadTable(name: string, rows: string): Promise<TableView> {
    const loadId = `seed-${name}`;

    await readJson(
      await gateway.internal('POST', '/internal/loads', {
        body: {
          table: name,
          loadId,
          mode: 'create',
          timeColumn: 'observed_at',
          columns: [
            { name: 'observed_at', type: 'timestamptz' },
            { name: 'city', type: 'text' },
            { name: 'temperature', type: 'float' },
          ],
        },
      }),
      201,
    );
    await readJson(
      await gateway.internal('PUT', `/internal/loads/${loadId}/rows?commit=true`, {
        raw: rows,
        headers: { 'content-type': 'text/tab-separated-values' },
      }),
      200,
    );

    return readJson<TableView>(await gateway.call('GET', `/api/sql/tables/${name}`, { token: gateway.tokens.viewer }), 200);
  }

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start(backend);
    weather = await loadTable('weather', WEATHER_ROWS);
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  describe('health', () => {
    it('readiness reports the database', async () => {
      const body = await readJson<{ status: string; info: Record<string, Record<string, unknown>> }>(
        await gateway.internal('GET', '/health/ready'),
        200,
      );

      expect(body.info.database).toMatchObject({ status: 'up', backend, timescale: false });
    });

    it('OpenAPI documents every route', async () => {
      const document = await readJson<{ paths: Record<string, Record<string, unknown>> }>(
        await gateway.internal('GET', '/docs-json'),
        200,
      );
      const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );

      expect(operations).toEqual(
        expect.arrayContaining([
          'GET /api/sql/tables',
          'GET /api/sql/tables/{id}',
          'PATCH /api/sql/tables/{id}',
          'DELETE /api/sql/tables/{id}',
          'POST /api/sql/query',
          'POST /api/sql/widget-query',
          'POST /internal/loads',
          'GET /internal/loads/{loadId}',
          'PUT /internal/loads/{loadId}/rows',
          'POST /internal/loads/{loadId}/commit',
          'DELETE /internal/loads/{loadId}',
          'GET /internal/tables',
          'POST /internal/tables',
          'GET /internal/tables/{table}',
          'POST /internal/tables/{table}/columns',
        ]),
      );
    });
  });

  describe('tables', () => {
    it('list shows the loaded table', async () => {
      const tables = await readJson<TableView[]>(await gateway.call('GET', '/api/sql/tables', { token: gateway.tokens.viewer }), 200);
      const listed = tables.find((table) => table.id === weather.id);

      expect(listed).toEqual(weather);
      expect(weather).toMatchObject({
        id: expect.stringMatching(/^t_[0-9a-f]{32}$/) as unknown,
        name: 'weather',
        rowCount: 4,
        version: expect.any(Number) as unknown,
      });
      expect(weather.columns.map((column) => [column.name, column.type])).toEqual([
        ['observed_at', 'timestamptz'],
        ['city', 'text'],
        ['temperature', 'float'],
      ]);
      expect(weather.timeColumn).toBe(weather.columns[0].id);
    });

    it('get by id and by name agree', async () => {
      const byId = await readJson<TableView>(await gateway.call('GET', `/api/sql/tables/${weather.id}`), 200);

      expect(byId).toEqual(weather);
    });

    it('workspaces are separate', async () => {
      const tables = await readJson<TableView[]>(
        await gateway.call('GET', '/api/sql/tables', { token: gateway.tokens.otherWorkspace }),
        200,
      );

      expect(tables).toEqual([]);
      await readJson(await gateway.call('GET', `/api/sql/tables/${weather.id}`, { token: gateway.tokens.otherWorkspace }), 404);
    });

    it('rename keeps the physical table', async () => {
      const table = await loadTable('readings', WEATHER_ROWS);
      const cityColumn = table.columns[1];
      const physical = `SELECT c.oid::text, c.relfilenode::text FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'wsd_default' AND c.relname = '${table.id}'`;
      const before = await gateway.sql(physical);
      const renamed = await readJson<TableView>(
        await gateway.call('PATCH', `/api/sql/tables/${table.id}`, {
          body: { name: 'station_readings', columns: { [cityColumn.id]: 'station' } },
        }),
        200,
      );

      expect(before).toHaveLength(1);
      expect(await gateway.sql(physical)).toEqual(before);
      expect(renamed).toMatchObject({ id: table.id, name: 'station_readings', rowCount: 4, version: table.version + 1 });
      expect(renamed.columns[1]).toEqual({ ...cityColumn, name: 'station' });

      const result = await readJson<QueryResult>(
        await gateway.call('POST', '/api/sql/query', {
          token: gateway.tokens.viewer,
          body: { sql: 'SELECT station, count(*) AS n FROM station_readings GROUP BY station ORDER BY station' },
        }),
        200,
      );

      expect(result.rows).toEqual([
        ['Berlin', 2],
        ['Paris', 2],
      ]);
      await readJson(await gateway.call('GET', '/api/sql/tables/readings'), 404);
    });

    it('rename to a taken name is 409', async () => {
      const table = await loadTable('duplicates', WEATHER_ROWS);
      const error = await readJson<ErrorBody>(
        await gateway.call('PATCH', `/api/sql/tables/${table.id}`, { body: { name: 'weather' } }),
        409,
      );

      expect(error).toMatchObject({ statusCode: 409, error: 'Conflict', details: { code: 'CONFLICT' } });
    });

    it('rename body errors name the field', async () => {
      const badColumn = await readJson<ErrorBody>(
        await gateway.call('PATCH', `/api/sql/tables/${weather.id}`, { body: { columns: { city: 'town' } } }),
        400,
      );

      expect(badColumn.message).toContain('columns.city');
      expect(badColumn.details).toMatchObject({ code: 'INVALID_INPUT', field: 'columns.city' });

      const empty = await readJson<ErrorBody>(await gateway.call('PATCH', `/api/sql/tables/${weather.id}`, { body: {} }), 400);

      expect(empty.message).toContain('must rename the table');

      const unknownField = await readJson<ErrorBody>(
        await gateway.call('PATCH', `/api/sql/tables/${weather.id}`, { body: { title: 'x' } }),
        400,
      );

      expect(unknownField.details).toMatchObject({ field: 'title' });

      const badName = await readJson<ErrorBody>(
        await gateway.call('PATCH', `/api/sql/tables/${weather.id}`, { body: { name: 'Not A Name' } }),
        400,
      );

      expect(badName.message).toContain('invalid table name');
    });

    it('viewer cannot rename or drop', async () => {
      const rename = await readJson<ErrorBody>(
        await gateway.call('PATCH', `/api/sql/tables/${weather.id}`, { token: gateway.tokens.viewer, body: { name: 'mine' } }),
        403,
      );
      const drop = await readJson<ErrorBody>(
        await gateway.call('DELETE', `/api/sql/tables/${weather.id}`, { token: gateway.tokens.viewer }),
        403,
      );

      expect(rename.statusCode).toBe(403);
      expect(drop.statusCode).toBe(403);
      await readJson(await gateway.call('GET', `/api/sql/tables/${weather.id}`), 200);
    });

    it('missing or bad token is 401', async () => {
      const missing = await gateway.call('GET', '/api/sql/tables', { token: null });
      const forged = await gateway.call('GET', '/api/sql/tables', { token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });

      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await readJson<ErrorBody>(forged, 401)).statusCode).toBe(401);
      await readJson(await gateway.call('POST', '/api/sql/query', { token: null, body: { sql: 'SELECT 1' } }), 401);
    });

    it('internal routes reject user tokens', async () => {
      const response = await gateway.call('POST', '/internal/tables', {
        body: { name: 'sneaky', columns: [{ name: 'a', type: 'text' }] },
        headers: { 'x-rokks-internal': 'not the secret' },
      });

      expect(response.status).toBe(401);
    });

    it('unknown table is 404', async () => {
      const error = await readJson<ErrorBody>(await gateway.call('GET', '/api/sql/tables/no_such_table'), 404);

      expect(error).toMatchObject({ statusCode: 404, error: 'Not Found', details: { code: 'NOT_FOUND', table: 'no_such_table' } });
      await readJson(await gateway.call('DELETE', '/api/sql/tables/no_such_table'), 404);
      await readJson(await gateway.call('PATCH', '/api/sql/tables/no_such_table', { body: { name: 'x' } }), 404);
    });

    it('editor drops a table', async () => {
      const table = await loadTable('scratch', WEATHER_ROWS);
      const response = await gateway.call('DELETE', `/api/sql/tables/${table.id}`);

      expect(response.status).toBe(204);
      await readJson(await gateway.call('GET', `/api/sql/tables/${table.id}`), 404);
      expect(await gateway.sql(`SELECT 1 FROM pg_catalog.pg_class WHERE relname = '${table.id}'`)).toEqual([]);
    });
  });

  describe('queries', () => {
    it('runs SQL with params and limit', async () => {
      const result = await readJson<QueryResult>(
        await gateway.call('POST', '/api/sql/query', {
          token: gateway.tokens.viewer,
          body: {
            sql: 'SELECT city, temperature, observed_at FROM weather WHERE city = $1 ORDER BY observed_at',
            params: ['Berlin'],
            limit: 1,
          },
        }),
        200,
      );

      expect(result).toEqual({
        columns: [
          { name: 'city', type: 'text' },
          { name: 'temperature', type: 'float' },
          { name: 'observed_at', type: 'timestamptz' },
        ],
        rows: [['Berlin', 4.5, '2024-03-01T10:15:00Z']],
        rowCount: 1,
        truncated: true,
      });
    });

    it('rejects writes and bad SQL with 400', async () => {
      const write = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/query', { body: { sql: 'DELETE FROM weather' } }),
        400,
      );
      const syntax = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/query', { body: { sql: 'SELECT FROM WHERE' } }),
        400,
      );
      const twoStatements = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/query', { body: { sql: 'SELECT 1; SELECT 2' } }),
        400,
      );

      expect(write.details).toMatchObject({ code: 'INVALID_QUERY' });
      expect(syntax.details).toMatchObject({ code: 'INVALID_QUERY', position: expect.any(Number) as unknown });
      expect(twoStatements.details).toMatchObject({ code: 'INVALID_QUERY' });
      expect(await gateway.sql(`SELECT count(*)::text FROM ws_default.weather`)).toEqual([['4']]);
    });

    it('body errors name the field', async () => {
      const missing = await readJson<ErrorBody>(await gateway.call('POST', '/api/sql/query', { body: {} }), 400);
      const badParam = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/query', { body: { sql: 'SELECT $1', params: [{ a: 1 }] } }),
        400,
      );
      const badLimit = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/query', { body: { sql: 'SELECT 1', limit: -1 } }),
        400,
      );
      const notJson = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/query', { raw: 'SELECT 1', headers: { 'content-type': 'text/plain' } }),
        415,
      );

      expect(missing.details).toMatchObject({ field: 'sql' });
      expect(badParam.details).toMatchObject({ field: 'params.0' });
      expect(badLimit.details).toMatchObject({ field: 'limit' });
      expect(notJson.message).toContain('application/json');
    });

    it('widget query buckets by hour', async () => {
      const result = await readJson<QueryResult>(
        await gateway.call('POST', '/api/sql/widget-query', {
          token: gateway.tokens.viewer,
          body: {
            table: 'weather',
            measures: [{ agg: 'count' }, { column: 'temperature', agg: 'max', as: 'warmest' }],
            timeBucket: { column: 'observed_at', interval: '1 hour' },
            filters: [{ column: 'observed_at', op: '<', value: '2024-03-02' }],
          },
        }),
        200,
      );

      expect(result.columns.map((column) => column.name)).toEqual(['bucket', 'count', 'warmest']);
      expect(result.rows).toEqual([
        ['2024-03-01T10:00:00Z', 2, 7.25],
        ['2024-03-01T11:00:00Z', 1, null],
      ]);
    });

    it('widget query errors are 400 and 404', async () => {
      const badAgg = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/widget-query', { body: { table: 'weather', measures: [{ agg: 'median' }] } }),
        400,
      );
      const badColumn = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/widget-query', {
          body: { table: 'weather', measures: [{ column: 'humidity', agg: 'avg' }] },
        }),
        404,
      );
      const badTable = await readJson<ErrorBody>(
        await gateway.call('POST', '/api/sql/widget-query', { body: { table: 'nope', measures: [{ agg: 'count' }] } }),
        404,
      );

      expect(badAgg.details).toMatchObject({ field: 'measures.0.agg' });
      expect(badColumn.message).toContain('humidity');
      expect(badTable.details).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('internal tables', () => {
    it('create, add column, list and get', async () => {
      const created = await readJson<TableView>(
        await gateway.internal('POST', '/internal/tables', {
          body: { name: 'stations', columns: [{ label: 'Station Name', type: 'text' }, { name: 'height', type: 'integer' }] },
        }),
        201,
      );

      expect(created.columns.map((column) => [column.name, column.label, column.type])).toEqual([
        ['station_name', 'Station Name', 'text'],
        ['height', 'height', 'integer'],
      ]);

      const widened = await readJson<TableView>(
        await gateway.internal('POST', '/internal/tables/stations/columns', {
          body: { column: { name: 'opened_on', label: 'Opened on', type: 'date' } },
        }),
        201,
      );

      expect(widened).toMatchObject({ id: created.id, rowCount: 0 });
      expect(widened.columns.map((column) => column.name)).toEqual(['station_name', 'height', 'opened_on']);

      const listed = await readJson<TableView[]>(await gateway.internal('GET', '/internal/tables?workspace=default'), 200);

      expect(listed.map((table) => table.id)).toContain(created.id);
      expect(await readJson<TableView>(await gateway.internal('GET', `/internal/tables/${created.id}`), 200)).toEqual(widened);

      const again = await readJson<ErrorBody>(
        await gateway.internal('POST', '/internal/tables/stations/columns', { body: { column: { name: 'height', type: 'integer' } } }),
        409,
      );

      expect(again.details).toMatchObject({ code: 'CONFLICT', column: 'height' });
    });

    it('create errors are 400 and 409', async () => {
      const badType = await readJson<ErrorBody>(
        await gateway.internal('POST', '/internal/tables', { body: { name: 'broken', columns: [{ name: 'a', type: 'varchar' }] } }),
        400,
      );
      const nameTaken = await readJson<ErrorBody>(
        await gateway.internal('POST', '/internal/tables', { body: { name: 'weather', columns: [{ name: 'a', type: 'text' }] } }),
        409,
      );
      const missingTable = await readJson<ErrorBody>(
        await gateway.internal('POST', '/internal/tables/nowhere/columns', { body: { column: { name: 'a', type: 'text' } } }),
        404,
      );

      expect(badType.details).toMatchObject({ field: 'columns.0.type' });
      expect(nameTaken.details).toMatchObject({ code: 'CONFLICT' });
      expect(missingTable.details).toMatchObject({ code: 'NOT_FOUND' });
      await readJson(await gateway.call('GET', '/api/sql/tables/nowhere'), 404);
    });
  });

  describe('message patterns', () => {
    let rpc: ClientProxy;

    function send<T>(pattern: string, payload: unknown): Promise<T> {
      return firstValueFrom(rpc.send<T>(pattern, payload));
    }

    beforeAll(async () => {
      rpc = ClientProxyFactory.create(
        microserviceClientOptions(gateway.client.identity, {
          host: '127.0.0.1',
          port: gateway.service.endpoints.microservicePort,
        }),
      );
      await rpc.connect();
    });

    afterAll(async () => {
      await rpc?.close();
    });

    it('create, add column, list and get', async () => {
      const created = await send<TableView>(TABLE_PATTERNS.create, {
        workspace: 'rpc_space',
        name: 'events',
        columns: [{ name: 'at', type: 'timestamptz' }],
      });
      const widened = await send<TableView>(TABLE_PATTERNS.addColumn, {
        workspace: 'rpc_space',
        table: created.id,
        column: { name: 'kind', type: 'text' },
      });

      expect(widened.columns.map((column) => column.name)).toEqual(['at', 'kind']);
      expect(await send<TableView>(TABLE_PATTERNS.get, { workspace: 'rpc_space', table: 'events' })).toEqual(widened);
      expect(await send<TableView[]>(TABLE_PATTERNS.list, { workspace: 'rpc_space' })).toEqual([widened]);
      expect((await send<TableView[]>(TABLE_PATTERNS.list, {})).map((table) => table.name)).toContain('weather');
    });

    it('errors carry status and field', async () => {
      await expect(send(TABLE_PATTERNS.get, { workspace: 'rpc_space', table: 'missing' })).rejects.toMatchObject({
        statusCode: 404,
      });
      await expect(send(TABLE_PATTERNS.create, { name: 'x' })).rejects.toMatchObject({
        statusCode: 400,
        details: { field: 'columns' },
      });
    });
  });
});
