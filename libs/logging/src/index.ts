export { createLogger, LOG_LEVELS, type CreateLoggerOptions } from './create-logger';
export { LoggingModule, ROKKS_LOGGER, type LoggingModuleOptions } from './logging.module';
export { REQUEST_ID_HEADER, resolveRequestId } from './request-id.util';
export { ScrubbingStream } from './scrubbing-stream';
export { isSecretKey, redactSecretKeys } from './secret-keys';
export { MIN_SECRET_VALUE_LENGTH, REDACTED, registerSecretValue, scrubSecretValues } from './secret-values';
export { withContext, type LogContext } from './with-context';
export { InjectPinoLogger, Logger, PinoLogger } from 'nestjs-pino';
export { MemoryDestination } from './testing/memory-destination';
