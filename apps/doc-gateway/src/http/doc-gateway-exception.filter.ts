import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Observable, throwError } from 'rxjs';

import { isDocStoreError } from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

/** Body of every error response and message error: `{ statusCode, error, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

export function errorBody(statusCode: number, message: string, details?: unknown): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };

  if (details !== undefined) {
    body.details = details;
  }

  return body;
}

/** Fastify errors (body parsing, limits) carry their status in `statusCode`. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;

  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Maps every exception of a route or message handler to the error body.
 * A `DocStoreError` keeps its status, message and details (plus its
 * `code`); Nest's HTTP exceptions and Fastify's client errors keep their
 * status and message. Anything else, and every 5xx, is logged with an
 * error id that the body carries instead of the cause.
 */
@Catch()
export class DocGatewayExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('DocGatewayExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    const body = this.describe(exception);

    if (host.getType() === 'rpc') {
      return throwError(() => body);
    }

    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();

    if (reply.sent) {
      return undefined;
    }

    // A blob upload rejected before its end leaves unread bytes on the
    // connection. Closing it after the response stops the client from
    // sending the rest and keeps the next request off a half-read connection.
    if (!request.raw.complete) {
      void reply.header('connection', 'close');
    }

    if (body.statusCode === 401) {
      void reply.header('www-authenticate', 'Bearer');
    }

    void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);

    return undefined;
  }

  private describe(exception: unknown): ErrorBody {
    if (isDocStoreError(exception) && exception.status < 500) {
      return errorBody(exception.status, exception.message, {
        code: exception.code,
        ...exception.details,
      });
    }

    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return fromHttpException(exception);
    }

    const clientStatus = clientErrorStatus(exception);

    if (clientStatus !== undefined) {
      return errorBody(clientStatus, (exception as Error).message);
    }

    const errorId = randomUUID();

    this.logger.error({ err: exception, errorId }, 'request failed');

    if (isDocStoreError(exception)) {
      return errorBody(exception.status, `${exception.message} (error id ${errorId})`, {
        code: exception.code,
        errorId,
      });
    }

    return errorBody(500, `Internal error; quote error id ${errorId} when reporting it.`, {
      errorId,
    });
  }
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
