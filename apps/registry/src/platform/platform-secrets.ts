import { randomBytes } from 'node:crypto';

import { type SecretStore } from '../secrets/secret.store';
import { type RegistryDatabase } from '../storage/registry-database';
import {
  generateJwtSigningKey,
  type JwtSigningKey,
  jwtSigningKeyFromPem,
  type PublicSigningJwk,
} from './jwt-signing-key';

/** Secret names starting with this prefix belong to the registry and cannot be set through the API. */
export const RESERVED_SECRET_PREFIX = 'ROKKS_';
export const INTERNAL_SECRET_NAME = 'ROKKS_INTERNAL_SERVICE_SECRET';
export const JWT_PRIVATE_KEY_NAME = 'ROKKS_JWT_PRIVATE_KEY';
/** Services entitled to the JWT private key when the registry creates it. */
export const JWT_SIGNING_SERVICES: readonly string[] = ['auth'];

export interface PlatformSecrets {
  internalSecret: string;
  /** Public keys that verify user JWTs, newest first. */
  jwtPublicKeys: PublicSigningJwk[];
}

/**
 * Settles the internal service secret and the JWT signing key: a value from
 * the environment replaces the stored one, a stored one is reused, and
 * otherwise a new one is generated and stored. Public keys of replaced JWT
 * keys stay published so that tokens they signed still verify.
 */
export function resolvePlatformSecrets(
  database: RegistryDatabase,
  secrets: SecretStore,
  environment: { internalSecret?: string; jwtPrivateKeyPem?: string },
): PlatformSecrets {
  const internalSecret =
    environment.internalSecret ??
    secrets.get(INTERNAL_SECRET_NAME) ??
    randomBytes(32).toString('base64url');

  if (secrets.get(INTERNAL_SECRET_NAME) !== internalSecret) {
    secrets.set(INTERNAL_SECRET_NAME, internalSecret);
  }

  const storedJwtKey = secrets.get(JWT_PRIVATE_KEY_NAME);
  let jwtKey: JwtSigningKey;

  if (environment.jwtPrivateKeyPem !== undefined) {
    jwtKey = jwtSigningKeyFromPem(environment.jwtPrivateKeyPem, 'ROKKS_JWT_PRIVATE_KEY');
  } else if (storedJwtKey !== undefined) {
    jwtKey = jwtSigningKeyFromPem(storedJwtKey, `the stored secret ${JWT_PRIVATE_KEY_NAME}`);
  } else {
    jwtKey = generateJwtSigningKey();
  }

  if (storedJwtKey !== jwtKey.privateKeyPem) {
    const entitled = storedJwtKey === undefined ? JWT_SIGNING_SERVICES : undefined;

    secrets.set(JWT_PRIVATE_KEY_NAME, jwtKey.privateKeyPem, entitled);
  }

  database
    .prepare(
      'INSERT INTO jwt_signing_keys (kid, public_jwk, created_at) VALUES (?, ?, ?) ON CONFLICT (kid) DO NOTHING',
    )
    .run(jwtKey.publicJwk.kid, JSON.stringify(jwtKey.publicJwk), new Date().toISOString());

  // NOTE: replaced keys are never retired yet; every key ever used stays published.
  const rows = database
    .prepare('SELECT public_jwk FROM jwt_signing_keys ORDER BY created_at DESC, kid')
    .all() as { public_jwk: string }[];

  return {
    internalSecret,
    jwtPublicKeys: rows.map((row) => JSON.parse(row.public_jwk) as PublicSigningJwk),
  };
}
