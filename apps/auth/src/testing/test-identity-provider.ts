import { writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import path from 'node:path';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { Agent, fetch } from 'undici';

import { createMeshCertificateAuthority, issueMeshCertificate } from '@rokks/mesh';

/** A user at the test provider, with the claims it releases. */
export interface TestProviderAccount {
  subject: string;
  email: string;
  emailVerified: boolean;
}

export interface TestIdentityProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Folder for the CA certificate file that the auth service must trust. */
  directory: string;
}

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 over HTTPS,
 * with a certificate from a throw-away CA. Its sign-in page is replaced by
 * a handler that signs in `nextAccount` and grants the requested scopes,
 * so a test can walk the whole authorization code flow with HTTP requests.
 */
export class TestIdentityProvider {
  /** The account the next interaction signs in. */
  nextAccount?: TestProviderAccount;
  private readonly accounts = new Map<string, TestProviderAccount>();
  private readonly agent: Agent;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    /** PEM file of the CA that signed the provider's certificate. */
    readonly caFile: string,
    caPem: string,
  ) {
    this.agent = new Agent({ connect: { ca: caPem } });
  }

  static async start(options: TestIdentityProviderOptions): Promise<TestIdentityProvider> {
    const authority = await createMeshCertificateAuthority({
      commonName: 'Test identity provider CA',
    });
    const certificate = await issueMeshCertificate(authority, { service: 'test-idp' });
    const caFile = path.join(options.directory, 'test-idp-ca.pem');

    writeFileSync(caFile, authority.certificatePem);

    // The issuer URL needs the port, so the provider is attached once the server listens.
    const routing: { handle?: (request: IncomingMessage, response: ServerResponse) => void } = {};
    const server = createServer(
      { key: certificate.privateKeyPem, cert: certificate.certificatePem },
      (request, response) => routing.handle?.(request, response),
    );

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const testProvider = new TestIdentityProvider(server, issuer, caFile, authority.certificatePem);
    const provider = await testProvider.createProvider(options);
    const providerCallback = provider.callback();

    routing.handle = (request, response) => {
      if (request.url?.startsWith('/interaction/') === true) {
        void testProvider.completeInteraction(provider, request, response);

        return;
      }

      providerCallback(request, response);
    };

    return testProvider;
  }

  addAccount(account: TestProviderAccount): TestProviderAccount {
    this.accounts.set(account.subject, account);

    return account;
  }

  /**
   * Follows the provider's redirects from an authorization URL, as a
   * browser would, and returns the URL it finally sends the browser to (the
   * client's redirect URI with `code` and `state`).
   */
  async authorize(authorizationUrl: string): Promise<URL> {
    const cookies = new Map<string, string>();
    let url = new URL(authorizationUrl);

    for (let hop = 0; hop < 10; hop += 1) {
      if (url.origin !== this.issuer) {
        return url;
      }

      const response = await fetch(url, {
        redirect: 'manual',
        dispatcher: this.agent,
        headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });

      for (const setCookie of response.headers.getSetCookie()) {
        const [pair] = setCookie.split(';');
        const separator = pair.indexOf('=');

        cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
      }

      await response.body?.cancel();

      const location = response.headers.get('location');

      if (location === null) {
        throw new Error(
          `The provider returned HTTP ${response.status} without a redirect at ${url.pathname}.`,
        );
      }

      url = new URL(location, url);
    }

    throw new Error('The provider redirected more than 10 times.');
  }

  async close(): Promise<void> {
    await this.agent.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async createProvider(options: TestIdentityProviderOptions): Promise<Provider> {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const signingKey = {
      ...(await exportJWK(privateKey)),
      kid: 'test-idp-key',
      alg: 'RS256',
      use: 'sig',
    };

    return new Provider(this.issuer, {
      clients: [
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          redirect_uris: options.redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: [signingKey] },
      cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: [] },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      // Explicit lifetimes, in seconds, keep the provider's start-up notices quiet.
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        Grant: 600,
        IdToken: 600,
        Interaction: 600,
        Session: 600,
      },
      findAccount: (_context: unknown, subject: string) => {
        const account = this.accounts.get(subject);

        return account === undefined
          ? undefined
          : {
              accountId: subject,
              claims: () => ({
                sub: subject,
                email: account.email,
                email_verified: account.emailVerified,
              }),
            };
      },
    });
  }

  private async completeInteraction(
    provider: Provider,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    try {
      const interaction = await provider.interactionDetails(request, response);
      const account = this.nextAccount;

      if (account === undefined) {
        await provider.interactionFinished(request, response, {
          error: 'access_denied',
          error_description: 'no test account chosen',
        });

        return;
      }

      const grant = new provider.Grant({
        accountId: account.subject,
        clientId: String(interaction.params.client_id),
      });

      grant.addOIDCScope(String(interaction.params.scope));

      const grantId = await grant.save();

      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: account.subject }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      response.statusCode = 500;
      response.end(String(error));
    }
  }
}
