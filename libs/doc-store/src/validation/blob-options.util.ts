import { type BlobSource, type ListBlobsOptions, type PutBlobOptions } from '../doc-store';
import { DocStoreError, describeValue } from '../doc-store.errors';
import { MAX_CONTENT_TYPE_LENGTH } from '../doc-store.limits';
import { isPlainObject } from './document-data.util';
import { hasControlCharacter, validateBlobPrefix } from './names.util';
import { normalizeCursor, normalizeLimit } from './query.util';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/u;

export interface CheckedPutOptions {
  /** Lower-case hex, or null when the caller gave none. */
  expectedSha256: string | null;
  contentType: string | null;
}

export function checkPutOptions(options: PutBlobOptions | undefined): CheckedPutOptions {
  const value: unknown = options ?? {};

  if (!isPlainObject(value)) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid blob options ${describeValue(value)}: expected an object.`,
    );
  }

  const { expectedSha256, contentType } = value;

  if (
    expectedSha256 !== undefined &&
    (typeof expectedSha256 !== 'string' || !SHA256_HEX.test(expectedSha256))
  ) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid expectedSha256 ${describeValue(expectedSha256)}: expected 64 hexadecimal digits.`,
    );
  }

  if (
    contentType !== undefined &&
    (typeof contentType !== 'string' ||
      contentType.length === 0 ||
      contentType.length > MAX_CONTENT_TYPE_LENGTH ||
      hasControlCharacter(contentType))
  ) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid contentType ${describeValue(contentType)}: expected 1 to ${MAX_CONTENT_TYPE_LENGTH} characters without control characters.`,
    );
  }

  return {
    expectedSha256: expectedSha256 === undefined ? null : expectedSha256.toLowerCase(),
    contentType: contentType ?? null,
  };
}

export function checkBlobSource(source: unknown): BlobSource {
  const isAsyncIterable =
    typeof source === 'object' &&
    source !== null &&
    typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

  if (!(source instanceof Uint8Array) && !isAsyncIterable) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid blob source: expected a Uint8Array or an async iterable of Uint8Array chunks (a Node Readable or a web ReadableStream).',
    );
  }

  return source as BlobSource;
}

export interface CheckedListOptions {
  prefix: string;
  limit: number;
  startAfter: string | null;
}

export function checkListOptions(options: ListBlobsOptions | undefined): CheckedListOptions {
  const value: unknown = options ?? {};

  if (!isPlainObject(value)) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid list options ${describeValue(value)}: expected an object.`,
    );
  }

  return {
    prefix: validateBlobPrefix(value.prefix ?? ''),
    limit: normalizeLimit(value.limit),
    startAfter: normalizeCursor(value.startAfter),
  };
}
