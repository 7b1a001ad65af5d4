import { SPA_CONTENT_SECURITY_POLICY } from '../security/security-headers';
import { EdgeTestHarness } from '../testing/edge-test-harness';
import { type OpenApiDocument } from './openapi-merger';

describe('edge platform routes', () => {
  let harness: EdgeTestHarness;

  beforeAll(async () => {
    harness = await EdgeTestHarness.start();
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  it('health is minimal without a token', async () => {
    const response = await harness.send('GET', '/api/health');

    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'degraded', checkedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('health is detailed for a signed-in user', async () => {
    const response = await harness.send('GET', '/api/health', { token: await harness.sign() });
    const body = response.json<{ status: string; services: { service: string }[] }>();

    expect(response.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.services.map((entry) => entry.service)).toEqual(['sql-gateway', 'ai']);
  });

  it('health rejects an invalid token', async () => {
    const response = await harness.send('GET', '/api/health', {
      token: await harness.sign({ expiresInSeconds: -10 }),
    });

    expect(response.status).toBe(401);
  });

  it('docs need a signed-in user', async () => {
    const response = await harness.send('GET', '/api/docs');

    expect(response.status).toBe(401);
  });

  it('docs merge the backends', async () => {
    const response = await harness.send('GET', '/api/docs', { token: await harness.sign() });
    const document = response.json<OpenApiDocument>();
    const paths = Object.keys(document.paths);

    expect(response.status).toBe(200);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/health',
        '/api/docs',
        '/api/sql/query',
        '/api/sql/tables',
        '/api/transform/runs',
        '/api/audit',
      ]),
    );
    expect(paths.filter((path) => !path.startsWith('/api/'))).toEqual([]);
    expect(document['x-rokks-unavailable']).toEqual(['auth', 'ai']);
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(['access-token']);
  });

  it('serves the SPA with its policy', async () => {
    const response = await harness.send('GET', '/');

    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Rokks</title>');
    expect(response.headers['content-security-policy']).toBe(SPA_CONTENT_SECURITY_POLICY);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('falls back to index.html for app routes', async () => {
    const response = await harness.send('GET', '/dashboards/42');

    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Rokks</title>');
  });

  it('serves a static file', async () => {
    const response = await harness.send('GET', '/app.js');

    expect(response.status).toBe(200);
    expect(response.body).toBe('console.log("rokks");');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for a missing asset', async () => {
    const response = await harness.send('GET', '/missing.js');

    expect(response.status).toBe(404);
  });

  it('answers 405 for a write to the SPA', async () => {
    const response = await harness.send('POST', '/dashboards', { body: '{}' });

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('sends security headers on API responses', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      token: await harness.sign(),
      headers: { origin: 'https://evil.example' },
    });

    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
