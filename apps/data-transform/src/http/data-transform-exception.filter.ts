import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type FastifyReply } from 'fastify';

import { EtlError } from '@rokks/etl';
import { GatewayError } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { formatSpecError } from '@rokks/transform';

import { TransformHttpError } from './transform-http.error';

/** Body of every error response: `{ statusCode, error, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

export function errorBody(statusCode: number, message: string, details?: Record<string, unknown>): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };

  if (details !== undefined) {
    body.details = details;
  }

  return body;
}

/** Fastify errors (body parsing, body size) carry their status in `statusCode`. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;

  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** Maps the expected stops of the ETL library to client errors, and returns null for failures of a component. */
function fromEtlError(error: EtlError): ErrorBody | null {
  switch (error.code) {
    case 'INVALID_SPEC':
      return errorBody(400, `Invalid spec: ${error.specErrors.map(formatSpecError).join('; ') || error.message}.`, {
        code: 'INVALID_SPEC',
        specErrors: error.specErrors,
      });
    case 'INVALID_OPTIONS':
      return errorBody(400, error.message, { code: 'INVALID_ARGUMENT' });
    case 'NO_COLUMNS':
    case 'READ_FAILED':
      return errorBody(422, `The file cannot be read: ${error.message}.`, { code: 'UNREADABLE_FILE' });
    case 'BAD_DATA':
      return errorBody(422, error.message, { code: 'BAD_DATA', problems: error.problems });
    case 'ABORTED':
    case 'LOAD_FAILED':
    case 'REJECTS_FAILED':
      return null;
  }
}

/**
 * Builds the error body of an exception; the `error` event of a profile
 * stream uses it too. A 5xx is logged with an error id.
 */
export function describeException(exception: unknown, logger: Pick<PinoLogger, 'error'>): ErrorBody {
  if (exception instanceof TransformHttpError) {
    return errorBody(exception.status, exception.message, { code: exception.code, ...exception.details });
  }

  if (exception instanceof EtlError) {
    const body = fromEtlError(exception);

    if (body !== null) {
      return body;
    }
  }

  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const response = exception.getResponse();
    const message =
      typeof response === 'string' ? response : (response as { message?: unknown }).message ?? exception.message;

    return errorBody(exception.getStatus(), Array.isArray(message) ? message.join('; ') : String(message));
  }

  const clientStatus = clientErrorStatus(exception);

  if (clientStatus !== undefined) {
    return errorBody(clientStatus, (exception as Error).message);
  }

  const errorId = randomUUID();

  logger.error({ err: exception, errorId }, 'request failed');

  if (exception instanceof GatewayError && (exception.status === null || exception.status >= 500)) {
    return errorBody(
      503,
      `The ${exception.service} service failed or did not respond; try again later, and quote error id ${errorId} if it persists.`,
      { code: 'UNAVAILABLE', service: exception.service, errorId },
    );
  }

  return errorBody(500, `Internal error; quote error id ${errorId} when reporting it.`, { errorId });
}

/**
 * Maps every exception of a route to the error body. This service's errors
 * and the ETL library's expected stops keep their status and code; Nest's
 * HTTP exceptions and Fastify's client errors keep their status. A backend
 * that fails with a 5xx or does not respond becomes 503. Every 5xx is logged with its
 * cause under an error id, and the body carries the id instead of the cause.
 */
@Catch()
export class DataTransformExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('DataTransformExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = describeException(exception, this.logger);
    const reply = host.switchToHttp().getResponse<FastifyReply>();

    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) {
      return;
    }

    if (body.statusCode === 401) {
      void reply.header('www-authenticate', 'Bearer');
    }

    // The rest of a body over the limit stays unread, so the connection
    // closes after the response instead of waiting for it.
    if (body.statusCode === 413) {
      void reply.header('connection', 'close');
    }

    void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);
  }
}
