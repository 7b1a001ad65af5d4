// The calls between the doc gateway (MonioDocStore) and the MonIO service:
// document operations as NestJS microservice messages over mutual TLS,
// blob streams over internal HTTPS routes. Both sides import these names.
import { STATUS_CODES } from 'node:http';

import { type BlobInfo } from '../doc-store';
import {
  DOC_STORE_ERROR_STATUS,
  DocStoreError,
  type DocStoreErrorCode,
  type DocStoreErrorDetails,
} from '../doc-store.errors';

/** Message patterns of the document operations; each payload carries the workspace. */
export const MONIO_PATTERNS = {
  getDocument: { cmd: 'monio.getDocument' },
  setDocument: { cmd: 'monio.setDocument' },
  mergeDocument: { cmd: 'monio.mergeDocument' },
  deleteDocument: { cmd: 'monio.deleteDocument' },
  queryDocuments: { cmd: 'monio.queryDocuments' },
  commitBatch: { cmd: 'monio.commitBatch' },
  checkHealth: { cmd: 'monio.checkHealth' },
} as const;

export type MonioOperation = keyof typeof MONIO_PATTERNS;

/** Internal HTTPS routes of MonIO. */
export const MONIO_ROUTES = {
  /** `GET`: `MonioInfo`, where the microservice listens and the blob limit. */
  info: '/internal/monio',
  /** `GET ?workspace=&prefix=&limit=&startAfter=`: one page of blobs. */
  blobs: '/internal/blobs',
  /** `PUT`, `GET`, `DELETE ?workspace=&path=`: one blob's bytes. */
  blobObject: '/internal/blobs/object',
} as const;

/** Headers of the blob routes. */
export const MONIO_BLOB_HEADERS = {
  /** Put: the expected SHA-256 (hex). */
  sha256: 'x-blob-sha256',
  /** Put: the blob's media type (the request itself is `application/octet-stream`). */
  contentType: 'x-blob-content-type',
  /** Get: the `BlobInfo` as base64url JSON, since paths may hold characters headers cannot. */
  info: 'x-blob-info',
} as const;

/** Body of `GET /internal/monio`. */
export interface MonioInfo {
  /** Port of MonIO's microservice listener, on the host of its mesh URL. */
  microservicePort: number;
  /** Blob size limit of the store, in bytes. */
  maxBlobBytes: number;
  /** Whether batches run in MongoDB transactions (false: through the journal). */
  transactions: boolean;
}

/** Workspace of a request that names none. */
export const DEFAULT_MONIO_WORKSPACE = 'default';

/**
 * Error of a failed MonIO call, as the body of an HTTP error and as the
 * error of a message: `{ statusCode, error, message, details }`, with the
 * doc-store error code in `details.code`.
 */
export interface MonioErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

const ERROR_CODES = new Set(Object.keys(DOC_STORE_ERROR_STATUS));

export function errorBodyOf(
  error: DocStoreError,
  extra: Record<string, unknown> = {},
): MonioErrorBody {
  return {
    statusCode: error.status,
    error: STATUS_CODES[error.status] ?? 'Error',
    message: error.message,
    details: { code: error.code, ...error.details, ...extra },
  };
}

/** Rebuilds the `DocStoreError` of an error body, or returns null when the body carries none. */
export function docStoreErrorFrom(body: unknown): DocStoreError | null {
  if (typeof body !== 'object' || body === null) {
    return null;
  }

  const { message, details } = body as { message?: unknown; details?: unknown };
  const code = (details as { code?: unknown } | undefined)?.code;

  if (typeof message !== 'string' || typeof code !== 'string' || !ERROR_CODES.has(code)) {
    return null;
  }

  const { code: _code, ...rest } = details as Record<string, unknown>;
  const kept: DocStoreErrorDetails = {};

  for (const [key, value] of Object.entries(rest)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      kept[key] = value as DocStoreErrorDetails[string];
    }
  }

  return new DocStoreError(code as DocStoreErrorCode, message, kept);
}

export function encodeBlobInfo(info: BlobInfo): string {
  return Buffer.from(JSON.stringify(info), 'utf8').toString('base64url');
}

export function decodeBlobInfo(header: string | null): BlobInfo {
  try {
    const info = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as BlobInfo;

    if (
      typeof info.path === 'string' &&
      typeof info.size === 'number' &&
      typeof info.sha256 === 'string'
    ) {
      return info;
    }
  } catch {
    // Reported below.
  }

  throw new DocStoreError(
    'UNAVAILABLE',
    `MonIO sent a blob without a valid ${MONIO_BLOB_HEADERS.info} header.`,
  );
}
