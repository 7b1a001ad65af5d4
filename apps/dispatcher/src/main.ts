import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'dispatcher',
  module: AppModule,
  description: 'Cron scheduler: reads schedules, takes locks and submits jobs to the worker.',
});
