import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type Observable, throwError } from 'rxjs';

import { isJobsError } from '@rokks/jobs';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { AuditQueryError } from '../audit/audit-log';

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

/** A 400 that names the invalid field; routes and message handlers throw it for bad input. */
export class InvalidFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidFieldError';
  }
}

function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;

  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Maps every exception of a route or message handler to the error body:
 * `JobsError` keeps its status and code, invalid fields are 400 naming the
 * field, Nest's HTTP exceptions and Fastify's client errors keep their
 * status. Anything else, and every 5xx, is logged with an error id that the
 * body carries instead of the cause.
 */
@Catch()
export class WorkerExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('WorkerExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    const body = this.describe(exception);

    if (host.getType() === 'rpc') {
      return throwError(() => body);
    }

    const reply = host.switchToHttp().getResponse<FastifyReply>();

    if (reply.sent || reply.raw.headersSent) {
      return undefined;
    }

    if (body.statusCode === 401) {
      void reply.header('www-authenticate', 'Bearer');
    }

    void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);

    return undefined;
  }

  private describe(exception: unknown): ErrorBody {
    if (exception instanceof InvalidFieldError || exception instanceof AuditQueryError) {
      return errorBody(400, exception.message, { code: 'INVALID_ARGUMENT', field: exception.field });
    }

    if (isJobsError(exception) && exception.status < 500) {
      return errorBody(exception.status, exception.message, { code: exception.code });
    }

    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : (response as { message?: unknown }).message ?? exception.message;

      return errorBody(
        exception.getStatus(),
        Array.isArray(message) ? message.join('; ') : String(message),
      );
    }

    const clientStatus = clientErrorStatus(exception);

    if (clientStatus !== undefined) {
      return errorBody(clientStatus, (exception as Error).message);
    }

    const errorId = randomUUID();

    this.logger.error({ err: exception, errorId }, 'request failed');

    const status = isJobsError(exception) ? exception.status : 500;

    return errorBody(status, `Internal error; quote error id ${errorId} when reporting it.`, {
      errorId,
    });
  }
}
