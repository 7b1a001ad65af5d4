import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'worker',
  module: AppModule,
  description: 'Job engine: runs ETL, sync, index, alert and AI generation jobs.',
});
