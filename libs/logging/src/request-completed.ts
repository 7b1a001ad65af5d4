import { type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Logger methods that `logRequestCompleted` writes with. */
export interface CompletionLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Ids of a request served outside pino-http, for its completion line. */
export interface CompletedExchange {
  requestId: string;
  userId?: string;
}

/**
 * Writes the one `request completed` line of a request that a service
 * serves before fastify (so without pino-http), with pino-http's fields
 * minus the headers. A 5xx status logs at error level, `aborted` marks a
 * client that left before the response ended, and a request that ended
 * before any response was sent has no status.
 */
export function logRequestCompleted(
  logger: CompletionLogger,
  request: IncomingMessage,
  response: ServerResponse,
  exchange: CompletedExchange,
  startedAt: number,
): void {
  const statusCode = response.statusCode;
  const line = {
    requestId: exchange.requestId,
    userId: exchange.userId,
    req: {
      id: exchange.requestId,
      method: request.method,
      url: request.url,
      remoteAddress: request.socket.remoteAddress,
    },
    res: { statusCode: response.headersSent ? statusCode : undefined },
    responseTime: Math.round(performance.now() - startedAt),
    aborted: response.writableFinished ? undefined : true,
  };

  if (statusCode >= 500) {
    logger.error(line, 'request completed');
  } else {
    logger.info(line, 'request completed');
  }
}
