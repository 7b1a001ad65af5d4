import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';

import { WorkerAuditRecorder } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type AuthSettings } from '../auth.settings';
import { DEFAULT_WORKSPACE, type IssuedTokens, SignInService } from '../sessions/sign-in.service';
import { AuthStorage } from '../storage/auth-storage';
import { type UserRecord } from '../users/user.store';
import { IdentityProviderDirectory, type ResolvedProvider } from './identity-provider.directory';
import { OidcFlowStore } from './oidc-flow.store';
import { presetFor } from './oidc-presets';

/** Why an identity-provider sign-in failed; sent to the SPA as `?error=<code>`. */
export type OidcFailure =
  | 'provider-error'
  | 'invalid-state'
  | 'sign-in-failed'
  | 'email-not-verified'
  | 'no-account'
  | 'account-disabled'
  | 'provider-unavailable';

/** A failed callback, with the code the browser is sent back with. */
export class OidcSignInError extends Error {
  constructor(
    readonly failure: OidcFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'OidcSignInError';
  }
}

/** The provider URL a started sign-in sends the browser to, and the flow's browser binding for the cookie. */
export interface StartedSignIn {
  authorizationUrl: URL;
  browserBinding: string;
}

/**
 * Sign-in with an OpenID Connect provider: the authorization code flow
 * with PKCE (S256), `state` and `nonce`. The user is found by the
 * provider's subject id, else by a verified e-mail. A user is created only
 * for a verified e-mail in an allowed domain.
 */
@Injectable()
export class OidcSignInService {
  private readonly flows: OidcFlowStore;

  constructor(
    private readonly directory: IdentityProviderDirectory,
    private readonly storage: AuthStorage,
    private readonly signIn: SignInService,
    private readonly context: ServiceContext<AuthSettings>,
    @InjectPinoLogger(OidcSignInService.name) private readonly logger: PinoLogger,
    private readonly audit: WorkerAuditRecorder,
  ) {
    this.flows = new OidcFlowStore(storage.database);
  }

  /**
   * Starts a sign-in and returns the provider's authorization URL.
   *
   * @throws AuthError PROVIDER_NOT_FOUND or PROVIDER_UNAVAILABLE.
   */
  async start(providerId: string, returnTo: string): Promise<StartedSignIn> {
    const provider = await this.directory.resolve(providerId);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const browserBinding = this.flows.start(state, {
      provider: providerId,
      nonce,
      codeVerifier,
      returnTo,
    });
    const preset = presetFor(provider.settings.issuer);
    const authorizationUrl = oidc.buildAuthorizationUrl(provider.configuration, {
      redirect_uri: this.redirectUri(providerId),
      response_type: 'code',
      scope: provider.settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...preset?.authorizationParameters(this.context.settings.oidcAllowedDomains),
    });

    this.logger.info({ provider: providerId }, 'identity-provider sign-in started');

    return { authorizationUrl, browserBinding };
  }

  /**
   * Completes a sign-in from the provider's redirect: checks the flow, trades
   * the code for tokens, checks the ID token (signature, issuer, audience,
   * nonce) and starts a session.
   *
   * @throws OidcSignInError with the reason to show.
   */
  async finish(
    providerId: string,
    query: URLSearchParams,
    browserBinding: string | undefined,
  ): Promise<{ issued: IssuedTokens; returnTo: string }> {
    const state = query.get('state');
    const flow = state === null ? undefined : this.flows.take(state, providerId, browserBinding);

    if (state === null || flow === undefined) {
      throw new OidcSignInError(
        'invalid-state',
        'The sign-in state is unknown, expired, used or from another browser.',
      );
    }

    if (query.has('error')) {
      throw new OidcSignInError(
        'provider-error',
        `The identity provider returned "${query.get('error')?.slice(0, 100)}".`,
      );
    }

    let provider: ResolvedProvider;

    try {
      provider = await this.directory.resolve(providerId);
    } catch (error) {
      throw new OidcSignInError(
        'provider-unavailable',
        'The identity provider cannot be reached.',
        { cause: error },
      );
    }

    const callbackUrl = new URL(this.redirectUri(providerId));

    callbackUrl.search = query.toString();

    let claims: { sub: string; email?: unknown; email_verified?: unknown };

    try {
      const tokens = await oidc.authorizationCodeGrant(provider.configuration, callbackUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();

      if (idClaims === undefined) {
        throw new Error('the token response has no ID token');
      }

      claims = idClaims;

      if (claims.email === undefined) {
        claims = await oidc.fetchUserInfo(
          provider.configuration,
          tokens.access_token,
          idClaims.sub,
        );
      }
    } catch (error) {
      throw new OidcSignInError(
        'sign-in-failed',
        'The identity provider response failed its checks.',
        { cause: error },
      );
    }

    const user = this.findOrCreateUser(providerId, claims);
    const issued = await this.signIn.startSession(user, `oidc:${providerId}`);

    this.logger.info(
      { userId: user.id, sessionId: issued.sessionId, provider: providerId },
      'user signed in',
    );

    return { issued, returnTo: flow.returnTo };
  }

  /** Returns the redirect URI registered at the provider: `<public URL>/auth/oidc/<provider>/callback`. */
  redirectUri(providerId: string): string {
    return `${this.context.settings.publicUrl}/auth/oidc/${encodeURIComponent(providerId)}/callback`;
  }

  private findOrCreateUser(
    providerId: string,
    claims: { sub: string; email?: unknown; email_verified?: unknown },
  ): UserRecord {
    const users = this.storage.users;
    const linked = users.findByIdentity(providerId, claims.sub);

    if (linked !== undefined) {
      return this.assertEnabled(linked);
    }

    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    // Some providers send the flag as the string "true".
    const verified = claims.email_verified === true || claims.email_verified === 'true';

    if (email === '' || !verified) {
      throw new OidcSignInError(
        'email-not-verified',
        'The identity provider did not confirm a verified e-mail address.',
      );
    }

    const existing = users.findByEmail(email);

    if (existing !== undefined) {
      this.assertEnabled(existing);
      users.linkIdentity(providerId, claims.sub, existing.id);

      return existing;
    }

    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();

    if (!this.context.settings.oidcAllowedDomains.includes(domain)) {
      throw new OidcSignInError(
        'no-account',
        `No account for this e-mail, and the domain "${domain}" is not open for sign-up.`,
      );
    }

    const role = this.context.settings.oidcDefaultRole;
    const roles = role === 'none' ? [] : [role];
    const created = users.create({
      email,
      passwordHash: null,
      workspace: DEFAULT_WORKSPACE,
      roles,
    });

    users.linkIdentity(providerId, claims.sub, created.id);
    this.logger.info(
      { userId: created.id, provider: providerId, role },
      'user created by identity-provider sign-in',
    );
    // The new user is the actor, because no administrator requested the account.
    this.audit.record({
      actor: created.id,
      action: 'user.created',
      target: created.id,
      details: {
        workspace: DEFAULT_WORKSPACE,
        roles,
        hasPassword: false,
        method: 'oidc',
        provider: providerId,
      },
    });

    return created;
  }

  private assertEnabled(user: UserRecord): UserRecord {
    if (user.disabled) {
      throw new OidcSignInError('account-disabled', 'This account is disabled.');
    }

    return user;
  }
}
