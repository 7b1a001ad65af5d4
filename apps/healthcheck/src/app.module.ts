import { Module } from '@nestjs/common';

import { SERVICE_NAMES, ServiceContext } from '@rokks/service-kit';

import { type HealthcheckSettings } from './healthcheck.settings';
import { InstanceProber } from './probes/instance-prober';
import { ProbeScheduler } from './probes/probe-scheduler';
import { ServiceHealthController } from './reports/service-health.controller';
import { ServiceHealthStore } from './reports/service-health.store';

/** Root module of the healthcheck service: probe rounds and the aggregate report. */
@Module({
  controllers: [ServiceHealthController],
  providers: [
    {
      provide: ServiceHealthStore,
      inject: [ServiceContext],
      useFactory: (context: ServiceContext<HealthcheckSettings>) =>
        new ServiceHealthStore(
          SERVICE_NAMES,
          context.settings.historySize,
          context.settings.probeIntervalMs,
        ),
    },
    InstanceProber,
    ProbeScheduler,
  ],
})
export class AppModule {}
