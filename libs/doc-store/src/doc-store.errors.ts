/** Stable reason for a failed doc-store call; the gateway maps each one to an HTTP status. */
export type DocStoreErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_NAME'
  | 'CHECKSUM_MISMATCH'
  | 'NOT_FOUND'
  | 'PRECONDITION_FAILED'
  | 'DOCUMENT_TOO_LARGE'
  | 'BLOB_TOO_LARGE'
  | 'DATA_CORRUPTED'
  | 'UNAVAILABLE';

/** HTTP status for each error code, as the doc gateway answers it. */
export const DOC_STORE_ERROR_STATUS: Readonly<Record<DocStoreErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  CHECKSUM_MISMATCH: 400,
  NOT_FOUND: 404,
  PRECONDITION_FAILED: 412,
  DOCUMENT_TOO_LARGE: 413,
  BLOB_TOO_LARGE: 413,
  DATA_CORRUPTED: 500,
  UNAVAILABLE: 503,
};

/** Facts about the failure that a client can act on, sent as the `details` of the HTTP error body. */
export type DocStoreErrorDetails = Record<string, string | number | boolean | null>;

/** The one error type every doc-store backend throws; `code` is stable, the message names the offending value. */
export class DocStoreError extends Error {
  override readonly name = 'DocStoreError';
  readonly status: number;

  constructor(
    readonly code: DocStoreErrorCode,
    message: string,
    readonly details: DocStoreErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = DOC_STORE_ERROR_STATUS[code];
  }
}

export function isDocStoreError(error: unknown, code?: DocStoreErrorCode): error is DocStoreError {
  return error instanceof DocStoreError && (code === undefined || error.code === code);
}

/** Renders a name or value for an error message so that control characters and quotes stay visible. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }

  if (typeof value === 'bigint') {
    return `${value}n`;
  }

  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
