import { createHash } from 'node:crypto';

import { DocStoreError } from './doc-store.errors';

interface CursorEnvelope {
  /** Hash of what the cursor belongs to: the collection and sort keys of a query, or the prefix of a listing. */
  s: string;
  /** Sort key values of the last item of the page, as the backend compares them. */
  k: unknown[];
}

/**
 * Encodes the position after the last item of a page as an opaque string.
 * `scope` ties the cursor to one query shape, so a cursor from another query
 * is rejected instead of silently skipping or repeating items.
 */
export function encodeCursor(scope: string, keys: unknown[]): string {
  const envelope: CursorEnvelope = { s: hashScope(scope), k: keys };

  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
}

/** Decodes a cursor from `encodeCursor`, or raises `INVALID_ARGUMENT` when it belongs elsewhere. */
export function decodeCursor(cursor: string, scope: string, keyCount: number): unknown[] {
  let envelope: unknown;

  try {
    envelope = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    envelope = null;
  }

  const valid =
    typeof envelope === 'object' &&
    envelope !== null &&
    (envelope as CursorEnvelope).s === hashScope(scope) &&
    Array.isArray((envelope as CursorEnvelope).k) &&
    (envelope as CursorEnvelope).k.length === keyCount;

  if (!valid) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: it is not a cursor of this query; pass the nextCursor of the previous page unchanged.',
    );
  }

  return (envelope as CursorEnvelope).k;
}

function hashScope(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 16);
}
