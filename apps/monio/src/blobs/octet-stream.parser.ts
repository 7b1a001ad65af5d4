import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance } from 'fastify';

/**
 * Lets `application/octet-stream` bodies through unparsed, so the blob
 * route reads the bytes from `request.raw` as they arrive and a blob never
 * sits in memory. Fastify's body limit applies only to parsed bodies; the
 * store enforces the blob limit.
 */
@Injectable()
export class OctetStreamParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();

    fastify.addContentTypeParser('application/octet-stream', (_request, _payload, done) => {
      done(null, undefined);
    });
  }
}
