import { createHash, timingSafeEqual } from 'node:crypto';

/** Header that carries the internal service secret on backend-to-backend calls. */
export const INTERNAL_SECRET_HEADER = 'x-rokks-internal';

/**
 * Compares a received internal secret with the expected one in constant
 * time. Both are hashed with SHA-256 first, so the comparison takes the same
 * time whatever their lengths. Returns false when either is missing or empty.
 */
export function verifyInternalSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined || given === '' || expected === '') {
    return false;
  }

  const givenDigest = createHash('sha256').update(given, 'utf8').digest();
  const expectedDigest = createHash('sha256').update(expected, 'utf8').digest();

  return timingSafeEqual(givenDigest, expectedDigest);
}
