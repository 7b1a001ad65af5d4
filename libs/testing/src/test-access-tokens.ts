import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

import { type JWTPayload, SignJWT } from 'jose';

import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TYPE,
  type Role,
} from '@rokks/auth-guard';

/** Claims and header fields of a test token; everything has a valid default. */
export interface TestTokenOptions {
  /** The `sub` claim; default `user-1`. */
  subject?: string;
  email?: string;
  roles?: Role[] | string[];
  /** The `workspace` claim; default `default`. */
  workspace?: string;
  /** Seconds from now until `exp`; negative values give an expired token. Default 600. */
  expiresInSeconds?: number;
  /** Seconds from now until `nbf`; unset means no `nbf` claim. */
  notBeforeSeconds?: number;
  issuer?: string;
  audience?: string;
  /** The `typ` header; default `at+jwt`. */
  type?: string;
  /** The `kid` header; default the key's id. */
  keyId?: string;
  /** Extra claims, laid over the others. */
  claims?: JWTPayload;
}

/**
 * The registry's JWT signing key, chosen by a test so that it can mint
 * access tokens every service accepts. Pass `registryEnv` to
 * `TestPlatform.start({ registryEnv })`: the registry then signs with this
 * key, publishes its public half and gives the private key to `auth`.
 */
export class TestTokenIssuer {
  private constructor(
    readonly privateKey: KeyObject,
    /** The RFC 7638 thumbprint the registry uses as `kid`. */
    readonly keyId: string,
  ) {}

  /** Generates a new ECDSA P-256 key pair. */
  static create(): TestTokenIssuer {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    return new TestTokenIssuer(privateKey, thumbprint(privateKey));
  }

  /** Reads an ES256 private key in PEM. */
  static fromPem(pem: string): TestTokenIssuer {
    const privateKey = createPrivateKey(pem);

    return new TestTokenIssuer(privateKey, thumbprint(privateKey));
  }

  get privateKeyPem(): string {
    return this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  /** Registry environment that makes the registry use this key. */
  get registryEnv(): Record<string, string> {
    return { ROKKS_JWT_PRIVATE_KEY: this.privateKeyPem };
  }

  /** Signs an access token with ES256; the defaults give a valid viewer token for `default`. */
  async sign(options: TestTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const token = new SignJWT({
      email: options.email ?? 'viewer@example.com',
      roles: options.roles ?? ['viewer'],
      workspace: options.workspace ?? 'default',
      ...options.claims,
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: options.type ?? ACCESS_TOKEN_TYPE,
        kid: options.keyId ?? this.keyId,
      })
      .setSubject(options.subject ?? 'user-1')
      .setIssuer(options.issuer ?? ACCESS_TOKEN_ISSUER)
      .setAudience(options.audience ?? ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 600));

    if (options.notBeforeSeconds !== undefined) {
      token.setNotBefore(now + options.notBeforeSeconds);
    }

    return token.sign(this.privateKey);
  }

  /** The public key in PEM (SPKI), for algorithm-confusion tests. */
  get publicKeyPem(): string {
    return createPublicKey(this.privateKey).export({ format: 'pem', type: 'spki' }).toString();
  }
}

// RFC 7638: SHA-256 over the required members in lexicographic order, the
// same `kid` the registry derives from the key.
function thumbprint(privateKey: KeyObject): string {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });

  return createHash('sha256').update(canonical).digest('base64url');
}
