import { EdgeTestHarness } from '../testing/edge-test-harness';
import { type EchoedRequest, standInEvents } from '../testing/stand-in-backend';

describe('edge path handling', () => {
  let harness: EdgeTestHarness;
  let viewerToken: string;

  beforeAll(async () => {
    harness = await EdgeTestHarness.start();
    viewerToken = await harness.sign({ roles: ['viewer'] });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  // Each spelling tries to reach an editor route (a load, a rename) past the
  // viewer's guard, or to split what the edge checks from what a server runs.
  const rejectedSpellings: [string, string, string][] = [
    ['POST', '//api//transform/runs', 'empty-segment'],
    ['POST', '/api//transform/runs', 'empty-segment'],
    ['POST', '/api/sql/../transform/runs', 'dot-segment'],
    ['POST', '/api/sql/%2e%2e/transform/runs', 'dot-segment'],
    ['POST', '/api/sql/%2E%2E/transform/runs', 'dot-segment'],
    ['POST', '/api/sql/./query', 'dot-segment'],
    ['POST', '/api/sql/query%2f..%2f..%2ftransform%2fruns', 'forbidden-encoded-character'],
    ['PATCH', '/api/sql/tables%2Ft_1', 'forbidden-encoded-character'],
    ['POST', '/api/sql/query;', 'forbidden-character'],
    ['POST', '/api/sql/query;/../../transform/runs', 'forbidden-character'],
    ['POST', '/api/sql/query%3b', 'forbidden-encoded-character'],
    ['POST', '/api/sql/query%5c..%5ctransform', 'forbidden-encoded-character'],
    ['POST', '/api/sql/query\\..\\transform', 'forbidden-character'],
    ['POST', '/api/sql/query%00', 'forbidden-encoded-character'],
    ['POST', '/api/sql/query%zz', 'bad-escape'],
    ['POST', '/api/sql/%c0%ae%c0%ae/transform/runs', 'bad-escape'],
    ['POST', 'http://edge.example/api/transform/runs', 'not-origin-form'],
  ];

  it.each(rejectedSpellings)('%s %s is rejected', async (method, target, problem) => {
    const callsBefore = standInEvents.calls;
    const response = await harness.send(method, target, { token: viewerToken, body: '{}' });

    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, details: { problem } });
    expect(standInEvents.calls).toBe(callsBefore);
  });

  it('upper-case prefixes are not routed', async () => {
    for (const target of ['/API/sql/query', '/Api/sql/query', '/api/SQL/query', '/AUTH/users']) {
      const response = await harness.send('POST', target, { token: viewerToken, body: '{}' });

      expect({ target, status: response.status }).toEqual({ target, status: 404 });
    }
  });

  it('an upper-case route name needs the stricter role', async () => {
    const response = await harness.send('POST', '/api/sql/QUERY', {
      token: viewerToken,
      body: '{}',
    });

    expect(response.status).toBe(403);
  });

  it('a trailing slash needs the stricter role', async () => {
    const response = await harness.send('POST', '/api/sql/query/', {
      token: viewerToken,
      body: '{}',
    });

    expect(response.status).toBe(403);
  });

  it('checks and forwards one canonical spelling', async () => {
    const response = await harness.send('POST', '/api/%73ql/%71uery?x=%2F', {
      token: viewerToken,
      body: '{}',
    });

    expect(response.status).toBe(200);
    expect(response.json<EchoedRequest>().url).toBe('/api/sql/query?x=%2F');
  });

  it('keeps encoded characters of a segment encoded', async () => {
    const token = await harness.sign({ roles: ['editor'] });
    const response = await harness.send('PATCH', '/api/sql/tables/t%201%C3%A9', {
      token,
      body: '{}',
    });

    expect(response.status).toBe(200);
    expect(response.json<EchoedRequest>().url).toBe('/api/sql/tables/t%201%C3%A9');
  });

  it('answers 404 for an unknown API prefix', async () => {
    const response = await harness.send('GET', '/api/secrets/all', { token: viewerToken });

    expect(response.status).toBe(404);
  });

  it('answers 405 for OPTIONS', async () => {
    const response = await harness.send('OPTIONS', '/api/sql/query', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });

    expect(response.status).toBe(405);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('drops internal headers from the browser', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      token: viewerToken,
      headers: {
        'x-rokks-internal': 'forged-secret-value-from-a-browser',
        'x-rokks-user': 'admin',
      },
    });
    const echoed = response.json<EchoedRequest>();

    expect(response.status).toBe(200);
    expect(echoed.headers['x-rokks-internal']).toBe(harness.edge.context.identity.internalSecret);
    expect(echoed.headers['x-rokks-user']).toBeUndefined();
    await harness.platform.logs.waitForRecord(
      (record) => record.msg === 'internal headers from outside dropped',
      2000,
    );
  });

  it('the internal secret does not replace a token', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      headers: { 'x-rokks-internal': harness.edge.context.identity.internalSecret },
    });

    expect(response.status).toBe(401);
  });

  it('sets forwarding headers and drops cookies', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      token: viewerToken,
      headers: {
        cookie: 'rokks_refresh=abc',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        'x-request-id': 'browser-chosen-id',
      },
    });
    const echoed = response.json<EchoedRequest>();

    expect(echoed.headers.cookie).toBeUndefined();
    expect(echoed.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echoed.headers['x-forwarded-proto']).toBe('http');
    expect(echoed.headers['x-request-id']).toBe(response.headers['x-request-id']);
  });

  it('puts a request id on every response', async () => {
    const responses = await Promise.all([
      harness.send('GET', '/api/sql/tables', { token: viewerToken }),
      harness.send('GET', '/api/sql/tables'),
      harness.send('GET', '//api'),
      harness.send('GET', '/api/%zz'),
      harness.send('GET', '/api/nothing'),
      harness.send('GET', '/'),
      harness.send('DELETE', '/'),
    ]);

    for (const response of responses) {
      expect(response.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('accepts a long path', async () => {
    const response = await harness.send('GET', `/api/sql/tables/${'a'.repeat(2000)}`, {
      token: viewerToken,
    });

    expect(response.status).toBe(404);
    expect(response.json<{ message: string }>().message).not.toContain('No route');
  });
});
