import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';
import { bootstrapService, type ServiceIdentity } from '@rokks/bootstrap';
import { createLogger } from '@rokks/logging';
import { createMeshCertificateAuthority, issueMeshCertificate, meshFetch } from '@rokks/mesh';

import { type RunningRegistry } from '../registry-app';
import { capture, RegistryHarness } from '../testing/registry-harness';

describe('registry access control', () => {
  const harness = new RegistryHarness();
  const secretValue = `admin-secret-${randomBytes(16).toString('hex')}`;
  let registry: RunningRegistry;
  let worker: ServiceIdentity;

  function internal(secret: string | undefined): Record<string, string> {
    return secret === undefined ? {} : { [INTERNAL_SECRET_HEADER]: secret };
  }

  beforeAll(async () => {
    registry = await harness.start();
    worker = await bootstrapService({
      service: 'worker',
      env: { ROKKS_REGISTRY_URL: registry.url },
      dataDir: path.join(harness.root, 'worker'),
      sharedDataDir: harness.root,
      logger: createLogger({ service: 'worker', destination: harness.logs }),
    });
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['wrong', randomBytes(32).toString('base64url')],
  ])('answers 401 when the internal secret is %s', async (_case, secret) => {
    const listing = await harness.request(registry, '/secrets', { headers: internal(secret) });
    const setting = await harness.request(registry, '/config/global/region', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...internal(secret) },
      body: JSON.stringify({ value: 'eu' }),
    });

    expect(listing.status).toBe(401);
    expect(setting.status).toBe(401);
    expect(registry.state.configEntries.list(null)).toEqual([]);
  });

  it('sets secrets without returning their values', async () => {
    const secret = internal(registry.state.platform.internalSecret);
    const set = await harness.request(registry, '/secrets/SMTP_PASSWORD', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...secret },
      body: JSON.stringify({ value: secretValue, services: ['sentinel'] }),
    });
    const listing = await harness.request(registry, '/secrets', { headers: secret });

    expect(set.status).toBe(200);
    expect(set.json).toEqual({
      name: 'SMTP_PASSWORD',
      services: ['sentinel'],
      updatedAt: expect.any(String),
    });
    expect(listing.json).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'SMTP_PASSWORD' })]),
    );
    expect(listing.text).not.toContain(secretValue);
    expect(listing.text).not.toContain(registry.state.platform.internalSecret);
    expect(registry.state.secrets.get('SMTP_PASSWORD')).toBe(secretValue);
  });

  it('rejects setting a registry-managed secret', async () => {
    const response = await harness.request(registry, '/secrets/ROKKS_INTERNAL_SERVICE_SECRET', {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...internal(registry.state.platform.internalSecret),
      },
      body: JSON.stringify({ value: randomBytes(32).toString('hex') }),
    });

    expect(response.status).toBe(400);
  });

  it('sets and resolves configuration', async () => {
    const secret = internal(registry.state.platform.internalSecret);
    const put = (relativePath: string, value: unknown) =>
      harness.request(registry, relativePath, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...secret },
        body: JSON.stringify({ value }),
      });

    expect((await put('/config/global/retries', 3)).status).toBe(200);
    expect((await put('/config/services/worker/retries', 5)).status).toBe(200);
    expect((await put('/config/services/Bad Name/retries', 5)).status).toBe(400);

    const worker = await harness.request(registry, '/config/services/worker', { headers: secret });

    expect(worker.json).toEqual({
      entries: [expect.objectContaining({ key: 'retries', service: 'worker', value: 5 })],
      resolved: { retries: 5 },
    });
    expect(
      (
        await harness.request(registry, '/config/global/retries', {
          method: 'DELETE',
          headers: secret,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await harness.request(registry, '/config/global/retries', {
          method: 'DELETE',
          headers: secret,
        })
      ).status,
    ).toBe(404);
  });

  it('stores identity providers with the client secret for auth only', async () => {
    const clientSecret = `idp-client-secret-${randomBytes(16).toString('hex')}`;
    const response = await harness.request(registry, '/identity-providers/google', {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...internal(registry.state.platform.internalSecret),
      },
      body: JSON.stringify({
        displayName: 'Google',
        issuer: 'https://accounts.google.com',
        clientId: 'client-id.apps.example',
        clientSecret,
      }),
    });

    expect(response.status).toBe(200);
    expect(response.json).toEqual(
      expect.objectContaining({
        id: 'google',
        clientSecretName: 'idp.google.client-secret',
        scopes: ['openid', 'email', 'profile'],
        enabled: true,
      }),
    );
    expect(response.text).not.toContain(clientSecret);
    expect(registry.state.secrets.valuesFor('auth')).toEqual(
      expect.objectContaining({ 'idp.google.client-secret': clientSecret }),
    );
    expect(registry.state.secrets.valuesFor('worker')).not.toHaveProperty(
      'idp.google.client-secret',
    );
    expect(harness.linesContaining([clientSecret])).toEqual([]);
  });

  it('requires a mesh client certificate for instances', async () => {
    const withoutCertificate = await harness.request(registry, '/instances', {
      headers: internal(registry.state.platform.internalSecret),
    });

    expect(withoutCertificate.status).toBe(401);
    expect(withoutCertificate.text).toContain('client certificate');
  });

  it('requires the internal secret for instances over mutual TLS', async () => {
    const call = meshFetch({ ...worker, internalSecret: randomBytes(32).toString('base64url') });

    try {
      const response = await capture(await call(`${registry.url}/instances`));

      expect(response.status).toBe(401);
    } finally {
      await call.close();
    }
  });

  // The registry only requests client certificates (services call POST
  // /bootstrap before they have one), so the route guard rejects this one.
  it('answers 401 to a client certificate from another CA', async () => {
    const foreignAuthority = await createMeshCertificateAuthority();
    const foreign = await issueMeshCertificate(foreignAuthority, { service: 'worker' });
    const call = meshFetch({
      ...worker,
      certificatePem: foreign.certificatePem,
      privateKeyPem: foreign.privateKeyPem,
    });

    try {
      const response = await capture(await call(`${registry.url}/instances`));

      expect(response.status).toBe(401);
      expect(response.text).toContain('client certificate');
    } finally {
      await call.close();
    }
  });

  it('serves the health check and the API docs without credentials', async () => {
    const health = await harness.request(registry, '/health');
    const docs = await harness.request(registry, '/docs-json');

    expect(health.status).toBe(200);
    expect(health.json).toEqual(expect.objectContaining({ status: 'ok' }));
    expect(docs.status).toBe(200);
    expect(Object.keys((docs.json as { paths: object }).paths)).toEqual(
      expect.arrayContaining([
        '/bootstrap',
        '/bootstrap/renew',
        '/instances',
        '/secrets/{name}',
        '/health',
      ]),
    );
  });

  it('never logs a secret value', () => {
    const secrets = [
      secretValue,
      registry.state.platform.internalSecret,
      harness.bootstrapToken(),
      worker.privateKeyPem,
    ];

    expect(harness.linesContaining(secrets)).toEqual([]);
  });
});
