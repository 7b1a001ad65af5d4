import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A refresh token: `<id>.<secret>`, both random and base64url. The id finds
 * the row, and only a SHA-256 of the secret is stored. With one dot it can
 * never pass for a compact JWT, so a refresh token sent as an access token
 * is rejected as malformed.
 */
export interface RefreshTokenParts {
  id: string;
  secret: string;
}

const TOKEN_SHAPE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function generateRefreshToken(): RefreshTokenParts & { token: string } {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');

  return { id, secret, token: `${id}.${secret}` };
}

/** Splits a token into its parts, or returns undefined when it has another shape. */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  const match = TOKEN_SHAPE.exec(token);

  return match === null ? undefined : { id: match[1], secret: match[2] };
}

export function hashRefreshSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares a presented secret with a stored hash in constant time. */
export function refreshSecretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashRefreshSecret(secret);

  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
