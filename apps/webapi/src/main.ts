import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'webapi',
  module: AppModule,
  description: 'Web API connector: extracts data over HTTP and WebSocket.',
});
