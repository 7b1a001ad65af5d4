import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { ConfigError } from '@rokks/config';

import { RegistryStartupError } from './registry.errors';
import { RegistryHarness } from './testing/registry-harness';

describe('registry restarts', () => {
  let harness: RegistryHarness;

  beforeEach(() => {
    harness = new RegistryHarness();
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('writes the development files on first start', async () => {
    const registry = await harness.start();
    const tokenFile = path.join(harness.registryDir, 'bootstrap-token');

    expect(readFileSync(path.join(harness.registryDir, 'ca-fingerprint'), 'utf8').trim()).toBe(
      registry.caFingerprint,
    );
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(harness.registryDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(registry.state.isBootstrapToken(harness.bootstrapToken())).toBe(true);
  });

  it('keeps its CA, secrets, configuration and token across restarts', async () => {
    const first = await harness.start();
    const secretValue = `restart-secret-${randomBytes(12).toString('hex')}`;
    const token = harness.bootstrapToken();

    first.state.secrets.set('API_KEY', secretValue, ['worker']);
    first.state.configEntries.set(null, 'region', 'eu-west');
    await harness.stop(first);

    const second = await harness.start();

    expect(second.caFingerprint).toBe(first.caFingerprint);
    expect(second.state.authority.privateKeyPem).toBe(first.state.authority.privateKeyPem);
    expect(second.state.secrets.valuesFor('worker')).toEqual({ API_KEY: secretValue });
    expect(second.state.configEntries.resolve('worker')).toEqual({ region: 'eu-west' });
    expect(second.state.platform.internalSecret).toBe(first.state.platform.internalSecret);
    expect(second.state.platform.jwtPublicKeys).toEqual(first.state.platform.jwtPublicKeys);
    expect(harness.bootstrapToken()).toBe(token);
    expect(harness.linesContaining([secretValue])).toEqual([]);
  });

  it('keeps working with a master key from the environment', async () => {
    const masterKey = randomBytes(32).toString('base64');
    const first = await harness.start({ ROKKS_MASTER_KEY: masterKey });

    first.state.secrets.set('API_KEY', 'environment-keyed-secret', ['worker']);
    await harness.stop(first);

    const second = await harness.start({
      ROKKS_MASTER_KEY: Buffer.from(masterKey, 'base64').toString('hex'),
    });

    expect(second.state.secrets.get('API_KEY')).toBe('environment-keyed-secret');
    expect(() => statSync(path.join(harness.registryDir, 'master.key'))).toThrow();
  });

  it('rejects a wrong master key without naming the key', async () => {
    await harness.stop(await harness.start());

    const wrongKey = randomBytes(32).toString('hex');
    const attempt = harness.start({ ROKKS_MASTER_KEY: wrongKey });

    await expect(attempt).rejects.toThrow(RegistryStartupError);
    await attempt.catch((error: RegistryStartupError) => {
      expect(error.code).toBe('MASTER_KEY_MISMATCH');
      expect(error.message).toContain(
        'The master key from ROKKS_MASTER_KEY is not the key this registry database was encrypted with',
      );
      expect(error.message).not.toContain(wrongKey);
    });
    expect(harness.linesContaining([wrongKey])).toEqual([]);
  });

  it('rejects a master key file readable by others', async () => {
    await harness.stop(await harness.start());

    const keyFile = path.join(harness.registryDir, 'master.key');

    chmodSync(keyFile, 0o640);

    await expect(harness.start()).rejects.toThrow(
      expect.objectContaining({
        code: 'MASTER_KEY_FILE_INSECURE',
        message: expect.stringContaining(`chmod 600 ${keyFile}`),
      }),
    );
  });

  it('rejects a weak internal secret and lists every invalid setting', async () => {
    const attempt = harness.start({
      ROKKS_INTERNAL_SERVICE_SECRET: 'changeme',
      ROKKS_BOOTSTRAP_TOKEN: 'password-password-password-password',
      ROKKS_REGISTRY_PORT: 'eighty',
    });

    await expect(attempt).rejects.toThrow(ConfigError);
    await attempt.catch((error: ConfigError) => {
      expect(error.problems.map((problem) => problem.env)).toEqual([
        'ROKKS_REGISTRY_PORT',
        'ROKKS_INTERNAL_SERVICE_SECRET',
        'ROKKS_BOOTSTRAP_TOKEN',
      ]);
      expect(error.message).not.toContain('password-password');
    });
  });

  it('uses the platform secrets given in the environment', async () => {
    const internalSecret = randomBytes(32).toString('base64url');
    const bootstrapToken = randomBytes(32).toString('base64url');
    const registry = await harness.start({
      ROKKS_INTERNAL_SERVICE_SECRET: internalSecret,
      ROKKS_BOOTSTRAP_TOKEN: bootstrapToken,
    });

    expect(registry.state.platform.internalSecret).toBe(internalSecret);
    expect(registry.state.isBootstrapToken(bootstrapToken)).toBe(true);
    expect(() => harness.bootstrapToken()).toThrow();
    expect(harness.linesContaining([internalSecret, bootstrapToken])).toEqual([]);
  });
});
