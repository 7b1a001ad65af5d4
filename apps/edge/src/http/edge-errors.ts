import { STATUS_CODES, type ServerResponse } from 'node:http';

/** Body of every error the edge itself sends: `{ statusCode, error, message, details? }`. */
export interface EdgeErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Sends an error response on the raw Node response, unless headers went
 * out already (a failure in the middle of a streamed body), in which case
 * the connection is cut so the client sees an incomplete response.
 */
export function sendError(
  response: ServerResponse,
  statusCode: number,
  message: string,
  options: { headers?: Record<string, string>; details?: unknown } = {},
): void {
  if (response.headersSent) {
    response.destroy();

    return;
  }

  const body: EdgeErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };

  if (options.details !== undefined) {
    body.details = options.details;
  }

  const payload = JSON.stringify(body);

  for (const [name, value] of Object.entries(options.headers ?? {})) {
    response.setHeader(name, value);
  }

  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(payload));
  response.setHeader('cache-control', 'no-store');
  response.statusCode = statusCode;
  response.end(response.req.method === 'HEAD' ? undefined : payload);
}
