import { Injectable, Module, type OnModuleInit } from '@nestjs/common';

import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

/** Reports the registry, where the edge finds the backends, as a readiness check. */
@Injectable()
class RegistryReadiness implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly context: ServiceContext,
  ) {}

  onModuleInit(): void {
    this.readiness.register(
      'registry',
      async () => ({ instances: (await this.context.registry.listInstances()).length }),
      {
        timeoutMs: 3000,
      },
    );
  }
}

/**
 * Root module of the edge's mesh listener: only the service kit's health
 * and docs routes. Browser traffic is served by `PublicModule`.
 */
@Module({ providers: [RegistryReadiness] })
export class AppModule {}
