import { type ServiceOptions } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { edgeSettings } from './edge.settings';
import { PublicModule } from './public.module';

/** Start options of the edge: `main.ts` runs it, and tests start it in process with their own `env`. */
export const EDGE_SERVICE = {
  service: 'edge',
  module: AppModule,
  settings: edgeSettings,
  description:
    'API router for browser traffic: authenticates users and forwards their requests to the backends.',
  // Browsers reach the edge on this plain HTTP port in development.
  publicHttp: { module: PublicModule },
} satisfies ServiceOptions<(typeof edgeSettings)['shape']>;
