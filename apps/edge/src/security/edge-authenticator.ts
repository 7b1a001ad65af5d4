import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';

import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  type AuthenticatedUser,
  type GuardedRequest,
  JwtVerifier,
  type JwtVerifierOptions,
  readBearerToken,
  TokenRejectedError,
} from '@rokks/auth-guard';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type EdgeSettings } from '../edge.settings';

/** Outcome of checking a request's access token. */
export type Authentication =
  | { kind: 'user'; user: AuthenticatedUser }
  | { kind: 'anonymous' }
  | { kind: 'rejected'; message: string; wwwAuthenticate: string };

// Verified tokens kept, so a user's next requests skip the ES256 check.
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies the `Authorization: Bearer` access token of browser requests
 * with `JwtVerifier` of `@rokks/auth-guard`, against the public keys in the
 * edge's current identity (a renewal that publishes a new key switches to it).
 * A verified token is cached until its `exp` (plus the clock skew), so the
 * signature check runs once per token, not once per request. The cache is
 * emptied when the keys change.
 */
@Injectable()
export class EdgeAuthenticator {
  private verifier?: { keys: readonly unknown[]; instance: JwtVerifier };
  private readonly verified = new Map<string, { user: AuthenticatedUser; validUntilMs: number }>();

  constructor(
    private readonly context: ServiceContext<EdgeSettings>,
    @InjectPinoLogger(EdgeAuthenticator.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Checks the request's token: exactly one well-formed `Authorization:
   * Bearer <JWT>` header that passes verification. No header at all is
   * `anonymous`; every other problem is `rejected`.
   */
  async authenticate(request: GuardedRequest): Promise<Authentication> {
    const token = readBearerToken(request);

    if (!('value' in token)) {
      if (token.problem === 'missing') {
        return { kind: 'anonymous' };
      }

      this.logger.debug({ reason: token.problem }, 'access token unreadable');

      return {
        kind: 'rejected',
        message: 'Send one "Authorization: Bearer <access token>" header.',
        wwwAuthenticate: 'Bearer error="invalid_request"',
      };
    }

    try {
      return { kind: 'user', user: await this.verify(token.value) };
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) {
        throw error;
      }

      this.logger[error.reason === 'expired' ? 'debug' : 'warn'](
        { reason: error.reason },
        'access token rejected',
      );

      return {
        kind: 'rejected',
        message: 'The access token is invalid or expired; sign in again.',
        wwwAuthenticate: 'Bearer error="invalid_token"',
      };
    }
  }

  private async verify(token: string): Promise<AuthenticatedUser> {
    const verifier = this.currentVerifier();
    const cached = this.verified.get(token);

    if (cached !== undefined && Date.now() < cached.validUntilMs) {
      return cached.user;
    }

    const user = await verifier.verify(token);
    // The signature and claims passed, so `exp` (required by the verifier) is present.
    const expiresAtSeconds = decodeJwt(token).exp ?? 0;

    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      // Maps iterate in insertion order: the oldest entry goes first.
      this.verified.delete(this.verified.keys().next().value as string);
    }

    this.verified.set(token, {
      user,
      validUntilMs: (expiresAtSeconds + this.context.settings.clockSkewSeconds) * 1000,
    });

    return user;
  }

  private currentVerifier(): JwtVerifier {
    const publicKeys = this.context.identity.jwtPublicKeys;

    // Each renewed identity brings a new key list; comparing the list itself is enough.
    if (this.verifier?.keys !== publicKeys) {
      this.verified.clear();
      this.verifier = {
        keys: publicKeys,
        instance: new JwtVerifier({
          publicKeys: publicKeys as unknown as JwtVerifierOptions['publicKeys'],
          issuer: ACCESS_TOKEN_ISSUER,
          audience: ACCESS_TOKEN_AUDIENCE,
          clockSkewSeconds: this.context.settings.clockSkewSeconds,
        }),
      };
    }

    return this.verifier.instance;
  }
}
