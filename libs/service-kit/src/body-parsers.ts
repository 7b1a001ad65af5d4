import { type FastifyInstance, type FastifyRequest } from 'fastify';

/** Route config flag (set with `@RouteConfig(STREAM_BODY)`) of routes that read `request.raw` themselves. */
export const STREAM_BODY = { streamBody: true } as const;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/iu;

/** An error whose `statusCode` Fastify sends as the response status. */
export class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export interface BodyParserOptions {
  /** Largest JSON body read, in bytes. */
  maxJsonBytes: number;
  /** The error for a JSON body over `maxJsonBytes`; the default is a 413 `BodyError`. */
  tooLarge?: (limit: number) => Error;
}

function isStreamRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { streamBody?: boolean } | undefined)?.streamBody === true;
}

/**
 * Replaces the body parsers of a Fastify instance. Routes marked with
 * `STREAM_BODY` get no parsed body, whatever the content type, and read the
 * bytes from `request.raw` as they arrive, so an upload never sits in memory.
 * Other routes accept JSON only (415 otherwise), up to `maxJsonBytes`.
 */
export function installBodyParsers(fastify: FastifyInstance, options: BodyParserOptions): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const tooLarge =
    options.tooLarge ?? ((limit: number) => new BodyError(413, `Request body is larger than ${limit} bytes.`));

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    if (isStreamRoute(request)) {
      done(null, undefined);

      return;
    }

    const contentType = request.headers['content-type'] ?? '';

    if (!JSON_MEDIA_TYPE.test(contentType)) {
      done(new BodyError(415, `Unsupported content type ${JSON.stringify(contentType)}: send the body as application/json.`));

      return;
    }

    readLimited(payload, options.maxJsonBytes, tooLarge).then(
      (text) => parseJson(request, text, done),
      (error: unknown) => done(error as Error),
    );
  });
}

/**
 * Reads a body up to `limit` bytes. Past the limit it stops reading and
 * leaves the rest to Node, which discards it once the 413 response is sent.
 */
function readLimited(payload: NodeJS.ReadableStream, limit: number, tooLarge: (limit: number) => Error): Promise<string> {
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
        reject(tooLarge(limit));

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
