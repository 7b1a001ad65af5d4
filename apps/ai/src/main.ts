import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'ai',
  module: AppModule,
  description: 'LLM gateway to a cloud model or a local one.',
});
