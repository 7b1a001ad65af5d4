import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type Observable, throwError } from 'rxjs';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { isSqlEngineError, type SqlEngineError } from '@rokks/sql-engine';

import { isConnectionFailure } from './connection-failure.util';

/** Body of every error response and message error: `{ statusCode, error, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Seconds a client should wait after a 429 before it retries. */
const RETRY_AFTER_SECONDS = 1;

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

function fromEngineError(error: SqlEngineError): ErrorBody {
  return errorBody(error.httpStatus, error.message, { code: error.code, ...error.details });
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();

  if (typeof response === 'string') {
    return errorBody(status, response);
  }

  const { message } = response as { message?: unknown };
  const text = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);

  return errorBody(status, text);
}

/** The logging calls `describeException` makes: a `PinoLogger` fits. */
export interface ExceptionLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Maps an exception to the error body. A `SqlEngineError` below 500 keeps
 * its status, message and details (plus its `code`); Nest's HTTP exceptions
 * and Fastify's client errors keep their status and message. Every 5xx is
 * logged with its cause under an error id, and the body carries the id
 * instead of the cause.
 */
export function describeException(exception: unknown, logger: ExceptionLogger): ErrorBody {
  if (isSqlEngineError(exception) && exception.httpStatus < 500) {
    return fromEngineError(exception);
  }

  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return fromHttpException(exception);
  }

  const clientStatus = clientErrorStatus(exception);

  if (clientStatus !== undefined) {
    return errorBody(clientStatus, (exception as Error).message);
  }

  const errorId = randomUUID();

  if (isSqlEngineError(exception) && exception.code === 'TIMEOUT') {
    logger.info({ err: exception, errorId }, 'query timed out');

    return errorBody(exception.httpStatus, `${exception.message} (error id ${errorId})`, {
      code: exception.code,
      errorId,
    });
  }

  if (isConnectionFailure(exception)) {
    logger.error({ err: exception, errorId }, 'database unavailable');

    return errorBody(503, `The database is unavailable; retry later, or quote error id ${errorId} when reporting it.`, {
      code: 'BACKEND_UNAVAILABLE',
      errorId,
    });
  }

  logger.error({ err: exception, errorId }, 'request failed');

  return errorBody(500, `Internal error; quote error id ${errorId} when reporting it.`, { errorId });
}

/** Returns the headers every error response carries, besides its body's type and length. */
export function errorHeaders(statusCode: number): [string, string][] {
  const headers: [string, string][] = [];

  if (statusCode === 401) {
    headers.push(['www-authenticate', 'Bearer']);
  }

  if (statusCode === 429) {
    headers.push(['retry-after', String(RETRY_AFTER_SECONDS)]);
  }

  headers.push(['cache-control', 'no-store']);

  return headers;
}

/**
 * Maps every exception of a route or message handler to the error body
 * (see `describeException`) and sends it with the headers of `errorHeaders`.
 */
@Catch()
export class SqlGatewayExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('SqlGatewayExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    const body = describeException(exception, this.logger);

    if (host.getType() === 'rpc') {
      return throwError(() => body);
    }

    const reply = host.switchToHttp().getResponse<FastifyReply>();

    if (reply.sent || reply.raw.destroyed) {
      return undefined;
    }

    for (const [name, value] of errorHeaders(body.statusCode)) {
      void reply.header(name, value);
    }

    void reply.status(body.statusCode).send(body);

    return undefined;
  }
}
