import { DocStoreError, isDocStoreError } from '../doc-store.errors';

// gRPC status codes that the Firestore client reports in `error.code`.
const GRPC_PERMISSION_DENIED = 7;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_ABORTED = 10;
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAUTHENTICATED = 16;

const RETRYABLE_GRPC_CODES = new Set([
  GRPC_DEADLINE_EXCEEDED,
  GRPC_RESOURCE_EXHAUSTED,
  GRPC_ABORTED,
  GRPC_UNAVAILABLE,
]);
const CREDENTIAL_GRPC_CODES = new Set([GRPC_PERMISSION_DENIED, GRPC_UNAUTHENTICATED]);
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
]);

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** Returns the HTTP status of a Cloud Storage API error, or undefined for other errors. */
export function storageStatus(error: unknown): number | undefined {
  const code = errorCode(error);

  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/**
 * Maps a Firestore (gRPC) error to `UNAVAILABLE` when retrying later can
 * help or the credentials were rejected; other errors pass through, so the
 * gateway returns 500 and logs the cause.
 */
export function translateFirestoreError(error: unknown): unknown {
  if (isDocStoreError(error)) {
    return error;
  }

  const code = errorCode(error);

  if (typeof code === 'number' && RETRYABLE_GRPC_CODES.has(code)) {
    return new DocStoreError(
      'UNAVAILABLE',
      'Firestore is unavailable or overloaded; retry later.',
      {},
      { cause: error },
    );
  }

  if (typeof code === 'number' && CREDENTIAL_GRPC_CODES.has(code)) {
    return new DocStoreError(
      'UNAVAILABLE',
      'Firestore rejected the credentials of the document store; check its service account and project.',
      {},
      { cause: error },
    );
  }

  return error;
}

/** Maps a Cloud Storage error to `UNAVAILABLE` for network failures, throttling, 5xx and rejected credentials. */
export function translateStorageError(error: unknown): unknown {
  if (isDocStoreError(error)) {
    return error;
  }

  const status = storageStatus(error);
  const code = errorCode(error);

  if (status === 401 || status === 403) {
    return new DocStoreError(
      'UNAVAILABLE',
      'Cloud Storage rejected the credentials of the document store; check its service account and bucket.',
      {},
      { cause: error },
    );
  }

  if (
    status === 408 ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (typeof code === 'string' && NETWORK_ERROR_CODES.has(code))
  ) {
    return new DocStoreError(
      'UNAVAILABLE',
      'Cloud Storage is unavailable or overloaded; retry later.',
      {},
      { cause: error },
    );
  }

  return error;
}
