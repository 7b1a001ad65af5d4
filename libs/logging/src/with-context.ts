import { PinoLogger } from 'nestjs-pino';
import { type Logger } from 'pino';

/** Ids that tie a log line to a job, table or user; the same field names in every service. */
export interface LogContext {
  jobId?: string;
  tableId?: string;
  userId?: string;
  workspaceId?: string;
}

const CONTEXT_KEYS = ['jobId', 'tableId', 'userId', 'workspaceId'] as const;

/**
 * Returns a child logger that writes the given ids on every line. Given a
 * nestjs-pino `PinoLogger`, the child derives from the current request's
 * logger, so the lines keep their `requestId`. Undefined ids are left out.
 */
export function withContext(logger: Logger | PinoLogger, context: LogContext): Logger {
  const parent = logger instanceof PinoLogger ? logger.logger : logger;
  const bindings: Record<string, string> = {};

  for (const key of CONTEXT_KEYS) {
    const value = context[key];

    if (value !== undefined) {
      bindings[key] = value;
    }
  }

  return parent.child(bindings);
}
