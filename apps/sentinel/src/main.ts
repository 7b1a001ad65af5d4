import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'sentinel',
  module: AppModule,
  description: 'Alert evaluator: evaluates alert rules and submits notification jobs.',
});
