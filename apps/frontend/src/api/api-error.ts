/** The error body every Rokks service returns: `{statusCode, error, message, details?}`. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

/** A failed API call, with the server's message and a plain-words hint on what to do next. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The next step for the person using the app, by HTTP status. */
  get hint(): string {
    switch (this.status) {
      case 0:
        return 'Check your connection and that the Rokks server is running, then try again.';
      case 401:
        return 'Your session has ended: sign in again.';
      case 403:
        return 'Ask an administrator for access.';
      case 404:
        return 'It may have been deleted or renamed: reload the list.';
      case 409:
        return 'Choose another name, or pick a mode that replaces or appends.';
      case 412:
        return 'Someone else changed it meanwhile: reload and apply your change again.';
      case 413:
        return 'The file is larger than the server accepts.';
      case 429:
        return 'Too many requests: wait a moment and try again.';
      case 503:
        return 'A backend service is down: try again in a moment.';
      default:
        return this.status >= 500
          ? 'The server failed: try again, and report it if it persists.'
          : 'Correct the input and try again.';
    }
  }
}

/** Builds an ApiError from a response body, falling back to the status text when it is not the error shape. */
export function toApiError(status: number, statusText: string, body: unknown): ApiError {
  if (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as ApiErrorBody).message === 'string'
  ) {
    const { message, details } = body as ApiErrorBody;

    return new ApiError(status, message, details ?? {});
  }

  return new ApiError(
    status,
    `The request failed with HTTP ${status} ${statusText}.`.replace(' .', '.'),
  );
}

/** Returns the text to show for any caught error. */
export function describeError(error: unknown): { message: string; hint: string } {
  if (error instanceof ApiError) {
    return { message: error.message, hint: error.hint };
  }

  const message = error instanceof Error ? error.message : String(error);

  return { message, hint: 'Try again; reload the page if it persists.' };
}
