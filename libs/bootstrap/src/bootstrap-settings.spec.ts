import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { defaultSharedDataDir, resolveBootstrapSettings } from './bootstrap-settings';
import { BootstrapError } from './bootstrap.errors';

describe('resolveBootstrapSettings', () => {
  const fingerprint = 'c0'.repeat(32);
  let sharedDataDir: string;

  beforeEach(() => {
    sharedDataDir = mkdtempSync(path.join(tmpdir(), 'rokks-bootstrap-settings-'));
  });

  afterEach(() => {
    rmSync(sharedDataDir, { recursive: true, force: true });
  });

  function writeRegistryFiles(token: string, caFingerprint: string): void {
    mkdirSync(path.join(sharedDataDir, 'registry'));
    writeFileSync(path.join(sharedDataDir, 'registry', 'bootstrap-token'), `${token}\n`);
    writeFileSync(path.join(sharedDataDir, 'registry', 'ca-fingerprint'), `${caFingerprint}\n`);
  }

  it('defaults to the local registry and its development files', () => {
    writeRegistryFiles('file-token', fingerprint);

    const settings = resolveBootstrapSettings({}, sharedDataDir);

    expect(settings.registryUrl.href).toBe('https://127.0.0.1:4000/');
    expect(settings.token).toBe('file-token');
    expect(settings.caFingerprint).toBe(fingerprint);
  });

  it('prefers the environment', () => {
    writeRegistryFiles('file-token', fingerprint);

    const settings = resolveBootstrapSettings(
      {
        ROKKS_REGISTRY_URL: 'https://registry:4000',
        ROKKS_BOOTSTRAP_TOKEN: 'env-token',
        ROKKS_REGISTRY_CA_FINGERPRINT: 'AB:'.repeat(31) + 'AB',
      },
      sharedDataDir,
    );

    expect(settings.registryUrl.host).toBe('registry:4000');
    expect(settings.token).toBe('env-token');
    expect(settings.caFingerprint).toBe('ab'.repeat(32));
    expect(settings.origins).toEqual({
      token: 'ROKKS_BOOTSTRAP_TOKEN',
      caFingerprint: 'ROKKS_REGISTRY_CA_FINGERPRINT',
    });
  });

  it('leaves missing values undefined', () => {
    const settings = resolveBootstrapSettings({}, sharedDataDir);

    expect(settings.token).toBeUndefined();
    expect(settings.caFingerprint).toBeUndefined();
    expect(settings.origins.token).toBe(path.join(sharedDataDir, 'registry', 'bootstrap-token'));
  });

  it('rejects a malformed fingerprint', () => {
    expect(() =>
      resolveBootstrapSettings({ ROKKS_REGISTRY_CA_FINGERPRINT: 'abc' }, sharedDataDir),
    ).toThrow(/ROKKS_REGISTRY_CA_FINGERPRINT is invalid/);
  });

  it('rejects a plain http registry URL', () => {
    expect(() =>
      resolveBootstrapSettings({ ROKKS_REGISTRY_URL: 'http://127.0.0.1:4000' }, sharedDataDir),
    ).toThrow(BootstrapError);
  });

  it('resolves the shared data directory', () => {
    expect(defaultSharedDataDir({})).toBe(path.resolve('.rokks'));
    expect(defaultSharedDataDir({ ROKKS_DATA_DIR: '/srv/rokks' })).toBe('/srv/rokks');
  });
});
