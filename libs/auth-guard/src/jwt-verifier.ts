import { type KeyObject } from 'node:crypto';

import { type CryptoKey, errors, importJWK, type JWK, type JWTPayload, jwtVerify, type JWTHeaderParameters } from 'jose';

import { type AuthenticatedUser, ROLES, type Role } from './authenticated-user';

/** Signature algorithms a verifier may accept: asymmetric ones only, so a public key can never sign. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export type PublicKeyInput = JWK | CryptoKey | KeyObject;

export interface JwtVerifierOptions {
  /** Public keys by key id (`kid`), or JWKs that each carry their `kid`. */
  publicKeys: Record<string, PublicKeyInput> | JWK[];
  /** Expected `iss` claim. */
  issuer: string;
  /** Expected `aud` claim; a token must name at least one of these. */
  audience: string | string[];
  /** Accepted `alg` values; default `['ES256', 'RS256']`. */
  algorithms?: AsymmetricAlgorithm[];
  /** Tolerance for `exp`, `nbf` and `iat`, in seconds: 0 to 300, default 30. */
  clockSkewSeconds?: number;
  /** Required `typ` header; default `at+jwt`, the access token type of RFC 9068. */
  tokenType?: string;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 30;
/** Maximum number of verified tokens kept, so repeated requests with one token skip the signature check. */
const VERIFIED_CACHE_SIZE = 5000;

export const MAX_CLOCK_SKEW_SECONDS = 300;

/** Reason for rejecting a token; the values are stable for logs and tests. */
export type TokenRejection =
  | 'malformed'
  | 'algorithm-not-allowed'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-type'
  | 'invalid-claims';

/** Raised when an access token fails verification. */
export class TokenRejectedError extends Error {
  constructor(readonly reason: TokenRejection) {
    super(`Access token rejected: ${reason}`);
    this.name = 'TokenRejectedError';
  }
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/**
 * Verifies user access tokens (JWTs) signed by the auth service: the
 * algorithm must be on the allow-list, the `kid` must name a configured
 * public key, and `exp`, `nbf`, `iss`, `aud` and `typ` are checked with a
 * bounded clock skew.
 */
export class JwtVerifier {
  private readonly keys = new Map<string, PublicKeyInput>();
  private readonly importedKeys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  /** Tokens that passed every check, oldest first, with the user and `exp` in seconds. */
  private readonly verified = new Map<string, { user: AuthenticatedUser; expiresAt: number }>();
  private readonly algorithms: AsymmetricAlgorithm[];
  private readonly clockSkewSeconds: number;
  private readonly tokenType: string;

  constructor(private readonly options: JwtVerifierOptions) {
    this.algorithms = validateAlgorithms(options.algorithms ?? ['ES256', 'RS256']);
    this.clockSkewSeconds = validateClockSkew(options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS);
    this.tokenType = options.tokenType ?? 'at+jwt';

    if (options.issuer === '' || (Array.isArray(options.audience) ? options.audience.length === 0 : options.audience === '')) {
      throw new TypeError('JWT verification needs a non-empty issuer and audience.');
    }

    for (const [kid, key] of listKeys(options.publicKeys)) {
      assertPublicKey(kid, key);
      this.keys.set(kid, key);
    }

    if (this.keys.size === 0) {
      throw new TypeError('JWT verification needs at least one public key.');
    }
  }

  /**
   * Verifies a compact JWT and returns the user it names.
   *
   * @throws TokenRejectedError with the reason of the first failed check.
   */
  async verify(token: string): Promise<AuthenticatedUser> {
    const cached = this.verified.get(token);

    // A cached token is checked for expiry only: its signature and claims
    // cannot change. An expired one goes through the full check, which
    // rejects it with the usual reason.
    if (cached !== undefined) {
      if (Date.now() / 1000 < cached.expiresAt + this.clockSkewSeconds) {
        return { ...cached.user, roles: [...cached.user.roles] };
      }

      this.verified.delete(token);
    }

    let payload: JWTPayload;

    try {
      const result = await jwtVerify(token, (header) => this.resolveKey(header), {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.clockSkewSeconds,
        typ: this.tokenType,
        requiredClaims: ['exp', 'sub'],
      });

      payload = result.payload;
    } catch (error) {
      throw new TokenRejectedError(classifyError(error));
    }

    const user = readUser(payload);

    this.remember(token, user, payload.exp as number);

    return { ...user, roles: [...user.roles] };
  }

  private remember(token: string, user: AuthenticatedUser, expiresAt: number): void {
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next();

      if (oldest.done !== true) {
        this.verified.delete(oldest.value);
      }
    }

    this.verified.set(token, { user, expiresAt });
  }

  private async resolveKey(header: JWTHeaderParameters): Promise<CryptoKey | Uint8Array | KeyObject> {
    const kid = header.kid;
    const key = kid === undefined ? undefined : this.keys.get(kid);

    if (kid === undefined || key === undefined) {
      throw new TokenRejectedError('unknown-key');
    }

    if (!isJwk(key)) {
      return key;
    }

    if (key.alg !== undefined && key.alg !== header.alg) {
      throw new TokenRejectedError('algorithm-not-allowed');
    }

    const cacheKey = `${kid}\n${header.alg}`;
    let imported = this.importedKeys.get(cacheKey);

    if (imported === undefined) {
      imported = importJWK(key, header.alg);
      this.importedKeys.set(cacheKey, imported);
    }

    return imported;
  }
}

function listKeys(publicKeys: JwtVerifierOptions['publicKeys']): [string, PublicKeyInput][] {
  if (!Array.isArray(publicKeys)) {
    return Object.entries(publicKeys);
  }

  return publicKeys.map((jwk, index) => {
    if (typeof jwk.kid !== 'string' || jwk.kid === '') {
      throw new TypeError(`Public JWK at index ${index} has no "kid"; every verification key needs one.`);
    }

    return [jwk.kid, jwk];
  });
}

function assertPublicKey(kid: string, key: PublicKeyInput): void {
  const isPrivate = isJwk(key)
    ? key.kty === 'oct' || PRIVATE_JWK_MEMBERS.some((member) => member in key)
    : key.type !== 'public';

  if (isPrivate) {
    throw new TypeError(`Key "${kid}" is not a public key; configure only the public half of an asymmetric key pair.`);
  }
}

function isJwk(key: PublicKeyInput): key is JWK {
  return typeof (key as JWK).kty === 'string';
}

function validateAlgorithms(algorithms: readonly string[]): AsymmetricAlgorithm[] {
  const allowed = ASYMMETRIC_ALGORITHMS as readonly string[];
  const invalid = algorithms.filter((algorithm) => !allowed.includes(algorithm));

  if (algorithms.length === 0 || invalid.length > 0) {
    throw new TypeError(
      `Invalid JWT algorithms [${invalid.join(', ')}]: use one or more of ${ASYMMETRIC_ALGORITHMS.join(', ')} (never "none" or an HMAC algorithm).`,
    );
  }

  return [...algorithms] as AsymmetricAlgorithm[];
}

function validateClockSkew(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_CLOCK_SKEW_SECONDS) {
    throw new RangeError(`Invalid clock skew ${seconds}: expected 0 to ${MAX_CLOCK_SKEW_SECONDS} seconds.`);
  }

  return seconds;
}

function classifyError(error: unknown): TokenRejection {
  if (error instanceof TokenRejectedError) {
    return error.reason;
  }

  if (error instanceof errors.JWTExpired) {
    return 'expired';
  }

  if (error instanceof errors.JWTClaimValidationFailed) {
    return classifyClaimError(error);
  }

  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return 'algorithm-not-allowed';
  }

  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return 'bad-signature';
  }

  // A key of the wrong type for the header's algorithm fails in jose's key
  // checks with a TypeError, which counts as a forged algorithm.
  if (error instanceof TypeError) {
    return 'algorithm-not-allowed';
  }

  return 'malformed';
}

function classifyClaimError(error: InstanceType<typeof errors.JWTClaimValidationFailed>): TokenRejection {
  switch (error.claim) {
    case 'nbf':
      return 'not-yet-valid';
    case 'iss':
      return 'wrong-issuer';
    case 'aud':
      return 'wrong-audience';
    case 'typ':
      return 'wrong-type';
    default:
      return 'invalid-claims';
  }
}

function readUser(payload: JWTPayload): AuthenticatedUser {
  const { sub, email, roles, workspace } = payload as JWTPayload & { email?: unknown; roles?: unknown; workspace?: unknown };

  if (typeof sub !== 'string' || sub === '' || typeof email !== 'string' || !Array.isArray(roles)) {
    throw new TokenRejectedError('invalid-claims');
  }

  if (workspace !== undefined && typeof workspace !== 'string') {
    throw new TokenRejectedError('invalid-claims');
  }

  const knownRoles = roles.filter((role): role is Role => (ROLES as readonly unknown[]).includes(role));

  return { id: sub, email, roles: knownRoles, workspace };
}
