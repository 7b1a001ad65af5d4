import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'appconnect',
  module: AppModule,
  description: 'Airtable connector: discovery, schema and incremental sync.',
});
