import { type IncomingMessage, type ServerResponse } from 'node:http';

import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, type Level, type Logger, stdSerializers } from 'pino';

import { createLogger, serializeError } from './create-logger';
import { REQUEST_ID_HEADER, resolveRequestId } from './request-id.util';

export interface LoggingModuleOptions {
  /** An existing logger from `createLogger`; when absent, one is created from `level` and `destination`. */
  logger?: Logger;
  level?: string;
  destination?: DestinationStream;
  /** Paths of health probes, logged at debug when they succeed; default `/health`, `/healthz`, `/livez`, `/readyz`. */
  healthPaths?: string[];
  /** Routine requests (heartbeats, polling) logged at debug when they succeed, matched on the path. */
  routinePaths?: RegExp[];
}

/** Injection token of the root pino logger that the module's request logging writes to. */
export const ROKKS_LOGGER = Symbol('ROKKS_LOGGER');

const DEFAULT_HEALTH_PATHS = ['/health', '/healthz', '/livez', '/readyz'];
const ALL_ROUTES = { path: '{*path}', method: RequestMethod.ALL };

type RawRequest = IncomingMessage & { originalUrl?: string };

/**
 * Request logging for a service: one `request completed` line per request
 * with `requestId`, method, URL, status and duration, and the same
 * `requestId` on every line that nestjs-pino's `Logger` or `PinoLogger`
 * writes while the request runs. The id comes from a sane `x-request-id`
 * header or is generated, and the response echoes it in `x-request-id`.
 */
@Module({})
export class LoggingModule implements NestModule {
  static forService(service: string, options: LoggingModuleOptions = {}): DynamicModule {
    const logger = options.logger ?? createLogger({ service, level: options.level, destination: options.destination });
    const healthPaths = options.healthPaths ?? DEFAULT_HEALTH_PATHS;
    const routinePaths = options.routinePaths ?? [];

    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [ALL_ROUTES],
          pinoHttp: {
            logger,
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId' },
            // pino-http would run its own error serializer before ours and
            // relabel already-serialized errors, so the serializers are set here.
            wrapSerializers: false,
            serializers: { req: serializeRequest, res: stdSerializers.res, err: serializeError },
            genReqId: (request, response) => assignRequestId(request, response),
            customLogLevel: (request, response, error) =>
              chooseLevel(request, response, error, healthPaths, routinePaths),
          },
        }),
      ],
      providers: [{ provide: ROKKS_LOGGER, useValue: logger }],
      exports: [LoggerModule, ROKKS_LOGGER],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Fastify's middleware layer sets `req.id` to its own counter ("req-1"),
    // and pino-http keeps an existing `req.id`. This middleware runs first
    // (Nest applies a module's middleware before that of its imports) and
    // replaces it with the caller's or a generated id.
    consumer.apply(requestIdMiddleware).forRoutes(ALL_ROUTES);
  }
}

/**
 * Serializes a request like pino's standard serializer, without the parsed
 * `query`: the URL shows it already, where credential parameters are scrubbed.
 */
function serializeRequest(request: RawRequest): Record<string, unknown> {
  const { query: _query, ...serialized } = stdSerializers.req(request) as unknown as Record<string, unknown>;

  return serialized;
}

function requestIdMiddleware(request: RawRequest, response: ServerResponse, next: () => void): void {
  assignRequestId(request, response);
  next();
}

function assignRequestId(request: RawRequest, response: ServerResponse): string {
  const requestId = resolveRequestId(request.headers[REQUEST_ID_HEADER]);

  request.id = requestId;
  response.setHeader(REQUEST_ID_HEADER, requestId);

  return requestId;
}

function chooseLevel(
  request: RawRequest,
  response: ServerResponse,
  error: unknown,
  healthPaths: string[],
  routinePaths: RegExp[],
): Level {
  const status = response.statusCode;

  if (isHealthProbe(request, healthPaths)) {
    // A failing probe is worth a warning, but the healthcheck service
    // reports outages, so it is not logged as an error here.
    return status >= 500 ? 'warn' : 'debug';
  }

  if (error !== undefined || status >= 500) {
    return 'error';
  }

  if (status < 400 && routinePaths.some((pattern) => pattern.test(requestPath(request)))) {
    return 'debug';
  }

  return 'info';
}

function requestPath(request: RawRequest): string {
  const url = request.originalUrl ?? request.url ?? '';

  return url.split('?')[0];
}

function isHealthProbe(request: RawRequest, healthPaths: string[]): boolean {
  const path = requestPath(request);

  return healthPaths.some((healthPath) => path === healthPath || path.startsWith(`${healthPath}/`));
}
