import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@rokks/auth-guard';
import { type ServiceOptions } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { authSettings } from './auth.settings';

/** Start options of the auth service: `main.ts` runs it, and tests start it in process with their own `env`. */
export const AUTH_SERVICE = {
  service: 'auth',
  module: AppModule,
  settings: authSettings,
  description:
    'Sign-in for Rokks users: password and OpenID Connect sign-in, and the JWT access tokens every other service verifies.',
  userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
} satisfies ServiceOptions<(typeof authSettings)['shape']>;
