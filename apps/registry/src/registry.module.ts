import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { type Logger } from 'pino';

import { AuthGuardModule } from '@rokks/auth-guard';
import { LoggingModule } from '@rokks/logging';

import { ConfigController } from './admin/config.controller';
import { SecretsController } from './admin/secrets.controller';
import { BootstrapTokenGuard } from './bootstrap/bootstrap-token.guard';
import { BootstrapController } from './bootstrap/bootstrap.controller';
import { BootstrapService } from './bootstrap/bootstrap.service';
import { DatabaseHealthIndicator } from './health/database.health';
import { HealthController } from './health/health.controller';
import { ClientCertificateGuard } from './http/client-certificate.guard';
import { IdentityProvidersController } from './identity-providers/identity-providers.controller';
import { InstancesController } from './instances/instances.controller';
import { InstancesService } from './instances/instances.service';
import { RegistryMaintenance } from './registry-maintenance';
import { RegistryServerIdentity } from './registry-server-identity';
import { RegistryState } from './registry-state';

@Module({})
export class RegistryModule {
  static forRoot(
    state: RegistryState,
    serverIdentity: RegistryServerIdentity,
    logger: Logger,
  ): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        LoggingModule.forService('registry', {
          logger,
          // Every service heartbeats and the healthcheck polls the list, so
          // these would drown the log at info.
          routinePaths: [/^\/instances$/, /^\/instances\/[^/]+\/heartbeat$/],
        }),
        AuthGuardModule.forRoot({ internalSecret: state.platform.internalSecret }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        BootstrapController,
        InstancesController,
        ConfigController,
        SecretsController,
        IdentityProvidersController,
        HealthController,
      ],
      providers: [
        { provide: RegistryState, useValue: state },
        { provide: RegistryServerIdentity, useValue: serverIdentity },
        BootstrapService,
        BootstrapTokenGuard,
        ClientCertificateGuard,
        DatabaseHealthIndicator,
        InstancesService,
        RegistryMaintenance,
      ],
    };
  }
}
