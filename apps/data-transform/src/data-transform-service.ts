import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@rokks/auth-guard';
import { type ServiceOptions } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { dataTransformSettings } from './data-transform.settings';

/** Start options of the data-transform service: `main.ts` runs them, and tests start it in process with their own `env`. */
export const DATA_TRANSFORM_SERVICE = {
  service: 'data-transform',
  module: AppModule,
  settings: dataTransformSettings,
  description:
    'File processing backend: stores uploads, profiles files as server-sent events, previews transformations and starts ETL runs.',
  userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
} satisfies ServiceOptions<(typeof dataTransformSettings)['shape']>;
