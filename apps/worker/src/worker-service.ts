import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@rokks/auth-guard';
import { type ServiceOptions } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { workerSettings } from './worker.settings';

/** Start options of the worker: `main.ts` runs it, and tests start it in process with their own `env`. */
export const WORKER_SERVICE = {
  service: 'worker',
  module: AppModule,
  settings: workerSettings,
  description:
    'Job engine: runs ETL, sync, index, alert and AI generation jobs, and keeps the audit log.',
  userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
} satisfies ServiceOptions<(typeof workerSettings)['shape']>;
