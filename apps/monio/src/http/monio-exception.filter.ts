import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type Observable, throwError } from 'rxjs';

import { errorBodyOf, isDocStoreError, type MonioErrorBody } from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

/** A failure as it goes out: the HTTP status and the body (the message error for message handlers). */
interface Failure {
  status: number;
  body: unknown;
}

function errorBody(
  statusCode: number,
  message: string,
  details?: Record<string, unknown>,
): MonioErrorBody {
  const body: MonioErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };

  if (details !== undefined) {
    body.details = details;
  }

  return body;
}

/**
 * Nest's HTTP exceptions keep their status. An object response of 500 or
 * more goes out as the thrower built it, such as the 503 of a failed
 * readiness check, which lists each check.
 */
function fromHttpException(exception: HttpException): Failure {
  const status = exception.getStatus();
  const response = exception.getResponse();

  if (typeof response === 'string') {
    return { status, body: errorBody(status, response) };
  }

  if (status >= 500) {
    return { status, body: response };
  }

  const message = (response as { message?: unknown }).message ?? exception.message;

  return {
    status,
    body: errorBody(status, Array.isArray(message) ? message.join('; ') : String(message)),
  };
}

/** Fastify's own errors (body parsing, media type) carry their status in `statusCode`. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;

  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Maps every exception of a route or message handler to
 * `{ statusCode, error, message, details }`. A `DocStoreError` keeps its
 * status, message and details, with its code in `details.code`, so the
 * client rebuilds the same error. A 5xx also gets an error id, and its cause
 * is logged, never sent. Message handlers get the body as their error.
 */
@Catch()
export class MonioExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('MonioExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    const failure = this.describe(exception);

    if (host.getType() === 'rpc') {
      return throwError(() => failure.body);
    }

    const reply = host.switchToHttp().getResponse<FastifyReply>();

    // A blob stream that fails after its headers went out can only be cut off.
    if (reply.sent) {
      reply.raw.destroy();

      return undefined;
    }

    void reply.status(failure.status).header('cache-control', 'no-store').send(failure.body);

    return undefined;
  }

  private describe(exception: unknown): Failure {
    if (isDocStoreError(exception)) {
      if (exception.status < 500) {
        return { status: exception.status, body: errorBodyOf(exception) };
      }

      const errorId = randomUUID();

      this.logger.error(
        { err: exception, errorId, code: exception.code },
        'document store call failed',
      );

      return { status: exception.status, body: errorBodyOf(exception, { errorId }) };
    }

    if (exception instanceof HttpException) {
      return fromHttpException(exception);
    }

    const clientStatus = clientErrorStatus(exception);

    if (clientStatus !== undefined) {
      const message = exception instanceof Error ? exception.message : 'Invalid request.';

      return { status: clientStatus, body: errorBody(clientStatus, message) };
    }

    const errorId = randomUUID();

    this.logger.error({ err: exception, errorId }, 'request failed');

    return {
      status: 500,
      body: errorBody(500, `Internal error; quote error id ${errorId} when reporting it.`, {
        errorId,
      }),
    };
  }
}
