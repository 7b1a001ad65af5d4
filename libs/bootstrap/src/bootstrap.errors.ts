export type BootstrapErrorCode =
  | 'INVALID_OPTIONS'
  | 'MISSING_SETTINGS'
  | 'TOKEN_REJECTED'
  | 'CA_FINGERPRINT_MISMATCH'
  | 'REQUEST_REJECTED'
  | 'INVALID_RESPONSE'
  | 'REGISTRY_UNAVAILABLE'
  | 'CACHE_UNUSABLE';

/**
 * Error raised by `@rokks/bootstrap`. `code` is stable for callers; the
 * message names the registry URL, the setting or file involved and the fix,
 * never a token or secret.
 */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';

  constructor(
    readonly code: BootstrapErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
