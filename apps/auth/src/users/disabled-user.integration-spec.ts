import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  JwtVerifier,
  type JwtVerifierOptions,
  TokenRejectedError,
} from '@rokks/auth-guard';

import { AuthTestHarness } from '../testing/auth-test-harness';

const ACCESS_TOKEN_TTL_SECONDS = 2;

describe('disabled user with a valid token', () => {
  let harness: AuthTestHarness;

  beforeAll(async () => {
    harness = await AuthTestHarness.start({
      ROKKS_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  it('loses access within the token lifetime', async () => {
    const verifier = new JwtVerifier({
      publicKeys: harness.client.identity
        .jwtPublicKeys as unknown as JwtVerifierOptions['publicKeys'],
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      clockSkewSeconds: 0,
    });
    const admin = await harness.login();
    const userId = await harness.createUser(
      admin.accessToken,
      'leaver@example.com',
      'leaver password 1',
      ['editor'],
    );
    const user = await harness.login('leaver@example.com', 'leaver password 1');
    const disabledAt = Date.now();
    const disable = await harness.call('PATCH', `/auth/users/${userId}`, {
      token: admin.accessToken,
      body: { disabled: true },
    });

    expect(disable.status).toBe(200);
    expect(user.body.expiresIn).toBe(ACCESS_TOKEN_TTL_SECONDS);

    // Refresh is refused at once, and the auth service's own routes check the user.
    expect(
      (await harness.call('POST', '/auth/refresh', { cookie: user.refreshCookie })).status,
    ).toBe(401);
    expect((await harness.call('GET', '/auth/me', { token: user.accessToken })).status).toBe(401);

    // Other services verify only the token, which stays valid until it expires.
    await expect(verifier.verify(user.accessToken)).resolves.toMatchObject({ id: userId });

    await new Promise((resolve) =>
      setTimeout(resolve, ACCESS_TOKEN_TTL_SECONDS * 1000 + 1100 - (Date.now() - disabledAt)),
    );

    const rejection = await verifier.verify(user.accessToken).catch((error: unknown) => error);

    expect(rejection).toBeInstanceOf(TokenRejectedError);
    expect((rejection as TokenRejectedError).reason).toBe('expired');
  });
});
