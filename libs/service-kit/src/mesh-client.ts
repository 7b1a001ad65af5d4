import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Dispatcher, type RequestInit, type Response } from 'undici';

import { type MeshFetch, meshFetch, type MeshRequestOptions } from '@rokks/mesh';

import { ServiceContext } from './service-context';

/**
 * `fetch` for calls to other Rokks services: mutual TLS with the service's
 * current certificate (switched on each renewal), the mesh CA as the only
 * trust anchor and the internal secret header. Plain `http:` URLs are rejected.
 */
@Injectable()
export class MeshClient implements OnModuleDestroy {
  private current: MeshFetch;
  private readonly retired = new Set<Promise<void>>();

  constructor(context: ServiceContext) {
    this.current = meshFetch(context.identity);
    context.registry.onIdentityRenewed((identity) => {
      const previous = this.current;

      this.current = meshFetch(identity);
      // undici's close() lets requests in flight finish before it closes.
      const closing = previous.close().catch((error: unknown) => {
        context.logger.warn({ err: error }, 'closing the previous mesh connection pool failed');
      });

      this.retired.add(closing);
      void closing.finally(() => this.retired.delete(closing));
    });
  }

  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return this.current(url, init);
  }

  /** Sends a request with undici's `request`, whose bodies are Node streams; see `MeshFetch.request`. */
  request(url: string | URL, options?: MeshRequestOptions): Promise<Dispatcher.ResponseData> {
    return this.current.request(url, options);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.retired]);
    await this.current.close();
  }
}
