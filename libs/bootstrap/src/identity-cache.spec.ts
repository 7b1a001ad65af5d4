import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { identityCachePath, readIdentityCache, writeIdentityCache } from './identity-cache';
import { identityFixture } from './testing/identity-fixture';

describe('identity cache', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'rokks-identity-cache-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes mode 0600 and reads the identity back', async () => {
    const { authority: _authority, ...identity } = await identityFixture('worker');

    writeIdentityCache(dataDir, identity);

    expect(statSync(identityCachePath(dataDir)).mode & 0o777).toBe(0o600);
    expect(readIdentityCache(dataDir)).toEqual({ ...identity, source: 'cache' });
  });

  it('replaces a looser existing file', async () => {
    const { authority: _authority, ...identity } = await identityFixture('worker');

    writeFileSync(identityCachePath(dataDir), '{}', { mode: 0o644 });
    writeIdentityCache(dataDir, identity);

    expect(statSync(identityCachePath(dataDir)).mode & 0o777).toBe(0o600);
  });

  it('returns undefined without a cache', () => {
    expect(readIdentityCache(dataDir)).toBeUndefined();
  });

  it('reports a damaged cache', () => {
    writeFileSync(identityCachePath(dataDir), '{"service":');

    expect(readIdentityCache(dataDir)).toEqual({
      problem: expect.stringContaining('not valid JSON'),
    });

    writeFileSync(identityCachePath(dataDir), '{"service":"worker"}');

    expect(readIdentityCache(dataDir)).toEqual({
      problem: expect.stringContaining('invalid fields'),
    });
  });
});
