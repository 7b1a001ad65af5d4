export type RegistryStartupErrorCode =
  | 'DATABASE_UNREADABLE'
  | 'DATABASE_CORRUPT'
  | 'DATABASE_TOO_NEW'
  | 'MASTER_KEY_INVALID'
  | 'MASTER_KEY_FILE_INSECURE'
  | 'MASTER_KEY_MISSING'
  | 'MASTER_KEY_MISMATCH'
  | 'STORED_VALUE_UNREADABLE'
  | 'PLATFORM_SECRET_INVALID';

/**
 * Error that stops the registry from starting. The message names the failed
 * check, the file or setting involved and the fix, never a secret value.
 */
export class RegistryStartupError extends Error {
  override readonly name = 'RegistryStartupError';

  constructor(
    readonly code: RegistryStartupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
