import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';

import { Public } from '@rokks/auth-guard';
import { WorkerAuditRecorder } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type AuthSettings } from '../auth.settings';
import { readCookie, serializeCookie } from '../http/cookies.util';
import { openApiSchema } from '../http/open-api-schema.util';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { refreshCookie, secureCookies } from '../login/refresh-cookie';
import { UNKNOWN_ACCOUNT_ACTOR } from '../sessions/sign-in.service';
import { IdentityProviderDirectory } from './identity-provider.directory';
import { OIDC_FLOW_TTL_SECONDS } from './oidc-flow.store';
import { OidcSignInError, OidcSignInService } from './oidc-sign-in.service';

/** Cookie that binds a sign-in under way to the browser that started it. */
const FLOW_COOKIE = 'rokks_oidc';
const FLOW_COOKIE_PATH = '/auth/oidc';

const providerIdPipe = new ZodValidationPipe(
  z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: 'must be an identity provider id' }),
  'provider',
);

// A path on this origin: one leading slash, no scheme-relative `//` or `/\`, no control characters.
const returnToPipe = new ZodValidationPipe(
  z
    .string()
    .max(2048)
    .regex(/^\/(?![/\\])[^\s\\]*$/, { error: 'must be a path on this site, such as /dashboards' })
    .optional(),
  'returnTo',
);

/** Sign-in with the OpenID Connect providers configured in the registry. */
@ApiTags('sign-in')
@Controller('auth/oidc')
@Public()
export class OidcController {
  constructor(
    private readonly signIn: OidcSignInService,
    private readonly directory: IdentityProviderDirectory,
    private readonly context: ServiceContext<AuthSettings>,
    @InjectPinoLogger(OidcController.name) private readonly logger: PinoLogger,
    private readonly audit: WorkerAuditRecorder,
  ) {}

  @Get('providers')
  @ApiOperation({ summary: 'Identity providers users can sign in with' })
  @ApiOkResponse({
    schema: openApiSchema(z.array(z.object({ id: z.string(), displayName: z.string() })), 'output'),
  })
  async providers(): Promise<{ id: string; displayName: string }[]> {
    const providers = await this.directory.listEnabled();

    return providers.map((provider) => ({ id: provider.id, displayName: provider.displayName }));
  }

  @Get(':provider/start')
  @ApiOperation({
    summary: 'Start a sign-in with an identity provider',
    description:
      'Redirects the browser to the provider (authorization code flow with PKCE, state and nonce).',
  })
  @ApiQuery({
    name: 'returnTo',
    required: false,
    description: 'Path to open after the sign-in; default /',
  })
  @ApiFoundResponse({ description: "Redirect to the provider's authorization endpoint" })
  @ApiNotFoundResponse({ description: 'No enabled provider with this id' })
  @ApiServiceUnavailableResponse({ description: 'The provider or its settings cannot be reached' })
  async start(
    @Param('provider', providerIdPipe) providerId: string,
    @Query('returnTo', returnToPipe) returnTo: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const started = await this.signIn.start(providerId, returnTo ?? '/');

    void reply
      .header('cache-control', 'no-store')
      .header('set-cookie', this.flowCookie(started.browserBinding, OIDC_FLOW_TTL_SECONDS, request))
      .redirect(started.authorizationUrl.href, 302);
  }

  @Get(':provider/callback')
  @ApiOperation({
    summary: "The provider's redirect back after sign-in",
    description:
      'Checks state, the browser binding, PKCE and the ID token, then sets the refresh cookie and redirects to the returnTo path. A failure redirects to the sign-in page with ?error=<code>.',
  })
  @ApiFoundResponse({
    description: 'Redirect into the application, or to the sign-in page with an error code',
  })
  async callback(
    @Param('provider', providerIdPipe) providerId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const query = new URLSearchParams(
      request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
    );
    const settings = this.context.settings;
    const cookies = [this.flowCookie('', 0, request)];

    try {
      const { issued, returnTo } = await this.signIn.finish(
        providerId,
        query,
        readCookie(request.headers.cookie, FLOW_COOKIE),
      );

      cookies.push(refreshCookie(issued.refreshToken, issued.refreshExpiresAt, request, settings));
      void reply
        .header('cache-control', 'no-store')
        .header('set-cookie', cookies)
        .redirect(returnTo, 302);
    } catch (error) {
      const failure = error instanceof OidcSignInError ? error.failure : 'sign-in-failed';
      const level =
        failure === 'sign-in-failed' || failure === 'provider-unavailable' ? 'warn' : 'info';

      this.logger[level](
        { provider: providerId, failure, err: error },
        'identity-provider sign-in failed',
      );
      this.audit.record({
        actor: UNKNOWN_ACCOUNT_ACTOR,
        action: 'auth.sign_in_failed',
        target: null,
        details: { method: 'oidc', provider: providerId, reason: failure },
      });
      void reply
        .header('cache-control', 'no-store')
        .header('set-cookie', cookies)
        .redirect(`${settings.oidcErrorPath}?error=${failure}`, 302);
    }
  }

  private flowCookie(value: string, maxAgeSeconds: number, request: FastifyRequest): string {
    return serializeCookie(FLOW_COOKIE, value, {
      path: FLOW_COOKIE_PATH,
      maxAgeSeconds,
      secure: secureCookies(request, this.context.settings),
      httpOnly: true,
      sameSite: 'Lax',
    });
  }
}
