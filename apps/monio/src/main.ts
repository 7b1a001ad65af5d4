import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'monio',
  module: AppModule,
  description:
    'Optional MongoDB-backed document backend, an alternative to the default document store.',
});
