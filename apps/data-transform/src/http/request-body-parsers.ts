import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance } from 'fastify';

import { installBodyParsers, ServiceContext } from '@rokks/service-kit';

import { type DataTransformSettings } from '../data-transform.settings';
import { TransformHttpError } from './transform-http.error';

export { STREAM_BODY } from '@rokks/service-kit';

/** Room in a JSON body for the spec and the other fields beside the inline CSV. */
const JSON_ENVELOPE_BYTES = 1024 * 1024;

/**
 * The data-transform body parsers: the upload (`STREAM_BODY`) streams its
 * bytes, other routes accept JSON only. Their limit is twice the inline CSV
 * limit plus 1 MiB, because JSON escapes make a CSV text longer.
 */
@Injectable()
export class RequestBodyParsers implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly context: ServiceContext<DataTransformSettings>,
  ) {}

  onModuleInit(): void {
    const inlineLimit = this.context.settings.maxInlineCsvBytes;

    installBodyParsers(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), {
      maxJsonBytes: 2 * inlineLimit + JSON_ENVELOPE_BYTES,
      tooLarge: (limit) =>
        new TransformHttpError(
          'TOO_LARGE',
          `Request body is larger than ${limit} bytes: an inline csv may have at most ${inlineLimit} bytes; upload larger files with POST /api/transform/files.`,
          { limit },
        ),
    });
  }
}
