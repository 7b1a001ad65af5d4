import argon2 = require('argon2');
import { decodeJwt, decodeProtectedHeader } from 'jose';

import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  JwtVerifier,
  type JwtVerifierOptions,
} from '@rokks/auth-guard';

import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  AuthTestHarness,
  cookiePair,
} from '../testing/auth-test-harness';

describe('password sign-in', () => {
  let harness: AuthTestHarness;

  beforeAll(async () => {
    // Generous limits: the lockout has its own test file.
    harness = await AuthTestHarness.start({
      ROKKS_LOGIN_ACCOUNT_MAX_FAILURES: '1000',
      ROKKS_LOGIN_CLIENT_MAX_ATTEMPTS: '1000',
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  function verifier(): JwtVerifier {
    return new JwtVerifier({
      publicKeys: harness.client.identity
        .jwtPublicKeys as unknown as JwtVerifierOptions['publicKeys'],
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      clockSkewSeconds: 0,
    });
  }

  it('login returns an access token and user', async () => {
    const signedIn = await harness.login();
    const header = decodeProtectedHeader(signedIn.accessToken);
    const claims = decodeJwt(signedIn.accessToken);

    expect(signedIn.body.expiresIn).toBe(900);
    expect(signedIn.body.user).toEqual({
      id: expect.any(String),
      email: ADMIN_EMAIL,
      roles: ['admin'],
      workspace: 'default',
    });
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: harness.tokens.keyId });
    expect(claims).toMatchObject({
      iss: ACCESS_TOKEN_ISSUER,
      aud: ACCESS_TOKEN_AUDIENCE,
      sub: signedIn.body.user.id,
      email: ADMIN_EMAIL,
      roles: ['admin'],
      workspace: 'default',
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    await expect(verifier().verify(signedIn.accessToken)).resolves.toMatchObject({
      id: signedIn.body.user.id,
      roles: ['admin'],
    });
  });

  it('login sets an httpOnly refresh cookie', async () => {
    const response = await harness.call('POST', '/auth/login', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const cookie = response.headers
      .getSetCookie()
      .find((value) => value.startsWith('rokks_refresh='))!;

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/auth');
    expect(cookie).not.toContain('Secure');
  });

  it('login marks the cookie Secure over HTTPS', async () => {
    const response = await harness.call('POST', '/auth/login', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    const cookie = response.headers
      .getSetCookie()
      .find((value) => value.startsWith('rokks_refresh='))!;

    expect(response.status).toBe(200);
    expect(cookie).toContain('; Secure');
  });

  it('unknown e-mail and wrong password look alike', async () => {
    const unknown = await harness.call('POST', '/auth/login', {
      body: { email: 'nobody@example.com', password: ADMIN_PASSWORD },
    });
    const wrong = await harness.call('POST', '/auth/login', {
      body: { email: ADMIN_EMAIL, password: 'not the password at all' },
    });

    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.headers.getSetCookie()).toEqual([]);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it('unknown e-mail costs a password check', async () => {
    // The spy calls through: every sign-in below runs real argon2 work.
    const verify = jest.spyOn(argon2, 'verify');

    try {
      await harness.call('POST', '/auth/login', {
        body: { email: ADMIN_EMAIL, password: 'wrong password' },
      });
      expect(verify).toHaveBeenCalledTimes(1);

      await harness.call('POST', '/auth/login', {
        body: { email: 'someone-else@example.com', password: 'wrong password' },
      });
      expect(verify).toHaveBeenCalledTimes(2);
      // The unknown address is checked against an argon2id hash of the same cost.
      expect(String(verify.mock.calls[1][0])).toMatch(/^\$argon2id\$/);
    } finally {
      verify.mockRestore();
    }
  });

  it('login rejects a missing password with 400', async () => {
    const response = await harness.call('POST', '/auth/login', { body: { email: ADMIN_EMAIL } });
    const body = (await response.json()) as {
      statusCode: number;
      error: string;
      message: string;
      details: { problems: { field: string }[] };
    };

    expect(response.status).toBe(400);
    expect(body.error).toBe('Bad Request');
    expect(body.message).toContain('password');
    expect(body.details.problems[0].field).toBe('password');
  });

  it('me returns the signed-in user', async () => {
    const signedIn = await harness.login();
    const response = await harness.call('GET', '/auth/me', { token: signedIn.accessToken });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: signedIn.body.user.id,
      email: ADMIN_EMAIL,
      roles: ['admin'],
      workspace: 'default',
      workspaces: { default: ['admin'] },
    });
  });

  it('me rejects a refresh token as access token', async () => {
    const signedIn = await harness.login();
    const refreshToken = signedIn.refreshCookie.split('=')[1];
    const response = await harness.call('GET', '/auth/me', { token: refreshToken });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('me rejects an ID token as access token', async () => {
    const idToken = await harness.tokens.sign({
      type: 'JWT',
      audience: 'rokks-web',
      roles: ['admin'],
    });
    const response = await harness.call('GET', '/auth/me', { token: idToken });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('refresh rotates the refresh token', async () => {
    const signedIn = await harness.login();
    const first = await harness.call('POST', '/auth/refresh', { cookie: signedIn.refreshCookie });
    const rotated = cookiePair(first, 'rokks_refresh');
    const body = (await first.json()) as { accessToken: string; expiresIn: number };

    expect(first.status).toBe(200);
    expect(body.expiresIn).toBe(900);
    expect(rotated).not.toBe(signedIn.refreshCookie);
    expect(decodeJwt(body.accessToken).sid).toBe(decodeJwt(signedIn.accessToken).sid);

    const second = await harness.call('POST', '/auth/refresh', { cookie: rotated });

    expect(second.status).toBe(200);
  });

  it('refresh reuse revokes the session', async () => {
    const signedIn = await harness.login();
    const first = await harness.call('POST', '/auth/refresh', { cookie: signedIn.refreshCookie });
    const second = await harness.call('POST', '/auth/refresh', {
      cookie: cookiePair(first, 'rokks_refresh'),
    });
    const rotated = cookiePair(second, 'rokks_refresh');

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);

    // The first token again after a later rotation: someone copied it, so the whole family ends.
    const replay = await harness.call('POST', '/auth/refresh', { cookie: signedIn.refreshCookie });

    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie()[0]).toContain('Max-Age=0');

    const legitimate = await harness.call('POST', '/auth/refresh', { cookie: rotated });

    expect(legitimate.status).toBe(401);
    await harness.platform.logs.waitForRecord(
      (record) => record.msg === 'refresh token used twice; session revoked',
      2000,
    );
  });

  it('two tabs refreshing at once stay signed in', async () => {
    const signedIn = await harness.login();
    const [left, right] = await Promise.all([
      harness.call('POST', '/auth/refresh', { cookie: signedIn.refreshCookie }),
      harness.call('POST', '/auth/refresh', { cookie: signedIn.refreshCookie }),
    ]);

    expect(left.status).toBe(200);
    expect(right.status).toBe(200);

    const leftNext = await harness.call('POST', '/auth/refresh', { cookie: cookiePair(left, 'rokks_refresh') });
    const rightNext = await harness.call('POST', '/auth/refresh', { cookie: cookiePair(right, 'rokks_refresh') });

    expect(leftNext.status).toBe(200);
    expect(rightNext.status).toBe(200);
  });

  it('refresh without a cookie is 401', async () => {
    const missing = await harness.call('POST', '/auth/refresh');
    const forged = await harness.call('POST', '/auth/refresh', {
      cookie: 'rokks_refresh=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });

    expect(missing.status).toBe(401);
    expect(forged.status).toBe(401);
  });

  it('logout ends the session', async () => {
    const signedIn = await harness.login();
    const logout = await harness.call('POST', '/auth/logout', { cookie: signedIn.refreshCookie });

    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^rokks_refresh=; Path=\/auth; Max-Age=0/);

    const refresh = await harness.call('POST', '/auth/refresh', { cookie: signedIn.refreshCookie });

    expect(refresh.status).toBe(401);
  });

  it('logout without a session is 204', async () => {
    const response = await harness.call('POST', '/auth/logout');

    expect(response.status).toBe(204);
  });

  it('keeps tokens and passwords out of the logs', async () => {
    const signedIn = await harness.login();
    const refreshToken = signedIn.refreshCookie.split('=')[1];

    expect(
      harness.platform.logs.linesContaining([ADMIN_PASSWORD, signedIn.accessToken, refreshToken]),
    ).toEqual([]);
  });
});
