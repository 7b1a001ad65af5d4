import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { calculateJwkThumbprint, type JWK, SignJWT } from 'jose';

import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TYPE,
  type Role,
} from '@rokks/auth-guard';
import { ServiceContext } from '@rokks/service-kit';

import { type AuthSettings } from '../auth.settings';

/** Name of the registry secret with the ES256 signing key; the registry entitles `auth` to it. */
export const JWT_PRIVATE_KEY_SECRET = 'ROKKS_JWT_PRIVATE_KEY';

/** The `client_id` claim (RFC 9068): the Rokks web application. */
const CLIENT_ID = 'rokks-web';

export interface AccessTokenSubject {
  userId: string;
  email: string;
  roles: Role[];
  workspace: string;
  sessionId: string;
}

interface SigningKey {
  pem: string;
  key: KeyObject;
  kid: string;
}

/**
 * Signs access tokens (RFC 9068 JWTs) with the registry's ES256 key: header
 * `typ: at+jwt` and `kid`, claims `iss`, `aud`, `sub`, `email`, `roles`,
 * `workspace`, `sid`, `jti`, `client_id`, `iat` and `exp`. The key is read
 * from the current identity, so a renewal that brings a new key switches to it.
 */
@Injectable()
export class AccessTokenSigner {
  private current?: SigningKey;

  constructor(private readonly context: ServiceContext<AuthSettings>) {}

  get ttlSeconds(): number {
    return this.context.settings.accessTokenTtlSeconds;
  }

  /**
   * Loads the signing key now, so a missing entitlement stops the start.
   *
   * @throws Error when the identity has no JWT private key, or the registry does not publish its public half.
   */
  async assertSigningKey(): Promise<string> {
    return (await this.signingKey()).kid;
  }

  async sign(subject: AccessTokenSubject, now = Date.now()): Promise<string> {
    const signingKey = await this.signingKey();
    const issuedAt = Math.floor(now / 1000);

    return new SignJWT({
      email: subject.email,
      roles: subject.roles,
      workspace: subject.workspace,
      sid: subject.sessionId,
      client_id: CLIENT_ID,
    })
      .setProtectedHeader({ alg: 'ES256', typ: ACCESS_TOKEN_TYPE, kid: signingKey.kid })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(signingKey.key);
  }

  private async signingKey(): Promise<SigningKey> {
    const identity = this.context.identity;
    const pem = identity.secrets[JWT_PRIVATE_KEY_SECRET];

    if (pem === undefined) {
      throw new Error(
        `The registry sent no ${JWT_PRIVATE_KEY_SECRET} to the auth service, so it cannot sign access tokens. Entitle "auth" to that secret in the registry.`,
      );
    }

    if (this.current?.pem === pem) {
      return this.current;
    }

    const key = createPrivateKey(pem);
    const publicJwk = createPublicKey(key).export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');

    if (!identity.jwtPublicKeys.some((published) => published.kid === kid)) {
      throw new Error(
        `The registry does not publish the public key "${kid}" of ${JWT_PRIVATE_KEY_SECRET}, so no service could verify its tokens.`,
      );
    }

    this.current = { pem, key, kid };

    return this.current;
  }
}
