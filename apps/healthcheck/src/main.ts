import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { healthcheckSettings } from './healthcheck.settings';

void runService({
  service: 'healthcheck',
  module: AppModule,
  settings: healthcheckSettings,
  description:
    'Liveness aggregator: probes the health of every service over mutual TLS and reports each as up, down or unknown.',
});
