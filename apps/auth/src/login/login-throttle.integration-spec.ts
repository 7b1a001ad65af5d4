import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthTestHarness } from '../testing/auth-test-harness';

interface ErrorResponseBody {
  statusCode: number;
  message: string;
  details: { code: string };
}

describe('login rate limits', () => {
  let harness: AuthTestHarness;

  beforeAll(async () => {
    harness = await AuthTestHarness.start({
      ROKKS_LOGIN_CLIENT_MAX_ATTEMPTS: '6',
      ROKKS_LOGIN_CLIENT_WINDOW_SECONDS: '60',
      ROKKS_LOGIN_ACCOUNT_MAX_FAILURES: '3',
      ROKKS_LOGIN_LOCKOUT_SECONDS: '2',
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  function attempt(email: string, password: string, client: string) {
    return harness.call('POST', '/auth/login', { body: { email, password }, client });
  }

  it('one client hammering login gets 429', async () => {
    const statuses: number[] = [];

    for (let index = 0; index < 6; index += 1) {
      statuses.push(
        (await attempt(`guess-${index}@example.com`, 'some guessed password', '198.51.100.7'))
          .status,
      );
    }

    const limited = await attempt(ADMIN_EMAIL, ADMIN_PASSWORD, '198.51.100.7');
    const body = (await limited.json()) as ErrorResponseBody;

    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(body.details.code).toBe('TOO_MANY_ATTEMPTS');

    // Another client is not affected.
    expect((await attempt(ADMIN_EMAIL, ADMIN_PASSWORD, '198.51.100.8')).status).toBe(200);
  });

  it('failed logins in a row lock the account', async () => {
    const admin = await harness.login(ADMIN_EMAIL, ADMIN_PASSWORD, '203.0.113.1');

    await harness.createUser(admin.accessToken, 'lock-me@example.com', 'the real password 1', [
      'viewer',
    ]);

    const statuses: number[] = [];

    // Each attempt from a new address, so only the account limit applies.
    for (let index = 0; index < 3; index += 1) {
      statuses.push(
        (await attempt('lock-me@example.com', 'wrong password guess', `203.0.113.${10 + index}`))
          .status,
      );
    }

    const locked = await attempt('lock-me@example.com', 'the real password 1', '203.0.113.50');
    const body = (await locked.json()) as ErrorResponseBody;

    expect(statuses).toEqual([401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(body.details.code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(2);

    await new Promise((resolve) => setTimeout(resolve, 2100));

    expect(
      (await attempt('lock-me@example.com', 'the real password 1', '203.0.113.51')).status,
    ).toBe(200);
  });

  it('locks unknown e-mails alike', async () => {
    const statuses: number[] = [];

    for (let index = 0; index < 4; index += 1) {
      statuses.push(
        (
          await attempt(
            'nobody-here@example.com',
            'wrong password guess',
            `203.0.113.${100 + index}`,
          )
        ).status,
      );
    }

    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('a success clears the failure count', async () => {
    const admin = await harness.login(ADMIN_EMAIL, ADMIN_PASSWORD, '203.0.113.200');

    await harness.createUser(admin.accessToken, 'forgetful@example.com', 'the real password 2', [
      'viewer',
    ]);

    const statuses: number[] = [];

    for (const password of [
      'wrong one',
      'wrong two',
      'the real password 2',
      'wrong three',
      'wrong four',
    ]) {
      statuses.push(
        (await attempt('forgetful@example.com', password, `203.0.113.${statuses.length + 210}`))
          .status,
      );
    }

    expect(statuses).toEqual([401, 401, 200, 401, 401]);
  });
  it('trusts x-forwarded-for only from the edge', async () => {
    const worker = await harness.platform.meshClient('worker');
    const statuses: number[] = [];

    // Attempts from another service count against its own address, whatever
    // address it claims.
    for (let index = 0; index < 7; index += 1) {
      const response = await worker(harness.url('/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${50 + index}` },
        body: JSON.stringify({ email: `spread-${index}@example.com`, password: 'some guessed password' }),
      });

      statuses.push(response.status);
    }

    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });
});
