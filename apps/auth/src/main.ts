import { runService } from '@rokks/service-kit';

import { AppModule } from './app.module';

void runService({
  service: 'auth',
  module: AppModule,
  description:
    'Sign-in for Rokks users: password and OpenID Connect sign-in, and the JWT access tokens every other service verifies.',
});
