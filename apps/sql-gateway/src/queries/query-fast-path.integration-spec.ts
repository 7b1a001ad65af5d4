import { type Response } from 'undici';

import { type QueryResult } from '@rokks/sql-engine';

import { type ErrorBody } from '../http/sql-gateway-exception.filter';
import { GatewayTestHarness, readJson } from '../testing/gateway-test-harness';

interface Probe {
  path: string;
  token?: string | null;
  raw?: string;
  body?: unknown;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | null>;
}

const COMPARED_HEADERS = ['content-type', 'cache-control', 'www-authenticate', 'retry-after'];

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  const headers = Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)]));

  expect(response.headers.get('x-request-id')).toEqual(expect.any(String));

  return { status: response.status, body: JSON.parse(text) as unknown, headers };
}

// The fast path serves the query routes before fastify. A query string sends
// the same request through fastify and Nest, so each case is sent both ways
// and must get the same response.
describe('query fast path', () => {
  let gateway: GatewayTestHarness;

  function ask(probe: Probe, viaNest: boolean): Promise<Answer> {
    const path = viaNest ? `${probe.path}?via=nest` : probe.path;
    const token = probe.token === undefined ? gateway.tokens.viewer : probe.token;
    const headers = { 'content-type': 'application/json' };

    return gateway
      .call('POST', path, probe.raw === undefined ? { token, body: probe.body } : { token, raw: probe.raw, headers })
      .then(answerOf);
  }

  /** Sends the probe both ways, checks that the responses match and returns the fast path's. */
  async function askBothWays(probe: Probe): Promise<Answer> {
    const fast = await ask(probe, false);
    const nest = await ask(probe, true);

    expect(fast).toEqual(nest);

    return fast;
  }

  /** Returns the `request completed` lines of the fast path with `url`. */
  function fastPathLines(url: string): Record<string, unknown>[] {
    return gateway.platform.logs
      .records()
      .filter((record) => record.context === 'QueryFastPath' && record.msg === 'request completed')
      .filter((record) => (record.req as { url?: string } | undefined)?.url === url);
  }

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start('postgres');
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  it('happy path returns rows', async () => {
    const answer = await askBothWays({
      path: '/api/sql/query',
      body: { sql: 'SELECT g FROM generate_series(1, $1::int) AS g', params: [3], limit: 2 },
    });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).toEqual({ columns: [{ name: 'g', type: 'integer' }], rows: [[1], [2]], rowCount: 2, truncated: true });
  });

  it('missing or forged token is 401', async () => {
    const missing = await askBothWays({ path: '/api/sql/query', token: null, body: { sql: 'SELECT 1' } });
    const forged = await askBothWays({ path: '/api/sql/query', token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', body: { sql: 'SELECT 1' } });

    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ message: 'The access token is invalid or expired; sign in again.' });
  });

  it('user without viewer role is 403', async () => {
    const answer = await askBothWays({ path: '/api/sql/query', token: gateway.tokens.noRoles, body: { sql: 'SELECT 1' } });

    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ message: 'This action needs the role viewer.' });
  });

  it('invalid JSON and bad fields are 400', async () => {
    const notJson = await askBothWays({ path: '/api/sql/query', raw: '{"sql":' });
    const empty = await askBothWays({ path: '/api/sql/query', raw: '' });
    const poisoned = await askBothWays({ path: '/api/sql/query', raw: '{"sql":"SELECT 1","__proto__":{"x":1}}' });
    const unknownField = await askBothWays({ path: '/api/sql/query', body: { sql: 'SELECT 1', rows: 5 } });
    const badLimit = await askBothWays({ path: '/api/sql/query', body: { sql: 'SELECT 1', limit: -1 } });

    for (const answer of [notJson, empty, poisoned, unknownField, badLimit]) {
      expect(answer.status).toBe(400);
      expect(answer.headers['cache-control']).toBe('no-store');
    }

    expect((unknownField.body as ErrorBody).details).toMatchObject({ code: 'INVALID_INPUT', field: 'rows' });
    expect((badLimit.body as ErrorBody).details).toMatchObject({ code: 'INVALID_INPUT', field: 'limit' });
  });

  it('query errors keep their shape', async () => {
    const write = await askBothWays({ path: '/api/sql/query', body: { sql: 'DELETE FROM weather' } });
    const divide = await askBothWays({ path: '/api/sql/query', body: { sql: 'SELECT 1 / 0' } });

    expect(write.status).toBe(400);
    expect((write.body as ErrorBody).details).toMatchObject({ code: 'INVALID_QUERY' });
    expect(divide.status).toBe(400);
    expect((divide.body as ErrorBody).details).toMatchObject({ code: 'INVALID_QUERY', sqlState: '22012' });
  });

  it('widget query shares the path', async () => {
    const badAgg = await askBothWays({ path: '/api/sql/widget-query', body: { table: 'nope', measures: [{ agg: 'median' }] } });
    const missingTable = await askBothWays({ path: '/api/sql/widget-query', body: { table: 'nope', measures: [{ agg: 'count' }] } });

    expect(badAgg.status).toBe(400);
    expect((badAgg.body as ErrorBody).details).toMatchObject({ field: 'measures.0.agg' });
    expect(missingTable.status).toBe(404);
  });

  it('logs one line per request', async () => {
    const requestId = 'fast-path-log-check';
    const response = await gateway.call('POST', '/api/sql/query', {
      token: gateway.tokens.viewer,
      body: { sql: 'SELECT 42' },
      headers: { 'x-request-id': requestId },
    });

    expect(response.headers.get('x-request-id')).toBe(requestId);
    expect((await readJson<QueryResult>(response, 200)).rows).toEqual([[42]]);

    const lines = fastPathLines('/api/sql/query').filter((record) => record.requestId === requestId);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', userId: 'viewer-1', res: { statusCode: 200 } });
    expect(JSON.stringify(lines[0])).not.toContain(gateway.tokens.viewer);
    expect(fastPathLines('/api/sql/query?via=nest')).toEqual([]);
  });
});
