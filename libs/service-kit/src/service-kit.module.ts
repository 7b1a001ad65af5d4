import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { HealthController } from './health/health.controller';
import { ReadinessChecks } from './health/readiness-checks';
import { MeshClient } from './mesh-client';
import { ServiceContext } from './service-context';

/**
 * Providers every service module may inject: `ServiceContext`,
 * `MeshClient` and `ReadinessChecks`. With `health`, it also serves the
 * Terminus health routes.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(context: ServiceContext, options: { health: boolean }): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      // Failed checks are logged once per change by ReadinessChecks and per
      // request by the request logger, so Terminus logs nothing itself.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: options.health ? [HealthController] : [],
      providers: [{ provide: ServiceContext, useValue: context }, MeshClient, ReadinessChecks],
      exports: [ServiceContext, MeshClient, ReadinessChecks],
    };
  }
}
