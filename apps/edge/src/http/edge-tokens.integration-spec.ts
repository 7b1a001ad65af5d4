import { SignJWT } from 'jose';

import { TestTokenIssuer } from '@rokks/testing';

import { EdgeTestHarness } from '../testing/edge-test-harness';
import { type EchoedRequest, standInEvents } from '../testing/stand-in-backend';

describe('edge access tokens', () => {
  let harness: EdgeTestHarness;

  beforeAll(async () => {
    harness = await EdgeTestHarness.start();
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  /** Calls a viewer route with the token and expects the edge to refuse it without calling the backend. */
  async function expectRejected(
    token: string,
    expectedChallenge = 'Bearer error="invalid_token"',
  ): Promise<void> {
    const callsBefore = standInEvents.calls;
    const response = await harness.send('GET', '/api/sql/tables', { token });

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(expectedChallenge);
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(standInEvents.calls).toBe(callsBefore);
  }

  it('forwards a valid token', async () => {
    const token = await harness.sign({ subject: 'viewer-1', roles: ['viewer'] });
    const response = await harness.send('GET', '/api/sql/tables?limit=5', { token });
    const echoed = response.json<EchoedRequest>();

    expect(response.status).toBe(200);
    expect(echoed.url).toBe('/api/sql/tables?limit=5');
    expect(echoed.headers.authorization).toBe(`Bearer ${token}`);
    expect(echoed.user).toEqual({
      id: 'viewer-1',
      email: 'viewer@example.com',
      roles: ['viewer'],
      workspace: 'default',
    });
  });

  it('rejects alg none', async () => {
    const encode = (value: object): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${encode({ alg: 'none', typ: 'at+jwt', kid: harness.tokens.keyId })}.${encode({
      sub: 'attacker',
      email: 'a@example.com',
      roles: ['admin'],
      iss: 'rokks-auth',
      aud: 'rokks-api',
      iat: now,
      exp: now + 600,
    })}.`;

    await expectRejected(token);
  });

  it('rejects HS256 signed with the public key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      email: 'a@example.com',
      roles: ['admin'],
      workspace: 'default',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: harness.tokens.keyId })
      .setSubject('attacker')
      .setIssuer('rokks-auth')
      .setAudience('rokks-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(harness.tokens.publicKeyPem));

    await expectRejected(token);
  });

  it('rejects an expired token', async () => {
    await expectRejected(await harness.sign({ expiresInSeconds: -5 }));
  });

  it('stops accepting a token when it expires', async () => {
    const token = await harness.sign({ expiresInSeconds: 2 });

    expect((await harness.send('GET', '/api/sql/tables', { token })).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 2100));

    await expectRejected(token);
  });

  it('rejects a token not yet valid', async () => {
    await expectRejected(await harness.sign({ notBeforeSeconds: 120 }));
  });

  it('rejects a wrong audience', async () => {
    await expectRejected(await harness.sign({ audience: 'another-api' }));
  });

  it('rejects a wrong issuer', async () => {
    await expectRejected(await harness.sign({ issuer: 'https://evil.example' }));
  });

  it('rejects an unknown key id', async () => {
    await expectRejected(await harness.sign({ keyId: 'no-such-key' }));
  });

  it('rejects a token from another key', async () => {
    await expectRejected(await TestTokenIssuer.create().sign({ roles: ['admin'] }));
  });

  it('rejects a refresh token as access token', async () => {
    // The auth service's refresh tokens are `<22 base64url>.<43 base64url>`.
    await expectRejected(
      '3qk2ZK3gq0xT1Hx4n5yQ9w.lR0dVq9v2W7nM4kqL8zY1pX6cB3eH5tJ0aS2dF7gU4i',
      'Bearer error="invalid_request"',
    );
  });

  it('rejects an ID token as access token', async () => {
    await expectRejected(await harness.sign({ type: 'JWT', audience: 'rokks-web' }));
  });

  it('rejects a missing Authorization header', async () => {
    const response = await harness.send('GET', '/api/sql/tables');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('rejects an empty Authorization header', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      headers: { authorization: '' },
    });

    expect(response.status).toBe(401);
  });

  it('rejects a doubled Authorization header', async () => {
    const token = await harness.sign();
    const response = await harness.send('GET', '/api/sql/tables', {
      headers: ['authorization', `Bearer ${token}`, 'authorization', `Bearer ${token}`],
    });

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_request"');
  });

  it('rejects another scheme', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });

    expect(response.status).toBe(401);
  });

  it('viewer may run a read-only query', async () => {
    const token = await harness.sign({ roles: ['viewer'] });
    const response = await harness.send('POST', '/api/sql/query', {
      token,
      body: JSON.stringify({ sql: 'select 1' }),
    });

    expect(response.status).toBe(200);
    expect(response.json<EchoedRequest>().body).toEqual({ sql: 'select 1' });
  });

  it('viewer cannot rename a table', async () => {
    const token = await harness.sign({ roles: ['viewer'] });
    const callsBefore = standInEvents.calls;
    const response = await harness.send('PATCH', '/api/sql/tables/t_1', {
      token,
      body: JSON.stringify({ name: 'x' }),
    });

    expect(response.status).toBe(403);
    expect(response.json<{ message: string }>().message).toContain('editor');
    expect(standInEvents.calls).toBe(callsBefore);
  });

  it('viewer cannot start a load', async () => {
    const token = await harness.sign({ roles: ['viewer'] });
    const response = await harness.send('POST', '/api/transform/runs', {
      token,
      body: JSON.stringify({
        fileId: 'f',
        spec: { steps: [] },
        target: { table: 't', mode: 'create' },
      }),
    });

    expect(response.status).toBe(403);
  });

  it('editor may rename a table', async () => {
    const token = await harness.sign({ roles: ['editor'] });
    const response = await harness.send('PATCH', '/api/sql/tables/t_1', {
      token,
      body: JSON.stringify({ name: 'x' }),
    });

    expect(response.status).toBe(200);
    expect(response.json<EchoedRequest>().url).toBe('/api/sql/tables/t_1');
  });

  it('audit needs an admin', async () => {
    const editor = await harness.send('GET', '/api/audit', {
      token: await harness.sign({ roles: ['editor'] }),
    });
    const admin = await harness.send('GET', '/api/audit?limit=1', {
      token: await harness.sign({ roles: ['admin'] }),
    });

    expect(editor.status).toBe(403);
    expect(admin.status).toBe(200);
  });

  it('user management needs an admin', async () => {
    const response = await harness.send('GET', '/auth/users', {
      token: await harness.sign({ roles: ['editor'] }),
    });

    expect(response.status).toBe(403);
  });

  it('a token without roles gets 403', async () => {
    const response = await harness.send('GET', '/api/sql/tables', {
      token: await harness.sign({ roles: [] }),
    });

    expect(response.status).toBe(403);
  });
});
