import { createPublicKey, generateKeyPairSync } from 'node:crypto';

import { JwtVerifier, type JwtVerifierOptions, type TokenRejection } from './jwt-verifier';
import {
  AUDIENCE,
  createSigningKey,
  hmacWithPublicKey,
  ISSUER,
  signAccessToken,
  type TestSigningKey,
  unsignedToken,
  validClaims,
} from './testing/access-tokens';

describe('JwtVerifier', () => {
  let esKey: TestSigningKey;
  let rsKey: TestSigningKey;
  let strangerKey: TestSigningKey;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    esKey = await createSigningKey('es-1', 'ES256');
    rsKey = await createSigningKey('rs-1', 'RS256');
    strangerKey = await createSigningKey('es-1', 'ES256');
    verifier = new JwtVerifier({ publicKeys: [esKey.publicJwk, rsKey.publicJwk], issuer: ISSUER, audience: AUDIENCE });
  });

  async function expectRejection(token: string, reason: TokenRejection): Promise<void> {
    await expect(verifier.verify(token)).rejects.toMatchObject({ name: 'TokenRejectedError', reason });
  }

  it('returns the user of a valid token', async () => {
    await expect(verifier.verify(await signAccessToken(esKey))).resolves.toEqual({
      id: 'user-1',
      email: 'ada@example.com',
      roles: ['editor'],
      workspace: 'w-1',
    });
  });

  it('accepts keys given by kid as key objects', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const byKid = new JwtVerifier({ publicKeys: { 'node-1': publicKey }, issuer: ISSUER, audience: AUDIENCE });
    const key: TestSigningKey = { ...esKey, kid: 'node-1', privateKey: privateKey as unknown as TestSigningKey['privateKey'] };

    await expect(byKid.verify(await signAccessToken(key))).resolves.toMatchObject({ id: 'user-1' });
  });

  it.each<[string, () => Promise<string>, TokenRejection]>([
    ['alg none', async () => unsignedToken('es-1', validClaims()), 'algorithm-not-allowed'],
    ['HS256 with the public PEM', async () => hmacWithPublicKey(rsKey, validClaims(), rsKey.publicPem), 'algorithm-not-allowed'],
    ['expired beyond the skew', async () => signAccessToken(esKey, { expiresIn: -40 }), 'expired'],
    ['not yet valid', async () => signAccessToken(esKey, { notBefore: 120 }), 'not-yet-valid'],
    ['wrong audience', async () => signAccessToken(esKey, { audience: 'another-api' }), 'wrong-audience'],
    ['wrong issuer', async () => signAccessToken(esKey, { issuer: 'https://evil.test' }), 'wrong-issuer'],
    ['unknown kid', async () => signAccessToken(esKey, { kid: 'es-9' }), 'unknown-key'],
    ['forged signature', async () => signAccessToken(strangerKey), 'bad-signature'],
    ['key of another algorithm', async () => signAccessToken(esKey, { kid: 'rs-1' }), 'algorithm-not-allowed'],
    ['ID token type', async () => signAccessToken(esKey, { typ: 'JWT' }), 'wrong-type'],
    ['refresh token type', async () => signAccessToken(esKey, { typ: 'refresh+jwt' }), 'wrong-type'],
    ['missing email', async () => signAccessToken(esKey, { claims: { email: undefined } }), 'invalid-claims'],
    ['roles not a list', async () => signAccessToken(esKey, { claims: { roles: 'admin' } }), 'invalid-claims'],
    ['numeric workspace', async () => signAccessToken(esKey, { claims: { workspace: 7 } }), 'invalid-claims'],
    ['garbage', async () => 'not.a.token', 'malformed'],
  ])('rejects %s', async (_case, makeToken, reason) => {
    await expectRejection(await makeToken(), reason);
  });

  it('rejects a token without kid', async () => {
    const token = await signAccessToken(esKey);
    const [, payload, signature] = token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt' })).toString('base64url');

    await expectRejection(`${header}.${payload}.${signature}`, 'unknown-key');
  });

  it('rejects a token without exp', async () => {
    const { exp: _exp, ...claims } = validClaims();
    const { SignJWT } = await import('jose');
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }).sign(esKey.privateKey);

    await expectRejection(token, 'invalid-claims');
  });

  it('honours a zero clock skew', async () => {
    const strict = new JwtVerifier({ publicKeys: [esKey.publicJwk], issuer: ISSUER, audience: AUDIENCE, clockSkewSeconds: 0 });

    await expect(strict.verify(await signAccessToken(esKey, { expiresIn: -5 }))).rejects.toMatchObject({ reason: 'expired' });
  });

  it('rejects a cached token once it expires', async () => {
    const strict = new JwtVerifier({ publicKeys: [esKey.publicJwk], issuer: ISSUER, audience: AUDIENCE, clockSkewSeconds: 0 });
    const token = await signAccessToken(esKey, { expiresIn: 60 });
    const realNow = Date.now();

    await expect(strict.verify(token)).resolves.toMatchObject({ id: 'user-1' });

    // Only the clock moves; timers and ticks stay real for the crypto calls.
    jest.useFakeTimers({
      now: realNow + 61_000,
      doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });

    try {
      await expect(strict.verify(token)).rejects.toMatchObject({ reason: 'expired' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('returns a copy a caller cannot change', async () => {
    const token = await signAccessToken(esKey);
    const first = await verifier.verify(token);

    first.roles.push('admin');

    expect((await verifier.verify(token)).roles).toEqual(['editor']);
  });

  describe('options', () => {
    const base = (): JwtVerifierOptions => ({ publicKeys: [esKey.publicJwk], issuer: ISSUER, audience: AUDIENCE });

    it.each([['HS256'], ['none'], ['RS1']])('rejects the algorithm %s', (algorithm) => {
      expect(() => new JwtVerifier({ ...base(), algorithms: [algorithm as 'ES256'] })).toThrow(/Invalid JWT algorithms/);
    });

    it('rejects an empty algorithm list', () => {
      expect(() => new JwtVerifier({ ...base(), algorithms: [] })).toThrow(/Invalid JWT algorithms/);
    });

    it.each([[-1], [301], [Number.NaN]])('rejects a clock skew of %p', (seconds) => {
      expect(() => new JwtVerifier({ ...base(), clockSkewSeconds: seconds })).toThrow(RangeError);
    });

    it('rejects a private JWK', async () => {
      const { exportJWK } = await import('jose');
      const privateJwk = { ...(await exportJWK(esKey.privateKey)), kid: 'es-1' };

      expect(() => new JwtVerifier({ ...base(), publicKeys: [privateJwk] })).toThrow(/not a public key/);
    });

    it('rejects a symmetric JWK', () => {
      expect(() => new JwtVerifier({ ...base(), publicKeys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h-1' }] })).toThrow(/not a public key/);
    });

    it('rejects a private key object', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

      expect(() => new JwtVerifier({ ...base(), publicKeys: { 'p-1': privateKey } })).toThrow(/not a public key/);
      expect(() => new JwtVerifier({ ...base(), publicKeys: { 'p-2': createPublicKey(privateKey) } })).not.toThrow();
    });

    it('rejects a JWK without kid', () => {
      const { kid: _kid, ...withoutKid } = esKey.publicJwk;

      expect(() => new JwtVerifier({ ...base(), publicKeys: [withoutKid] })).toThrow(/has no "kid"/);
    });

    it('rejects an empty key set', () => {
      expect(() => new JwtVerifier({ ...base(), publicKeys: [] })).toThrow(/at least one public key/);
    });

    it('rejects an empty issuer', () => {
      expect(() => new JwtVerifier({ ...base(), issuer: '' })).toThrow(/non-empty issuer/);
    });
  });
});
