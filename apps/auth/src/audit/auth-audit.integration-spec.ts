import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type AuditEntryView } from '@rokks/gateway-clients';
import { buildProjects, ServiceProcess } from '@rokks/testing';

import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthTestHarness, cookiePair, type SignedIn } from '../testing/auth-test-harness';
import { TestIdentityProvider } from '../testing/test-identity-provider';

const PUBLIC_URL = 'http://localhost:3000';
const IDP_CLIENT_ID = 'rokks-audit-client';
const IDP_CLIENT_SECRET = 'audit-client-secret-0c4b8e2a6f1d3b5c7e9a';
/** Attempts one client may make per minute; the default client of `harness.login` stays below it. */
const CLIENT_MAX_ATTEMPTS = 4;
const ACCOUNT_MAX_FAILURES = 3;

describe('auth audit entries', () => {
  let harness: AuthTestHarness;
  let buildDir: string | undefined;
  let worker: ServiceProcess | undefined;
  let admin: SignedIn;
  let auditorToken: string;
  let provider: TestIdentityProvider;
  let idpDirectory: string;

  beforeAll(async () => {
    idpDirectory = mkdtempSync(path.join(tmpdir(), 'rokks-audit-idp-'));
    provider = await TestIdentityProvider.start({
      clientId: IDP_CLIENT_ID,
      clientSecret: IDP_CLIENT_SECRET,
      redirectUris: [`${PUBLIC_URL}/auth/oidc/test/callback`],
      directory: idpDirectory,
    });
    // The worker is not running yet, so the initial administrator's entry waits in the auth database until it is.
    harness = await AuthTestHarness.start({
      ROKKS_PUBLIC_URL: PUBLIC_URL,
      ROKKS_OIDC_CA_FILE: provider.caFile,
      ROKKS_OIDC_ALLOWED_DOMAINS: 'example.org',
      ROKKS_LOGIN_CLIENT_MAX_ATTEMPTS: String(CLIENT_MAX_ATTEMPTS),
      ROKKS_LOGIN_CLIENT_WINDOW_SECONDS: '60',
      ROKKS_LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX_FAILURES),
      ROKKS_LOGIN_LOCKOUT_SECONDS: '60',
    });

    const registered = await harness.client(`${harness.platform.registry.url}/identity-providers/test`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        displayName: 'Test provider',
        issuer: provider.issuer,
        clientId: IDP_CLIENT_ID,
        clientSecret: IDP_CLIENT_SECRET,
        scopes: ['openid', 'email'],
      }),
    });

    expect(registered.status).toBe(200);
    buildDir = await buildProjects(['worker']);
    worker = await ServiceProcess.start(harness.platform, buildDir, 'worker');
    admin = await harness.login();
    auditorToken = await harness.tokens.sign({ subject: 'auditor-1', roles: ['admin'] });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await harness?.dispose();
    await provider?.close();
    rmSync(idpDirectory, { recursive: true, force: true });

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  async function readAudit(action: string): Promise<AuditEntryView[]> {
    const response = await harness.client(`${worker!.meshUrl}/api/audit?action=${action}&limit=500`, {
      headers: { authorization: `Bearer ${auditorToken}` },
    });

    expect(response.status).toBe(200);

    return ((await response.json()) as { entries: AuditEntryView[] }).entries;
  }

  /** Reads the audit log until an entry of this action matches, because the auth service sends entries after it responds. */
  async function auditEntry(action: string, matches: (entry: AuditEntryView) => boolean): Promise<AuditEntryView> {
    for (;;) {
      const found = (await readAudit(action)).find(matches);

      if (found !== undefined) {
        return found;
      }

      await sleep(100);
    }
  }

  it('records a password sign-in', async () => {
    const entry = await auditEntry('auth.signed_in', (candidate) => candidate.actor === admin.body.user.id);

    expect(entry.target).toBe(admin.body.user.id);
    expect(entry.details).toMatchObject({ method: 'local', workspace: 'default' });
  });

  it('records a wrong password without it', async () => {
    const password = 'not the admin password at all';
    const response = await harness.call('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password }, client: '192.0.2.50' });

    expect(response.status).toBe(401);

    const entry = await auditEntry('auth.sign_in_failed', (candidate) => candidate.actor === admin.body.user.id);

    expect(entry.target).toBe(admin.body.user.id);
    expect(entry.details).toEqual({ method: 'local', reason: 'wrong-password', locked: false });
    expect(JSON.stringify(entry)).not.toContain(password);
    expect(JSON.stringify(entry)).not.toContain(ADMIN_PASSWORD);
  });

  it('records an unknown e-mail without it', async () => {
    const email = 'nobody-here@example.com';
    const response = await harness.call('POST', '/auth/login', { body: { email, password: 'whatever it is' }, client: '192.0.2.51' });

    expect(response.status).toBe(401);

    const entry = await auditEntry('auth.sign_in_failed', (candidate) => candidate.actor === 'anonymous');

    expect(entry.target).toBeNull();
    expect(entry.details).toEqual({ method: 'local', reason: 'unknown-email', locked: false });
    expect(JSON.stringify(entry)).not.toContain('nobody-here');
    expect(JSON.stringify(entry)).not.toContain('whatever it is');
  });

  it('records a failed provider sign-in', async () => {
    const response = await harness.call('GET', '/auth/oidc/test-idp/callback?state=forged-state&code=some-code');

    expect(response.status).toBe(302);

    const entry = await auditEntry('auth.sign_in_failed', (candidate) => (candidate.details as { method?: string }).method === 'oidc');

    expect(entry).toMatchObject({ actor: 'anonymous', target: null });
    expect(entry.details).toEqual({ method: 'oidc', provider: 'test-idp', reason: 'invalid-state' });
  });

  it('records a logout', async () => {
    const signedIn = await harness.login();

    expect((await harness.call('POST', '/auth/logout', { cookie: signedIn.refreshCookie })).status).toBe(204);

    const entry = await auditEntry('auth.signed_out', (candidate) => candidate.actor === admin.body.user.id);

    expect(entry.target).toBe(admin.body.user.id);
    expect(entry.details).toEqual({ sessionId: expect.any(String) as unknown });
  });

  it('records user and role changes', async () => {
    const userId = await harness.createUser(admin.accessToken, 'analyst@example.com', 'a long enough password 1', ['viewer']);
    const byTarget = (candidate: AuditEntryView) => candidate.target === userId;

    expect((await harness.call('PATCH', `/auth/users/${userId}`, { token: admin.accessToken, body: { roles: ['editor'] } })).status).toBe(200);
    expect((await harness.call('PATCH', `/auth/users/${userId}`, { token: admin.accessToken, body: { disabled: true } })).status).toBe(200);
    expect((await harness.call('DELETE', `/auth/users/${userId}`, { token: admin.accessToken })).status).toBe(204);

    const created = await auditEntry('user.created', byTarget);
    const rolesChanged = await auditEntry('user.roles_changed', byTarget);
    const disabled = await auditEntry('user.disabled', byTarget);
    const deleted = await auditEntry('user.deleted', byTarget);

    expect(created).toMatchObject({ actor: admin.body.user.id, details: { workspace: 'default', roles: ['viewer'], hasPassword: true } });
    expect(rolesChanged).toMatchObject({ actor: admin.body.user.id, details: { workspace: 'default', from: ['viewer'], to: ['editor'] } });
    expect(disabled.actor).toBe(admin.body.user.id);
    expect(deleted.actor).toBe(admin.body.user.id);
    expect(JSON.stringify(created)).not.toContain('a long enough password 1');
  });

  // The service sends the pending entry in rounds about 5 s apart, so it may arrive a round after the worker started.
  it('records the initial administrator', async () => {
    const entry = await auditEntry('user.created', (candidate) => candidate.target === admin.body.user.id);

    expect(entry.actor).toBe('system');
    expect(entry.details).toEqual({
      workspace: 'default',
      roles: ['admin'],
      hasPassword: true,
      initialAdmin: true,
      passwordGenerated: false,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as unknown,
    });
    expect(JSON.stringify(entry)).not.toContain(ADMIN_PASSWORD);
  }, 30_000);

  it('records a user created by provider sign-in', async () => {
    provider.nextAccount = provider.addAccount({ subject: 'grace-1', email: 'grace@example.org', emailVerified: true });

    const start = await harness.call('GET', '/auth/oidc/test/start?returnTo=%2F');

    expect(start.status).toBe(302);

    const callback = await provider.authorize(start.headers.get('location')!);
    const finished = await harness.call('GET', `/auth/oidc/test/callback${callback.search}`, { cookie: cookiePair(start, 'rokks_oidc') });

    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toBe('/');

    const users = await harness.call('GET', '/auth/users', { token: admin.accessToken });
    const grace = ((await users.json()) as { id: string; email: string }[]).find((user) => user.email === 'grace@example.org');

    expect(grace).toBeDefined();

    const created = await auditEntry('user.created', (candidate) => candidate.target === grace!.id);
    const signedIn = await auditEntry('auth.signed_in', (candidate) => candidate.actor === grace!.id);

    expect(created.actor).toBe(grace!.id);
    expect(created.details).toEqual({ workspace: 'default', roles: ['viewer'], hasPassword: false, method: 'oidc', provider: 'test' });
    expect(signedIn.details).toMatchObject({ method: 'oidc', provider: 'test' });
    expect(JSON.stringify(created)).not.toContain(callback.searchParams.get('code')!);
  });

  /** Counts the entries of `action` that match, once the entry `marker` shows that the attempts before it were handled. */
  async function countAfter(action: string, matches: (entry: AuditEntryView) => boolean, marker: (entry: AuditEntryView) => boolean): Promise<number> {
    await auditEntry('auth.sign_in_failed', marker);

    return (await readAudit(action)).filter(matches).length;
  }

  it('records a throttled client once per period', async () => {
    const client = '198.51.100.20';
    const statuses: number[] = [];

    for (let index = 0; index < CLIENT_MAX_ATTEMPTS; index += 1) {
      statuses.push((await harness.call('POST', '/auth/login', { body: { email: `guess-${index}@example.com`, password: 'a guessed password' }, client })).status);
    }

    // The right password is rejected as well while the client is throttled.
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await harness.call('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, client })).status);
    }

    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429]);

    const isThrottled = (candidate: AuditEntryView) => (candidate.details as { reason?: string }).reason === 'too-many-attempts';
    const entry = await auditEntry('auth.sign_in_failed', isThrottled);

    expect(entry).toMatchObject({ actor: admin.body.user.id, target: admin.body.user.id });
    expect(entry.details).toEqual({ method: 'local', reason: 'too-many-attempts', retryAfterSeconds: expect.any(Number) as unknown });
    expect(JSON.stringify(entry)).not.toContain(ADMIN_PASSWORD);
    expect(JSON.stringify(entry)).not.toContain(client);

    // A wrong password from another client marks the end. The rejections before it gave one entry.
    const markerClient = '198.51.100.21';

    expect((await harness.call('POST', '/auth/login', { body: { email: 'marker-1@example.com', password: 'x'.repeat(12) }, client: markerClient })).status).toBe(401);
    expect(await countAfter('auth.sign_in_failed', isThrottled, (candidate) => candidate.id > entry.id && candidate.actor === 'anonymous')).toBe(1);
  });

  it('records a locked account once per lockout', async () => {
    const email = 'locked-out@example.com';
    const password = 'the real password of locked-out';
    const userId = await harness.createUser(admin.accessToken, email, password, ['viewer']);
    const statuses: number[] = [];

    // A new client for each attempt, so only the account's limit applies.
    for (let index = 0; index < ACCOUNT_MAX_FAILURES; index += 1) {
      statuses.push((await harness.call('POST', '/auth/login', { body: { email, password: 'a wrong password' }, client: `203.0.113.${10 + index}` })).status);
    }

    for (let index = 0; index < 3; index += 1) {
      statuses.push((await harness.call('POST', '/auth/login', { body: { email, password }, client: `203.0.113.${20 + index}` })).status);
    }

    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);

    const isThrottled = (candidate: AuditEntryView) => candidate.target === userId && (candidate.details as { reason?: string }).reason === 'account-locked';
    const locking = await auditEntry('auth.sign_in_failed', (candidate) => candidate.target === userId && (candidate.details as { locked?: boolean }).locked === true);
    const entry = await auditEntry('auth.sign_in_failed', isThrottled);

    expect(locking.details).toEqual({ method: 'local', reason: 'wrong-password', locked: true });
    expect(entry.actor).toBe(userId);
    expect(entry.details).toEqual({ method: 'local', reason: 'account-locked', retryAfterSeconds: expect.any(Number) as unknown });
    expect((entry.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(JSON.stringify(entry)).not.toContain(password);
    expect(JSON.stringify(entry)).not.toContain(email);

    expect((await harness.call('POST', '/auth/login', { body: { email: 'marker-2@example.com', password: 'x'.repeat(12) }, client: '203.0.113.30' })).status).toBe(401);
    expect(await countAfter('auth.sign_in_failed', isThrottled, (candidate) => candidate.id > entry.id && candidate.actor === 'anonymous')).toBe(1);
  });
});
