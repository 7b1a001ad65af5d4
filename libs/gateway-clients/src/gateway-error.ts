import { type Dispatcher, type Response } from 'undici';

/** The error body every Rokks service sends: `{statusCode, error, message, details?}`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * A failed call to another service. `status` is the HTTP status, or null
 * when no response came (connection refused, reset, TLS failure, timeout).
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    /** The service called, such as `sql-gateway`. */
    readonly service: string,
    readonly status: number | null,
    message: string,
    /** The `error` field of the response body, when it had one. */
    readonly error: string | null = null,
    readonly details: unknown = undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /**
   * True when trying again may succeed: no response, a 5xx status, 408 or
   * 429. Any other 4xx means the request itself is wrong (bad data, a name
   * conflict, a missing blob) and repeating it fails the same way.
   */
  get retryable(): boolean {
    return this.status === null || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** Builds the error of a response that did not have the expected status; reads and discards its body. */
export async function errorFromResponse(service: string, action: string, response: Response): Promise<GatewayError> {
  return errorFromStatus(service, action, response.status, response.statusText, () => response.text());
}

/** Builds the error of an undici `request` response that did not have the expected status; reads and discards its body. */
export async function errorFromResponseData(
  service: string,
  action: string,
  response: Dispatcher.ResponseData,
): Promise<GatewayError> {
  return errorFromStatus(service, action, response.statusCode, response.statusText, () => response.body.text());
}

async function errorFromStatus(
  service: string,
  action: string,
  status: number,
  statusText: string,
  readText: () => Promise<string>,
): Promise<GatewayError> {
  let text = '';

  try {
    text = await readText();
  } catch {
    // The status alone still describes the failure.
  }

  const body = parseErrorBody(text);
  const reason = body?.message ?? (text.trim().slice(0, 500) || statusText);

  return new GatewayError(service, status, `${action} failed with status ${status}: ${reason}`, body?.error ?? null, body?.details);
}

/** Wraps an error thrown before any response came (network, TLS) as a retryable `GatewayError`; an abort error passes through. */
export function errorFromRequest(service: string, action: string, error: unknown): Error {
  if (error instanceof GatewayError || (error instanceof Error && error.name === 'AbortError')) {
    return error;
  }

  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';

  return new GatewayError(service, null, `${action} failed, ${service} did not respond: ${String(error)}${cause}`, null, undefined, { cause: error });
}

function parseErrorBody(text: string): ErrorBody | null {
  if (!text.startsWith('{')) {
    return null;
  }

  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;

    return typeof body.message === 'string' ? (body as ErrorBody) : null;
  } catch {
    return null;
  }
}
