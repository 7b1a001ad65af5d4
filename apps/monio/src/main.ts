import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { MONIO_DESCRIPTION } from './monio-service';
import { monioSettings } from './monio.settings';

void runService({
  service: 'monio',
  module: AppModule,
  settings: monioSettings,
  description: MONIO_DESCRIPTION,
});
