import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Fastify from 'fastify';

import { httpsServerOptions } from '@rokks/mesh';

import { bootstrapService, type BootstrapLogger } from './bootstrap-service';
import { BootstrapError } from './bootstrap.errors';
import { writeIdentityCache } from './identity-cache';
import { identityFixture } from './testing/identity-fixture';

const TOKEN = 'bootstrap-test-token-0123456789abcdefghij';
const FAST_RETRY = { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 };

function recordingLogger(): BootstrapLogger & { warnings: string[] } {
  const warnings: string[] = [];

  return {
    warnings,
    info: () => undefined,
    warn: (_object, message) => {
      warnings.push(message);
    },
  };
}

/** Returns a loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as { port: number };

  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
}

describe('bootstrapService without a registry', () => {
  let root: string;
  let dataDir: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rokks-bootstrap-'));
    dataDir = path.join(root, 'worker');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('fails with one message when there is neither registry nor cache', async () => {
    const port = await closedPort();
    const logger = recordingLogger();
    const attempt = bootstrapService({
      service: 'worker',
      env: {
        ROKKS_REGISTRY_URL: `https://127.0.0.1:${port}`,
        ROKKS_BOOTSTRAP_TOKEN: TOKEN,
        ROKKS_REGISTRY_CA_FINGERPRINT: 'ab'.repeat(32),
      },
      dataDir,
      sharedDataDir: root,
      logger,
      retry: FAST_RETRY,
    });

    await expect(attempt).rejects.toThrow(BootstrapError);
    await attempt.catch((error: BootstrapError) => {
      expect(error.code).toBe('REGISTRY_UNAVAILABLE');
      expect(error.message).toContain(`the registry at https://127.0.0.1:${port} is unavailable`);
      expect(error.message).toContain('3 attempts failed');
      expect(error.message).toContain(path.join(dataDir, 'bootstrap-cache.json'));
      expect(error.message).not.toContain(TOKEN);
    });
    expect(logger.warnings).toEqual([
      'registry unavailable, retrying',
      'registry unavailable, retrying',
    ]);
  });

  it('fails clearly when no token or fingerprint is configured', async () => {
    const attempt = bootstrapService({
      service: 'worker',
      env: {},
      dataDir,
      sharedDataDir: root,
      logger: recordingLogger(),
    });

    await expect(attempt).rejects.toThrow(
      /ROKKS_BOOTSTRAP_TOKEN .* and ROKKS_REGISTRY_CA_FINGERPRINT .* not set, and there is no cached identity/,
    );
  });

  it('starts from the cache while the registry is down', async () => {
    const { authority, ...identity } = await identityFixture('worker');
    const logger = recordingLogger();

    writeIdentityCache(dataDir, identity);

    const started = await bootstrapService({
      service: 'worker',
      env: {
        ROKKS_REGISTRY_URL: `https://127.0.0.1:${await closedPort()}`,
        ROKKS_BOOTSTRAP_TOKEN: TOKEN,
        ROKKS_REGISTRY_CA_FINGERPRINT: authority.fingerprint,
      },
      dataDir,
      sharedDataDir: root,
      logger,
      retry: FAST_RETRY,
    });

    expect(started).toEqual({ ...identity, source: 'cache' });
    expect(logger.warnings).toContain('registry unavailable, starting from the cached identity');
  });

  it('rejects a cache issued under another CA', async () => {
    const { authority: _authority, ...identity } = await identityFixture('worker');

    writeIdentityCache(dataDir, identity);

    await expect(
      bootstrapService({
        service: 'worker',
        env: {
          ROKKS_REGISTRY_URL: `https://127.0.0.1:${await closedPort()}`,
          ROKKS_BOOTSTRAP_TOKEN: TOKEN,
          ROKKS_REGISTRY_CA_FINGERPRINT: 'ab'.repeat(32),
        },
        dataDir,
        sharedDataDir: root,
        logger: recordingLogger(),
        retry: FAST_RETRY,
      }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'CACHE_UNUSABLE',
        message: expect.stringContaining('CA other than the pinned one'),
      }),
    );
  });

  it('rejects an expired cache', async () => {
    const { authority, ...identity } = await identityFixture('worker');

    writeIdentityCache(dataDir, {
      ...identity,
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });

    await expect(
      bootstrapService({
        service: 'worker',
        env: {
          ROKKS_REGISTRY_URL: `https://127.0.0.1:${await closedPort()}`,
          ROKKS_BOOTSTRAP_TOKEN: TOKEN,
          ROKKS_REGISTRY_CA_FINGERPRINT: authority.fingerprint,
        },
        dataDir,
        sharedDataDir: root,
        logger: recordingLogger(),
        retry: FAST_RETRY,
      }),
    ).rejects.toThrow(/certificate that expired at/);
  });

  it('rejects unpinned CA before sending token', async () => {
    const { authority: _authority, ...serverIdentity } = await identityFixture('registry');
    const server = Fastify(httpsServerOptions(serverIdentity, { clientCertificate: 'optional' }));
    let requests = 0;

    server.addHook('onRequest', async () => {
      requests += 1;
    });
    await server.listen({ host: '127.0.0.1', port: 0 });

    try {
      const { port } = server.server.address() as { port: number };
      const attempt = bootstrapService({
        service: 'worker',
        env: {
          ROKKS_REGISTRY_URL: `https://127.0.0.1:${port}`,
          ROKKS_BOOTSTRAP_TOKEN: TOKEN,
          ROKKS_REGISTRY_CA_FINGERPRINT: 'ab'.repeat(32),
        },
        dataDir,
        sharedDataDir: root,
        logger: recordingLogger(),
        retry: FAST_RETRY,
      });

      await expect(attempt).rejects.toThrow(
        expect.objectContaining({ code: 'CA_FINGERPRINT_MISMATCH' }),
      );
      expect(requests).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('rejects an invalid service name', async () => {
    await expect(
      bootstrapService({
        service: 'Not Valid',
        env: {},
        dataDir,
        sharedDataDir: root,
        logger: recordingLogger(),
      }),
    ).rejects.toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
