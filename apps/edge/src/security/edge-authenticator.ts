import { Injectable } from '@nestjs/common';

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

/**
 * Verifies the `Authorization: Bearer` access token of browser requests
 * with `JwtVerifier` of `@rokks/auth-guard`, against the public keys in the
 * edge's current identity (a renewal that publishes a new key switches to it).
 */
@Injectable()
export class EdgeAuthenticator {
  private verifier?: { keys: string; instance: JwtVerifier };

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
      return { kind: 'user', user: await this.currentVerifier().verify(token.value) };
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

  private currentVerifier(): JwtVerifier {
    const publicKeys = this.context.identity.jwtPublicKeys;
    const keys = JSON.stringify(publicKeys);

    if (this.verifier?.keys !== keys) {
      this.verifier = {
        keys,
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
