import { DocStoreError, describeValue } from '../doc-store.errors';
import { MAX_BLOB_PATH_BYTES, MAX_ID_BYTES } from '../doc-store.limits';

const RESERVED_ID = /^__.*__$/su;
const DRIVE_LETTER = /^[A-Za-z]:/u;
const MAX_SHOWN_NAME_LENGTH = 120;
// Without the `u` flag the pattern matches UTF-16 code units, so it finds unpaired surrogates.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Collection id that the doc gateway cannot route, because `/api/doc/blobs/…`
 * addresses the blob store.
 */
export const RESERVED_COLLECTION_ID = 'blobs';

export type NameKind = 'collection id' | 'document id' | 'blob path' | 'blob prefix';

/**
 * Whether a string has a C0 control (NUL included), DEL or a C1 control:
 * characters that are invisible in logs and URLs, and NUL ends C strings.
 */
export function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);

    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) {
      return true;
    }
  }

  return false;
}

/** Whether a string has an unpaired UTF-16 surrogate, which has no UTF-8 encoding (String.isWellFormed of ES2024). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Shortens a rejected name for the error message; `details.name` keeps up to 1,000 characters of it. */
function showName(name: string): string {
  const shortened =
    name.length > MAX_SHOWN_NAME_LENGTH ? `${name.slice(0, MAX_SHOWN_NAME_LENGTH)}…` : name;

  return describeValue(shortened);
}

function invalidName(kind: NameKind, name: string, reason: string): DocStoreError {
  return new DocStoreError('INVALID_NAME', `Invalid ${kind} ${showName(name)}: ${reason}.`, {
    kind,
    name: name.slice(0, 1000),
  });
}

function requireString(kind: NameKind, value: unknown): string {
  if (typeof value !== 'string') {
    throw new DocStoreError(
      'INVALID_NAME',
      `Invalid ${kind}: expected a string, got ${describeValue(value)}.`,
      {
        kind,
      },
    );
  }

  return value;
}

function checkCharacters(kind: NameKind, name: string): void {
  if (hasControlCharacter(name)) {
    throw invalidName(kind, name, 'it contains a control character (such as NUL or a line break)');
  }

  if (hasLoneSurrogate(name)) {
    throw invalidName(kind, name, 'it contains an unpaired UTF-16 surrogate');
  }
}

function checkLength(kind: NameKind, name: string, maxBytes: number): void {
  const bytes = utf8Length(name);

  if (bytes > maxBytes) {
    throw invalidName(
      kind,
      name,
      `it is ${bytes} bytes long in UTF-8, over the limit of ${maxBytes} bytes`,
    );
  }
}

/** Checks a collection id or document id: one path segment of 1 to 512 UTF-8 bytes. */
export function validateId(kind: 'collection id' | 'document id', value: unknown): string {
  const name = requireString(kind, value);

  if (name.length === 0) {
    throw invalidName(kind, name, 'it is empty');
  }

  checkLength(kind, name, MAX_ID_BYTES);
  checkCharacters(kind, name);

  if (name.includes('/')) {
    throw invalidName(kind, name, 'it contains "/"');
  }

  if (name === '.' || name === '..') {
    throw invalidName(kind, name, `"${name}" is not allowed`);
  }

  if (RESERVED_ID.test(name)) {
    throw invalidName(kind, name, 'ids that start and end with "__" are reserved');
  }

  if (kind === 'collection id' && name === RESERVED_COLLECTION_ID) {
    throw invalidName(kind, name, `"${RESERVED_COLLECTION_ID}" is reserved for the blob store`);
  }

  return name;
}

export function validateCollectionId(value: unknown): string {
  return validateId('collection id', value);
}

export function validateDocumentId(value: unknown): string {
  return validateId('document id', value);
}

function checkSegments(kind: NameKind, name: string, segments: string[]): void {
  for (const segment of segments) {
    if (segment.length === 0) {
      throw invalidName(
        kind,
        name,
        'it contains an empty segment (a leading, trailing or doubled "/")',
      );
    }

    if (segment === '.' || segment === '..') {
      throw invalidName(kind, name, `it contains a "${segment}" segment`);
    }
  }
}

function checkRelative(kind: NameKind, name: string): void {
  if (name.startsWith('/')) {
    throw invalidName(kind, name, 'it is an absolute path (starts with "/")');
  }

  if (name.includes('\\')) {
    throw invalidName(kind, name, 'it contains "\\"; separate segments with "/"');
  }

  if (DRIVE_LETTER.test(name)) {
    throw invalidName(kind, name, 'it starts with a drive letter, like an absolute Windows path');
  }
}

/**
 * Checks a blob path: 1 to 1024 UTF-8 bytes of "/"-separated segments, none
 * of them empty, "." or "..", and no control characters or backslashes.
 */
export function validateBlobPath(value: unknown): string {
  const name = requireString('blob path', value);

  if (name.length === 0) {
    throw invalidName('blob path', name, 'it is empty');
  }

  checkLength('blob path', name, MAX_BLOB_PATH_BYTES);
  checkCharacters('blob path', name);
  checkRelative('blob path', name);
  checkSegments('blob path', name, name.split('/'));

  return name;
}

/**
 * Checks a listing prefix by the blob path rules. The last segment may be
 * empty or partial, so "reports/" and "reports/2024-" are valid prefixes.
 */
export function validateBlobPrefix(value: unknown): string {
  const name = requireString('blob prefix', value);

  if (name.length === 0) {
    return name;
  }

  checkLength('blob prefix', name, MAX_BLOB_PATH_BYTES);
  checkCharacters('blob prefix', name);
  checkRelative('blob prefix', name);
  checkSegments('blob prefix', name, name.split('/').slice(0, -1));

  return name;
}
