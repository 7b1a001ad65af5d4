import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyRequest } from 'fastify';

/** Route config flag (set with `@RouteConfig(STREAM_BODY)`) of routes that read `request.raw` themselves. */
export const STREAM_BODY = { streamBody: true } as const;

class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
}

function isStreamRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { streamBody?: boolean } | undefined)?.streamBody === true;
}

/**
 * Lets routes marked with `STREAM_BODY` read their body as it arrives: the
 * parser for every content type but JSON hands them no body and leaves the
 * bytes unread in `request.raw`, so Fastify never buffers a load. Other
 * routes accept JSON only.
 */
@Injectable()
export class StreamBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();

    // Fastify's text/plain parser would read the whole body first.
    if (fastify.hasContentTypeParser('text/plain')) {
      fastify.removeContentTypeParser('text/plain');
    }

    fastify.addContentTypeParser('*', (request, _payload, done) => {
      if (isStreamRoute(request)) {
        done(null, undefined);

        return;
      }

      done(
        new UnsupportedMediaTypeError(
          `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send the body as application/json`,
        ),
      );
    });
  }
}
