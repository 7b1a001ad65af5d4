import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type FastifyReply } from 'fastify';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { AuthError } from '../auth.errors';

/** Body of every error response: `{ statusCode, error, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Maps every exception to the platform's error body. `AuthError`s and
 * Nest's HTTP exceptions keep their status and message. Anything else is a
 * 500 with an error id, and its cause is logged, never sent.
 */
@Catch()
export class AuthExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('AuthExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      throw exception;
    }

    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { body, retryAfterSeconds } = this.describe(exception);

    if (retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(retryAfterSeconds));
    }

    void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);
  }

  private describe(exception: unknown): { body: ErrorBody; retryAfterSeconds?: number } {
    if (exception instanceof AuthError) {
      return {
        body: errorBody(exception.status, exception.message, {
          code: exception.code,
          ...(exception.options.details === undefined
            ? {}
            : { problems: exception.options.details }),
        }),
        retryAfterSeconds: exception.options.retryAfterSeconds,
      };
    }

    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return { body: fromHttpException(exception) };
    }

    const errorId = randomUUID();

    this.logger.error({ err: exception, errorId }, 'request failed');

    return {
      body: errorBody(500, `Internal error; quote error id ${errorId} when reporting it.`, {
        errorId,
      }),
    };
  }
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();

  if (typeof response === 'string') {
    return errorBody(status, response);
  }

  const { message, problems } = response as { message?: unknown; problems?: unknown };
  const text = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);

  return errorBody(status, text, problems === undefined ? undefined : { problems });
}

export function errorBody(statusCode: number, message: string, details?: unknown): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };

  if (details !== undefined) {
    body.details = details;
  }

  return body;
}
