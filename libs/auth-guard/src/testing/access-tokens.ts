import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export const ISSUER = 'https://auth.rokks.test';
export const AUDIENCE = 'rokks-api';

/** A signing key pair of the test auth service, with its public JWK. */
export interface TestSigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

export async function createSigningKey(kid: string, alg: 'ES256' | 'RS256'): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };

  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export interface TokenOptions {
  claims?: JWTPayload;
  typ?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  /** Expiry in seconds from now; negative values give an expired token. */
  expiresIn?: number;
  /** `nbf` in seconds from now. */
  notBefore?: number;
}

/** Signs an access token with the key, defaulting to a valid editor token. */
export async function signAccessToken(key: TestSigningKey, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ email: 'ada@example.com', roles: ['editor'], workspace: 'w-1', ...options.claims })
    .setProtectedHeader({ alg: key.alg, typ: options.typ ?? 'at+jwt', kid: options.kid ?? key.kid })
    .setSubject('user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600));

  if (options.notBefore !== undefined) {
    jwt.setNotBefore(now + options.notBefore);
  }

  return jwt.sign(key.privateKey);
}

/** Builds a token with `alg: none` and no signature. */
export function unsignedToken(kid: string, claims: JWTPayload): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  return `${encode({ alg: 'none', typ: 'at+jwt', kid })}.${encode(claims)}.`;
}

/** Signs a token with HS256, using the bytes of a public key as the HMAC secret (algorithm confusion). */
export async function hmacWithPublicKey(key: TestSigningKey, claims: JWTPayload, secret: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
    .sign(new TextEncoder().encode(secret));
}

export function validClaims(): JWTPayload {
  const now = Math.floor(Date.now() / 1000);

  return { sub: 'user-1', email: 'ada@example.com', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 };
}
