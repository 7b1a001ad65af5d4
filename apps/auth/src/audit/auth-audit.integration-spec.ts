import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildProjects, ServiceProcess } from '@rokks/testing';

import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthTestHarness, type SignedIn } from '../testing/auth-test-harness';

interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

describe('auth audit entries', () => {
  let harness: AuthTestHarness;
  let buildDir: string | undefined;
  let worker: ServiceProcess | undefined;
  let admin: SignedIn;
  let auditorToken: string;

  beforeAll(async () => {
    harness = await AuthTestHarness.start();
    buildDir = await buildProjects(['worker']);
    worker = await ServiceProcess.start(harness.platform, buildDir, 'worker');
    admin = await harness.login();
    auditorToken = await harness.tokens.sign({ subject: 'auditor-1', roles: ['admin'] });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await harness?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  async function readAudit(action: string): Promise<AuditEntry[]> {
    const response = await harness.client(`${worker!.meshUrl}/api/audit?action=${action}&limit=500`, {
      headers: { authorization: `Bearer ${auditorToken}` },
    });

    expect(response.status).toBe(200);

    return ((await response.json()) as { entries: AuditEntry[] }).entries;
  }

  /** Reads the audit log until an entry of this action matches, because the auth service sends entries after it responds. */
  async function auditEntry(action: string, matches: (entry: AuditEntry) => boolean): Promise<AuditEntry> {
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
    const byTarget = (candidate: AuditEntry) => candidate.target === userId;

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
});
