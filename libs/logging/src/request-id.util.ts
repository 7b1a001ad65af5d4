import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// Accepted caller-supplied ids: 1 to 128 characters that are safe to echo in
// a header and to search for in logs (UUIDs, ULIDs, trace ids).
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Returns the caller's `x-request-id` when it is one sane value, otherwise a
 * new random UUID. A repeated header arrives as an array and is not trusted.
 */
export function resolveRequestId(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header)) {
    return header;
  }

  return randomUUID();
}
