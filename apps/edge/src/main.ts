import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { PublicModule } from './public.module';

void runService({
  service: 'edge',
  module: AppModule,
  description:
    'API router for browser traffic: authenticates users and forwards their requests to the backends.',
  // Browsers reach the edge on this plain HTTP port in development.
  publicHttp: { module: PublicModule },
});
