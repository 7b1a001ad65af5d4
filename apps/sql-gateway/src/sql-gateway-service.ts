import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@rokks/auth-guard';
import { type ServiceOptions } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { sqlGatewaySettings } from './sql-gateway.settings';

/** Start options of the SQL gateway: `main.ts` runs them, and tests start the service in process with their own `env`. */
export const SQL_GATEWAY_SERVICE = {
  service: 'sql-gateway',
  module: AppModule,
  settings: sqlGatewaySettings,
  description:
    'PostgreSQL gateway: every SQL query and table load of the platform goes through it.',
  userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
} satisfies ServiceOptions<(typeof sqlGatewaySettings)['shape']>;
