import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyRequest } from 'fastify';

import { ServiceContext } from '@rokks/service-kit';

import { type DataTransformSettings } from '../data-transform.settings';
import { TransformHttpError } from './transform-http.error';

/** Route config flag (set with `@RouteConfig(STREAM_BODY)`) of routes that read `request.raw` themselves. */
export const STREAM_BODY = { streamBody: true } as const;

/** Room in a JSON body for the spec and the other fields beside the inline CSV. */
const JSON_ENVELOPE_BYTES = 1024 * 1024;

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
 * `STREAM_BODY` (the upload) get no parsed body, whatever the content type,
 * and read the bytes from `request.raw` as they arrive, so an upload never
 * sits in memory. Other routes accept JSON only. Their limit is twice the
 * inline CSV limit plus 1 MiB, because JSON escapes make a CSV text longer.
 */
@Injectable()
export class RequestBodyParsers implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly context: ServiceContext<DataTransformSettings>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    const inlineLimit = this.context.settings.maxInlineCsvBytes;
    const limit = 2 * inlineLimit + JSON_ENVELOPE_BYTES;

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

      readLimited(payload, limit, inlineLimit).then(
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
function readLimited(payload: NodeJS.ReadableStream, limit: number, inlineLimit: number): Promise<string> {
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
          new TransformHttpError(
            'TOO_LARGE',
            `Request body is larger than ${limit} bytes: an inline csv may have at most ${inlineLimit} bytes; upload larger files with POST /api/transform/files.`,
            { limit },
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
