import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Agent } from 'undici';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { createMeshAgent } from '@rokks/mesh';
import { ServiceContext } from '@rokks/service-kit';

/**
 * The undici connection pools to the backends: mutual TLS with the edge's
 * mesh certificate (`createMeshAgent` of `@rokks/mesh`), keep-alive
 * connections per backend origin. A certificate renewal switches to a new
 * agent; the old one closes once its requests have finished.
 */
@Injectable()
export class UpstreamAgent implements OnModuleDestroy {
  private current: Agent;
  private readonly retired = new Set<Promise<void>>();

  constructor(context: ServiceContext, @InjectPinoLogger(UpstreamAgent.name) logger: PinoLogger) {
    this.current = createMeshAgent(context.identity);
    context.registry.onIdentityRenewed((identity) => {
      const previous = this.current;

      this.current = createMeshAgent(identity);

      const closing = previous.close().catch((error: unknown) => {
        logger.warn({ err: error }, 'closing the previous backend connection pool failed');
      });

      this.retired.add(closing);
      void closing.finally(() => this.retired.delete(closing));
    });
  }

  get agent(): Agent {
    return this.current;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.retired]);
    await this.current.destroy();
  }
}
