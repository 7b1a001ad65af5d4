import { DocStoreError, type WritePrecondition } from '@rokks/doc-store';

const VERSION_TAG = /^(?:W\/)?"?([1-9]\d{0,15})"?$/u;

/** Renders a document version as an entity tag: `"<version>"`. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * Reads the write precondition of a request: `If-Match: <version>` (plain
 * or quoted) requires that version, `If-Match: *` requires the document to
 * exist and `If-None-Match: *` requires it to be missing.
 */
export function readPrecondition(
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): WritePrecondition | undefined {
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid request: send either If-Match or If-None-Match, not both.',
    );
  }

  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw new DocStoreError(
        'INVALID_ARGUMENT',
        `Invalid If-None-Match ${JSON.stringify(ifNoneMatch)}: only "*" (create only) is supported.`,
      );
    }

    return { exists: false };
  }

  if (ifMatch === undefined) {
    return undefined;
  }

  const value = ifMatch.trim();

  if (value === '*') {
    return { exists: true };
  }

  const match = VERSION_TAG.exec(value);
  const version = match === null ? Number.NaN : Number(match[1]);

  if (!Number.isSafeInteger(version)) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid If-Match ${JSON.stringify(ifMatch)}: expected a document version such as 3 or "3", or *.`,
    );
  }

  return { version };
}
