/** Every failure the auth service reports to callers, with its HTTP status. */
export const AUTH_ERROR_STATUS = {
  INVALID_INPUT: 400,
  WEAK_PASSWORD: 400,
  INVALID_CREDENTIALS: 401,
  REFRESH_TOKEN_INVALID: 401,
  NOT_SIGNED_IN: 401,
  FORBIDDEN: 403,
  USER_NOT_FOUND: 404,
  PROVIDER_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  OWN_ACCOUNT: 409,
  TOO_MANY_ATTEMPTS: 429,
  ACCOUNT_LOCKED: 429,
  PROVIDER_UNAVAILABLE: 503,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_STATUS;

/** An expected failure: the exception filter sends its status and message as they are. */
export class AuthError extends Error {
  readonly status: number;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly options: { retryAfterSeconds?: number; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AuthError';
    this.status = AUTH_ERROR_STATUS[code];
  }
}
