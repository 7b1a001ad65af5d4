import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance } from 'fastify';

import { MAX_DOCUMENT_BYTES } from '@rokks/doc-store';
import { BodyError, installBodyParsers } from '@rokks/service-kit';

export { STREAM_BODY } from '@rokks/service-kit';

/**
 * Maximum JSON request body. Twice the document limit leaves room for
 * white space and the query envelope, so the store, not the parser, rejects
 * a document over 1 MiB with its exact size.
 */
export const MAX_JSON_BODY_BYTES = 2 * MAX_DOCUMENT_BYTES;

/**
 * The doc gateway's body parsers: blob routes (`STREAM_BODY`) stream their
 * bytes, other routes accept JSON up to `MAX_JSON_BODY_BYTES`.
 */
@Injectable()
export class RequestBodyParsers implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    installBodyParsers(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), {
      maxJsonBytes: MAX_JSON_BODY_BYTES,
      tooLarge: (limit) =>
        new BodyError(
          413,
          `Request body is larger than ${limit} bytes; a document's data may be at most ${MAX_DOCUMENT_BYTES} bytes (1 MiB) as JSON.`,
        ),
    });
  }
}
