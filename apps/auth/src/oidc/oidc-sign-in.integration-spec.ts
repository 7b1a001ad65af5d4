import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';

import { ADMIN_EMAIL, AuthTestHarness, cookiePair } from '../testing/auth-test-harness';
import { TestIdentityProvider } from '../testing/test-identity-provider';

const CLIENT_ID = 'rokks-test-client';
const CLIENT_SECRET = 'test-client-secret-5f1e0a9b7c3d2e4f6a8b';
const PUBLIC_URL = 'http://localhost:3000';
const REDIRECT_URI = `${PUBLIC_URL}/auth/oidc/test/callback`;
// A second redirect URI, for the test's own client that fetches a raw ID token.
const TEST_CLIENT_REDIRECT_URI = 'http://localhost:3999/callback';

describe('sign-in with an OpenID Connect provider', () => {
  let harness: AuthTestHarness;
  let provider: TestIdentityProvider;

  beforeAll(async () => {
    provider = await TestIdentityProvider.start({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [REDIRECT_URI, TEST_CLIENT_REDIRECT_URI],
      directory: mkdtempSync(path.join(tmpdir(), 'rokks-idp-')),
    });
    harness = await AuthTestHarness.start({
      ROKKS_PUBLIC_URL: PUBLIC_URL,
      ROKKS_OIDC_CA_FILE: provider.caFile,
      ROKKS_OIDC_ALLOWED_DOMAINS: 'example.org',
    });

    const registered = await harness.client(
      `${harness.platform.registry.url}/identity-providers/test`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          displayName: 'Test provider',
          issuer: provider.issuer,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          scopes: ['openid', 'email'],
        }),
      },
    );

    expect(registered.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
    await provider?.close();
  });

  /** Starts a sign-in at the auth service and walks the browser through the provider. */
  async function signInAtProvider(
    returnTo = '/dashboards',
  ): Promise<{ callback: URL; flowCookie: string }> {
    const start = await harness.call(
      'GET',
      `/auth/oidc/test/start?returnTo=${encodeURIComponent(returnTo)}`,
    );

    expect(start.status).toBe(302);

    const authorizationUrl = new URL(start.headers.get('location')!);

    expect(authorizationUrl.origin).toBe(provider.issuer);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorizationUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(authorizationUrl.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const callback = await provider.authorize(authorizationUrl.href);

    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);

    return { callback, flowCookie: cookiePair(start, 'rokks_oidc') };
  }

  /** Delivers the provider's redirect to the auth service, as the edge would. */
  async function deliverCallback(
    callback: URL,
    flowCookie: string | undefined,
  ): Promise<Awaited<ReturnType<AuthTestHarness['call']>>> {
    return harness.call('GET', `/auth/oidc/test/callback${callback.search}`, {
      cookie: flowCookie,
    });
  }

  /** Signs `nextAccount` in and returns the claims of the access token that its refresh cookie gets. */
  async function signInThroughProvider(): Promise<ReturnType<typeof decodeJwt>> {
    const { callback, flowCookie } = await signInAtProvider();
    const finished = await deliverCallback(callback, flowCookie);
    const refresh = await harness.call('POST', '/auth/refresh', {
      cookie: cookiePair(finished, 'rokks_refresh'),
    });

    expect(refresh.status).toBe(200);

    return decodeJwt(((await refresh.json()) as { accessToken: string }).accessToken);
  }

  it('lists the enabled providers', async () => {
    const response = await harness.call('GET', '/auth/oidc/providers');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ id: 'test', displayName: 'Test provider' }]);
  });

  it('creates a user with a verified e-mail of an allowed domain', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'ada-1',
      email: 'Ada@Example.org',
      emailVerified: true,
    });

    const { callback, flowCookie } = await signInAtProvider();
    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toBe('/dashboards');
    expect(finished.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(/^rokks_oidc=; Path=\/auth\/oidc; Max-Age=0/),
    );

    const refresh = await harness.call('POST', '/auth/refresh', {
      cookie: cookiePair(finished, 'rokks_refresh'),
    });
    const body = (await refresh.json()) as { accessToken: string };

    expect(refresh.status).toBe(200);
    expect(decodeJwt(body.accessToken)).toMatchObject({
      email: 'Ada@Example.org',
      roles: ['viewer'],
      workspace: 'default',
    });
  });

  it('keeps the authorization code out of the logs', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'logged-1',
      email: 'logged@example.org',
      emailVerified: true,
    });

    const { callback, flowCookie } = await signInAtProvider();
    const code = callback.searchParams.get('code')!;
    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.status).toBe(302);
    expect(code.length).toBeGreaterThan(8);
    expect(harness.platform.logs.linesContaining([code])).toEqual([]);
  });

  it('signs the same user in again by subject', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'grace-1',
      email: 'grace@example.org',
      emailVerified: true,
    });

    const first = await signInThroughProvider();
    const second = await signInThroughProvider();

    expect(first.sub).toBeDefined();
    expect(second.sub).toBe(first.sub);
  });

  it('matches an existing user by verified e-mail', async () => {
    const admin = await harness.login();

    provider.nextAccount = provider.addAccount({
      subject: 'root-at-idp',
      email: ADMIN_EMAIL,
      emailVerified: true,
    });

    const claims = await signInThroughProvider();

    expect(claims.sub).toBe(admin.body.user.id);
    expect(claims.roles).toEqual(['admin']);
  });

  it('rejects an unverified e-mail', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'mallory-1',
      email: 'mallory@example.org',
      emailVerified: false,
    });

    const { callback, flowCookie } = await signInAtProvider();
    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toBe('/sign-in?error=email-not-verified');
    expect(
      finished.headers.getSetCookie().some((cookie) => cookie.startsWith('rokks_refresh=')),
    ).toBe(false);
  });

  it('rejects an unverified e-mail of an existing user', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'mallory-2',
      email: ADMIN_EMAIL,
      emailVerified: false,
    });

    const { callback, flowCookie } = await signInAtProvider();
    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.headers.get('location')).toBe('/sign-in?error=email-not-verified');
  });

  it('rejects a new user outside the allowed domains', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'eve-1',
      email: 'eve@elsewhere.test',
      emailVerified: true,
    });

    const { callback, flowCookie } = await signInAtProvider();
    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.headers.get('location')).toBe('/sign-in?error=no-account');
  });

  it('rejects a callback without the browser cookie', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'ada-2',
      email: 'ada2@example.org',
      emailVerified: true,
    });

    const { callback } = await signInAtProvider();
    const otherBrowser = await deliverCallback(
      callback,
      'rokks_oidc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );

    expect(otherBrowser.headers.get('location')).toBe('/sign-in?error=invalid-state');
  });

  it('rejects a replayed callback', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'ada-3',
      email: 'ada3@example.org',
      emailVerified: true,
    });

    const { callback, flowCookie } = await signInAtProvider();
    const first = await deliverCallback(callback, flowCookie);
    const replay = await deliverCallback(callback, flowCookie);

    expect(first.headers.get('location')).toBe('/dashboards');
    expect(replay.headers.get('location')).toBe('/sign-in?error=invalid-state');
  });

  it('rejects a forged state', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'ada-4',
      email: 'ada4@example.org',
      emailVerified: true,
    });

    const { callback, flowCookie } = await signInAtProvider();

    callback.searchParams.set('state', 'forged-state-value-that-was-never-issued');

    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.headers.get('location')).toBe('/sign-in?error=invalid-state');
  });

  it('reports a provider error', async () => {
    provider.nextAccount = undefined;

    const { callback, flowCookie } = await signInAtProvider();

    expect(callback.searchParams.get('error')).toBe('access_denied');

    const finished = await deliverCallback(callback, flowCookie);

    expect(finished.headers.get('location')).toBe('/sign-in?error=provider-error');
  });

  it('rejects a return path to another site', async () => {
    const response = await harness.call(
      'GET',
      `/auth/oidc/test/start?returnTo=${encodeURIComponent('//evil.test/x')}`,
    );

    expect(response.status).toBe(400);
  });

  it('answers 404 for an unknown provider', async () => {
    const response = await harness.call('GET', '/auth/oidc/nope/start');

    expect(response.status).toBe(404);
  });

  it('rejects the provider ID token as access token', async () => {
    provider.nextAccount = provider.addAccount({
      subject: 'ada-5',
      email: 'ada5@example.org',
      emailVerified: true,
    });

    const agent = new Agent({ connect: { ca: readFileSync(provider.caFile, 'utf8') } });
    const configuration = await oidc.discovery(
      new URL(provider.issuer),
      CLIENT_ID,
      undefined,
      oidc.ClientSecretPost(CLIENT_SECRET),
      {
        [oidc.customFetch]: (url, options) =>
          undiciFetch(url, { ...options, dispatcher: agent } as Parameters<
            typeof undiciFetch
          >[1]) as unknown as Promise<Response>,
      },
    );
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const callback = await provider.authorize(
      oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: TEST_CLIENT_REDIRECT_URI,
        scope: 'openid email',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      }).href,
    );
    const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });

    await agent.close();
    expect(tokens.id_token).toBeDefined();

    const response = await harness.call('GET', '/auth/me', { token: tokens.id_token });

    expect(response.status).toBe(401);
  });
});
