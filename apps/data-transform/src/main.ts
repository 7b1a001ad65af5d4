import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'data-transform',
  module: AppModule,
  description:
    'File processing backend: profiles uploaded files and streams transformation results.',
});
