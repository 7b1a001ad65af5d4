import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { RegistryStartupError } from '../registry.errors';
import { parseMasterKey, resolveMasterKey } from './master-key';

describe('parseMasterKey', () => {
  const key = randomBytes(32);

  it('accepts hex, base64 and base64url', () => {
    expect(parseMasterKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64url')).equals(key)).toBe(true);
    expect(parseMasterKey(` ${key.toString('hex')}\n`).equals(key)).toBe(true);
  });

  it('rejects other lengths without echoing the value', () => {
    const short = randomBytes(16).toString('hex');

    expect(() => parseMasterKey(short)).toThrow(RegistryStartupError);

    try {
      parseMasterKey(short);
    } catch (error) {
      expect((error as Error).message).toContain('ROKKS_MASTER_KEY is invalid');
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('rejects placeholder keys', () => {
    expect(() => parseMasterKey('0'.repeat(64))).toThrow(/all its bytes are equal/);
    expect(() => parseMasterKey('changeme')).toThrow(RegistryStartupError);
  });
});

describe('resolveMasterKey', () => {
  let directory: string;
  let keyFilePath: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'rokks-master-key-'));
    keyFilePath = path.join(directory, 'master.key');
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates a key file with mode 0600 and reuses it', () => {
    const created = resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: true });

    expect(created.source).toBe('new-key-file');
    expect(statSync(keyFilePath).mode & 0o777).toBe(0o600);

    const reused = resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: true });

    expect(reused.source).toBe('key-file');
    expect(reused.key.equals(created.key)).toBe(true);
  });

  it('prefers the environment over the file', () => {
    resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: true });

    const key = randomBytes(32);
    const resolved = resolveMasterKey({
      environmentValue: key.toString('base64'),
      keyFilePath,
      mayCreate: true,
    });

    expect(resolved.source).toBe('environment');
    expect(resolved.key.equals(key)).toBe(true);
  });

  it('rejects a key file readable by others', () => {
    resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: true });
    chmodSync(keyFilePath, 0o644);

    expect(() =>
      resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: true }),
    ).toThrow(
      expect.objectContaining({
        code: 'MASTER_KEY_FILE_INSECURE',
        message: expect.stringContaining(`chmod 600 ${keyFilePath}`),
      }),
    );
  });

  it('rejects a symbolic link as key file', () => {
    const target = path.join(directory, 'elsewhere.key');

    writeFileSync(target, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    symlinkSync(target, keyFilePath);

    expect(() =>
      resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: true }),
    ).toThrow(/symbolic link/);
  });

  it('creates no key for an existing database', () => {
    expect(() =>
      resolveMasterKey({ environmentValue: undefined, keyFilePath, mayCreate: false }),
    ).toThrow(expect.objectContaining({ code: 'MASTER_KEY_MISSING' }));
    expect(() => readFileSync(keyFilePath)).toThrow();
  });
});
