import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'doc-gateway',
  module: AppModule,
  description:
    'Document and blob store gateway: every document and blob read and write of the platform goes through it.',
});
