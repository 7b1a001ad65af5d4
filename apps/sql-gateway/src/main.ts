import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'sql-gateway',
  module: AppModule,
  description:
    'PostgreSQL gateway: every SQL query and table load of the platform goes through it.',
});
