import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@rokks/auth-guard';
import { type ServiceOptions } from '@rokks/service-kit';

import { AppModule } from './app.module';
import { docGatewaySettings } from './doc-gateway.settings';

/** How the doc gateway starts: `main.ts` runs it, and tests start it in process with their own `env`. */
export const DOC_GATEWAY_SERVICE = {
  service: 'doc-gateway',
  module: AppModule,
  settings: docGatewaySettings,
  description:
    'Document and blob store gateway: every document and blob read and write of the platform goes through it.',
  userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
} satisfies ServiceOptions<(typeof docGatewaySettings)['shape']>;
