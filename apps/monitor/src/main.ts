import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'monitor',
  module: AppModule,
  description: 'Metrics aggregator: collects the operation logs of every service.',
});
