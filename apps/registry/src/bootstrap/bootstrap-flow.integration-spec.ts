import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import Fastify from 'fastify';

import {
  BOOTSTRAP_TOKEN_HEADER,
  bootstrapService,
  RegistryClient,
  type ServiceIdentity,
} from '@rokks/bootstrap';
import { createLogger } from '@rokks/logging';
import { certificateFingerprint, httpsServerOptions, meshFetch } from '@rokks/mesh';

import { type RunningRegistry } from '../registry-app';
import { RegistryHarness } from '../testing/registry-harness';

const FAST_RETRY = { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 };

describe('bootstrap against a running registry', () => {
  const harness = new RegistryHarness();
  const serviceLogger = createLogger({
    service: 'worker',
    level: 'debug',
    destination: harness.logs,
  });
  const apiKey = `bootstrap-api-key-${randomBytes(16).toString('hex')}`;
  const issuedPrivateKeys: string[] = [];
  let registry: RunningRegistry;

  function bootstrap(service: string, env: Record<string, string> = {}): Promise<ServiceIdentity> {
    return bootstrapService({
      service,
      env: { ROKKS_REGISTRY_URL: registry.url, ...env },
      dataDir: path.join(harness.root, service),
      sharedDataDir: harness.root,
      logger: serviceLogger,
      retry: FAST_RETRY,
    }).then((identity) => {
      issuedPrivateKeys.push(identity.privateKeyPem);

      return identity;
    });
  }

  beforeAll(async () => {
    registry = await harness.start({ ROKKS_INSTANCE_TTL_SECONDS: '3' });
    registry.state.secrets.set('API_KEY', apiKey, ['worker']);
    registry.state.configEntries.set(null, 'region', 'eu-west');
    registry.state.configEntries.set(null, 'batchSize', 100);
    registry.state.configEntries.set('worker', 'batchSize', 500);
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('returns a working identity', async () => {
    const identity = await bootstrap('worker');
    const certificate = new X509Certificate(identity.certificatePem);

    expect(identity.source).toBe('registry');
    expect(identity.service).toBe('worker');
    expect(identity.caFingerprint).toBe(registry.caFingerprint);
    expect(certificate.subject).toBe('CN=worker');
    expect(certificate.checkPrivateKey(createPrivateKey(identity.privateKeyPem))).toBe(true);
    expect(certificate.verify(new X509Certificate(identity.caCertificatePem).publicKey)).toBe(true);
    expect(Date.parse(identity.expiresAt) - Date.now()).toBeGreaterThan(23 * 60 * 60 * 1000);
    expect(identity.internalSecret).toBe(registry.state.platform.internalSecret);
    expect(identity.config).toEqual({ region: 'eu-west', batchSize: 500 });
    expect(identity.secrets).toEqual({ API_KEY: apiKey });
    expect(identity.jwtPublicKeys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' }),
    ]);
    expect(identity.jwtPublicKeys[0]).not.toHaveProperty('d');
  });

  it('gives secrets only to entitled services', async () => {
    const edge = await bootstrap('edge');
    const auth = await bootstrap('auth');

    expect(edge.secrets).toEqual({});
    expect(Object.keys(auth.secrets)).toEqual(['ROKKS_JWT_PRIVATE_KEY']);
  });

  it('lets two services talk over mutual TLS', async () => {
    const worker = await bootstrap('worker');
    const edge = await bootstrap('edge');
    const server = Fastify(httpsServerOptions(worker));

    server.get('/ping', () => ({ pong: true }));
    await server.listen({ host: '127.0.0.1', port: 0 });

    const call = meshFetch(edge);

    try {
      const { port } = server.server.address() as { port: number };
      const response = await call(`https://localhost:${port}/ping`);

      expect(await response.json()).toEqual({ pong: true });
    } finally {
      await call.close();
      await server.close();
    }
  });

  it('answers 401 to a missing or wrong token', async () => {
    const missing = await harness.request(registry, '/bootstrap', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'worker' }),
    });
    const wrong = await harness.request(registry, '/bootstrap', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [BOOTSTRAP_TOKEN_HEADER]: randomBytes(32).toString('base64url'),
      },
      body: JSON.stringify({ service: 'worker' }),
    });

    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('BEGIN');
    await expect(
      bootstrap('worker', {
        ROKKS_BOOTSTRAP_TOKEN: 'x'.repeat(10) + randomBytes(16).toString('hex'),
      }),
    ).rejects.toThrow(expect.objectContaining({ code: 'TOKEN_REJECTED' }));
  });

  it('answers 400 to an invalid service name', async () => {
    const response = await harness.request(registry, '/bootstrap', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [BOOTSTRAP_TOKEN_HEADER]: harness.bootstrapToken(),
      },
      body: JSON.stringify({ service: 'Not A Service' }),
    });

    expect(response.status).toBe(400);
    expect(response.json).toEqual(
      expect.objectContaining({ problems: [expect.objectContaining({ field: 'service' })] }),
    );
  });

  it('rejects a registry with an unpinned CA', async () => {
    await expect(
      bootstrap('worker', { ROKKS_REGISTRY_CA_FINGERPRINT: 'ab'.repeat(32) }),
    ).rejects.toThrow(expect.objectContaining({ code: 'CA_FINGERPRINT_MISMATCH' }));
  });

  it('registers, lists, renews and deregisters an instance', async () => {
    const worker = await bootstrap('worker');
    const client = new RegistryClient(worker, {
      logger: serviceLogger,
      dataDir: path.join(harness.root, 'worker'),
    });

    try {
      const registration = await client.register('https://worker:4100');

      expect(registration.ttlSeconds).toBe(3);
      expect(registration.heartbeatIntervalSeconds).toBe(1);
      expect(registration.instance.certificateFingerprint).toBe(
        certificateFingerprint(worker.certificatePem),
      );
      expect((await client.listInstances()).map((instance) => instance.url)).toContain(
        'https://worker:4100',
      );

      const renewed = await client.renew();

      expect(renewed.certificatePem).not.toBe(worker.certificatePem);
      expect(client.identity).toBe(renewed);
      issuedPrivateKeys.push(renewed.privateKeyPem);
      await client.heartbeat();

      const [listed] = (await client.listInstances()).filter(
        (instance) => instance.id === registration.instance.id,
      );

      expect(listed.certificateFingerprint).toBe(certificateFingerprint(renewed.certificatePem));
      expect((await bootstrap('edge')).peers).toEqual(
        expect.objectContaining({ worker: 'https://worker:4100' }),
      );

      await client.deregister();

      expect((await client.listInstances()).map((instance) => instance.id)).not.toContain(
        registration.instance.id,
      );
    } finally {
      await client.stop();
    }
  });

  it('drops an instance without heartbeats after the TTL', async () => {
    const worker = await bootstrap('worker');
    const client = new RegistryClient(worker, { logger: serviceLogger });

    try {
      const { instance } = await client.register('https://worker:4200');

      await sleep(3200);

      expect((await client.listInstances()).map((live) => live.id)).not.toContain(instance.id);

      // The heartbeat finds the instance gone and registers it again.
      await client.heartbeat();

      expect((await client.listInstances()).map((live) => live.url)).toContain(
        'https://worker:4200',
      );
    } finally {
      await client.stop();
    }
  });

  it('starts from the cache while the registry is down', async () => {
    const online = await bootstrap('monitor');

    await harness.stop(registry);

    try {
      const offline = await bootstrap('monitor');

      expect(offline.source).toBe('cache');
      expect(offline.certificatePem).toBe(online.certificatePem);
      expect(offline.secrets).toEqual(online.secrets);
      await expect(bootstrap('sentinel')).rejects.toThrow(
        /is unavailable .* and there is no cached identity at/,
      );
    } finally {
      registry = await harness.start({ ROKKS_INSTANCE_TTL_SECONDS: '3' });
    }
  });

  it('never logs a secret value', () => {
    const secrets = [
      apiKey,
      registry.state.platform.internalSecret,
      harness.bootstrapToken(),
      registry.state.authority.privateKeyPem,
      ...issuedPrivateKeys,
    ];

    expect(harness.logs.lines.length).toBeGreaterThan(20);
    expect(harness.linesContaining(secrets)).toEqual([]);
    expect(harness.linesContaining(['PRIVATE KEY'])).toEqual([]);
  });
});
