import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

import { ScrubbingStream } from './scrubbing-stream';
import { redactSecretKeys } from './secret-keys';
import { REDACTED } from './secret-values';

export interface CreateLoggerOptions {
  /** Service name, written as `service` on every line. */
  service: string;
  /** Minimum level (`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`); default `info`. */
  level?: string;
  /** Destination of the JSON lines; default standard output, written synchronously. */
  destination?: DestinationStream;
}

// Header paths in the serialized request and response of pino-http. Keys
// inside log objects are redacted by name at any depth (see secret-keys.ts);
// these paths cover the serialized objects that bypass that walk.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-rokks-internal"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-rokks-internal"]',
];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * Serializes an error for the `err` key. The log formatter has usually
 * turned errors into plain objects already (so their properties could be
 * redacted), and serializing those again would relabel their `type` "Object".
 */
export function serializeError(value: unknown): unknown {
  return value instanceof Error ? pino.stdSerializers.err(value) : value;
}

/**
 * Creates the process logger, which writes JSON lines with `service`, an ISO
 * 8601 `time` and the level as a label. Secret-looking keys are redacted by
 * name, and every line passes through the secret value scrubber
 * (`registerSecretValue`).
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const level = options.level ?? 'info';

  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new RangeError(`Invalid log level "${level}": expected one of ${LOG_LEVELS.join(', ')}.`);
  }

  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const loggerOptions: LoggerOptions = {
    level,
    base: { service: options.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    serializers: { err: serializeError },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactSecretKeys(object),
    },
  };

  return pino(loggerOptions, new ScrubbingStream(destination));
}
