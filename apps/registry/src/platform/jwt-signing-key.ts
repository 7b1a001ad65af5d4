import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
} from 'node:crypto';

import { RegistryStartupError } from '../registry.errors';

/** Public half of a JWT signing key, as a JWK with `kid`, `alg` and `use`. */
export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface JwtSigningKey {
  privateKeyPem: string;
  publicJwk: PublicSigningJwk;
}

/** Generates an ES256 (ECDSA P-256) signing key pair. */
export function generateJwtSigningKey(): JwtSigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  return jwtSigningKeyFromPem(
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    'the generated key',
  );
}

/**
 * Reads an ES256 private key (PEM, PKCS#8 or SEC1) and derives its public JWK;
 * the `kid` is the key's RFC 7638 thumbprint. Rejects keys of any other type.
 */
export function jwtSigningKeyFromPem(pem: string, origin: string): JwtSigningKey {
  let jwk: JsonWebKey;
  let privateKeyPem: string;

  try {
    const privateKey = createPrivateKey(pem);

    if (
      privateKey.asymmetricKeyType !== 'ec' ||
      privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
    ) {
      throw new Error('not an ECDSA P-256 key');
    }

    privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  } catch (error) {
    throw new RegistryStartupError(
      'PLATFORM_SECRET_INVALID',
      `The JWT signing key from ${origin} is invalid: it must be an ECDSA P-256 private key in PEM (ES256). Generate one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`,
      { cause: error },
    );
  }

  const x = String(jwk.x);
  const y = String(jwk.y);

  return {
    privateKeyPem,
    publicJwk: {
      kty: 'EC',
      crv: 'P-256',
      x,
      y,
      kid: jwkThumbprint(x, y),
      alg: 'ES256',
      use: 'sig',
    },
  };
}

// RFC 7638: SHA-256 over the required members in lexicographic order, no spaces.
function jwkThumbprint(x: string, y: string): string {
  const canonical = JSON.stringify({ crv: 'P-256', kty: 'EC', x, y });

  return createHash('sha256').update(canonical).digest('base64url');
}
