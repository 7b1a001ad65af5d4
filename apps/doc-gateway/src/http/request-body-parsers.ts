import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyRequest } from 'fastify';

import { MAX_DOCUMENT_BYTES } from '@rokks/doc-store';

/** Route config flag (set with `@RouteConfig(STREAM_BODY)`) of routes that read `request.raw` themselves. */
export const STREAM_BODY = { streamBody: true } as const;

/**
 * Maximum JSON request body. Twice the document limit leaves room for
 * white space and the query envelope, so the store, not the parser, rejects
 * a document over 1 MiB with its exact size.
 */
export const MAX_JSON_BODY_BYTES = 2 * MAX_DOCUMENT_BYTES;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/iu;

class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function isStreamRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { streamBody?: boolean } | undefined)?.streamBody === true;
}

/**
 * Replaces the body parsers of the Fastify instance. Routes marked with
 * `STREAM_BODY` get no parsed body, whatever the content type, and read the
 * bytes from `request.raw` as they arrive, so a blob never sits in memory.
 * Other routes accept JSON only, up to `MAX_JSON_BODY_BYTES`.
 */
@Injectable()
export class RequestBodyParsers implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const parseJson = fastify.getDefaultJsonParser('error', 'error');

    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (request, payload, done) => {
      if (isStreamRoute(request)) {
        done(null, undefined);

        return;
      }

      const contentType = request.headers['content-type'] ?? '';

      if (!JSON_MEDIA_TYPE.test(contentType)) {
        done(
          new BodyError(
            415,
            `Unsupported content type ${JSON.stringify(contentType)}: send the body as application/json.`,
          ),
        );

        return;
      }

      readLimited(payload, MAX_JSON_BODY_BYTES).then(
        (text) => parseJson(request, text, done),
        (error: unknown) => done(error as Error),
      );
    });
  }
}

/**
 * Reads a body up to `limit` bytes. Past the limit it stops reading and
 * leaves the rest to Node, which discards it once the 413 response is sent.
 */
function readLimited(payload: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };

    const onData = (chunk: Buffer | string): void => {
      size += chunk.length;

      if (size > limit) {
        stop();
        payload.pause();
        reject(
          new BodyError(
            413,
            `Request body is larger than ${limit} bytes; a document's data may be at most ${MAX_DOCUMENT_BYTES} bytes (1 MiB) as JSON.`,
          ),
        );

        return;
      }

      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    };

    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };

    const onError = (error: Error): void => {
      stop();
      reject(error);
    };

    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}
