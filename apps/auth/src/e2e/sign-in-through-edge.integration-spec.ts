import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

import { Controller, Get, Module } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { fetch, type Response } from 'undici';

import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  type AuthenticatedUser,
  CurrentUser,
  Roles,
} from '@rokks/auth-guard';
import { buildProjects, workspaceRoot } from '@rokks/testing';

import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthTestHarness } from '../testing/auth-test-harness';

const ACCESS_TOKEN_TTL_SECONDS = 3;

@Controller('api/sql')
class TablesController {
  @Get('tables')
  @Roles('viewer')
  tables(@CurrentUser() user: AuthenticatedUser): { user: AuthenticatedUser } {
    return { user };
  }
}

/** A backend behind the edge, checking tokens with the service kit's guard. */
@Module({ controllers: [TablesController] })
class TablesModule {}

describe('sign-in through the edge', () => {
  let harness: AuthTestHarness;
  let edge: ChildProcess;
  let buildDir: string;
  let edgeUrl: string;

  beforeAll(async () => {
    harness = await AuthTestHarness.start({
      ROKKS_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
    });
    await harness.platform.startService({
      service: 'sql-gateway',
      module: TablesModule,
      description: 'Backend under test.',
      userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
    });

    // The edge is another app, so it runs from its build in a child process.
    buildDir = await buildProjects(['edge']);
    edge = spawn(process.execPath, [path.join(buildDir, 'apps/edge/src/main.js')], {
      cwd: workspaceRoot(),
      env: {
        PATH: process.env.PATH,
        ...harness.platform.serviceEnv({
          ROKKS_LOG_LEVEL: 'info',
          ROKKS_EDGE_CLOCK_SKEW_SECONDS: '0',
          ROKKS_EDGE_SPA_DIR: path.join(buildDir, 'no-spa'),
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    harness.platform.logs.attach(edge.stdout!, 'edge');
    harness.platform.logs.attach(edge.stderr!, 'edge-stderr');

    const started = await harness.platform.logs.waitForRecord(
      (record) => record.source === 'edge' && record.msg === 'service started',
      30_000,
    );

    edgeUrl = started.publicUrl as string;
  }, 90_000);

  afterAll(async () => {
    if (edge !== undefined && edge.exitCode === null) {
      const exited = new Promise((resolve) => edge.once('exit', resolve));

      edge.kill('SIGTERM');
      await exited;
    }

    await harness?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  function browser(
    method: string,
    target: string,
    options: { token?: string; cookie?: string; body?: unknown } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};

    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }

    if (options.cookie !== undefined) {
      headers.cookie = options.cookie;
    }

    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }

    return fetch(`${edgeUrl}${target}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'manual',
    });
  }

  async function signIn(
    email: string,
    password: string,
  ): Promise<{ accessToken: string; cookie: string }> {
    const response = await browser('POST', '/auth/login', { body: { email, password } });
    const setCookie = response.headers.getSetCookie()[0];

    expect(response.status).toBe(200);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).not.toContain('Secure');

    return {
      accessToken: ((await response.json()) as { accessToken: string }).accessToken,
      cookie: setCookie.split(';')[0],
    };
  }

  it('a disabled user loses access within the token lifetime', async () => {
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const created = await browser('POST', '/auth/users', {
      token: admin.accessToken,
      body: { email: 'analyst@example.com', password: 'analyst password 1', roles: ['viewer'] },
    });
    const userId = ((await created.json()) as { id: string }).id;

    expect(created.status).toBe(201);

    const user = await signIn('analyst@example.com', 'analyst password 1');
    const tables = await browser('GET', '/api/sql/tables', { token: user.accessToken });

    expect(tables.status).toBe(200);
    expect(((await tables.json()) as { user: AuthenticatedUser }).user).toMatchObject({
      id: userId,
      roles: ['viewer'],
    });

    const refreshed = await browser('POST', '/auth/refresh', { cookie: user.cookie });
    const token = ((await refreshed.json()) as { accessToken: string }).accessToken;
    const cookie = refreshed.headers.getSetCookie()[0].split(';')[0];

    expect(refreshed.status).toBe(200);

    const disabled = await browser('PATCH', `/auth/users/${userId}`, {
      token: admin.accessToken,
      body: { disabled: true },
    });

    expect(disabled.status).toBe(200);
    expect((await browser('POST', '/auth/refresh', { cookie })).status).toBe(401);
    expect((await browser('GET', '/auth/me', { token })).status).toBe(401);

    // Until it expires, the token still opens the backend, as every stateless token does.
    expect((await browser('GET', '/api/sql/tables', { token })).status).toBe(200);

    const expiresAt = (decodeJwt(token).exp as number) * 1000;

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1100));

    const afterExpiry = await browser('GET', '/api/sql/tables', { token });

    expect(afterExpiry.status).toBe(401);
    expect(afterExpiry.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  }, 30_000);

  it('sign-out through the edge ends the session', async () => {
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const me = await browser('GET', '/auth/me', { token: admin.accessToken });
    const logout = await browser('POST', '/auth/logout', { cookie: admin.cookie });

    expect(me.status).toBe(200);
    expect(me.headers.get('x-request-id')).toMatch(/.+/);
    expect(logout.status).toBe(204);
    expect((await browser('POST', '/auth/refresh', { cookie: admin.cookie })).status).toBe(401);
  });

  it('the edge forwards the browser address to the login limits', async () => {
    await browser('POST', '/auth/login', {
      body: { email: 'nobody@example.com', password: 'wrong password 1' },
    });

    const record = await harness.platform.logs.waitForRecord(
      (line) =>
        line.source === 'auth' && line.msg === 'login failed' && line.reason === 'unknown-email',
      3000,
    );

    expect(record.client).toBe('127.0.0.1');
  });
});
