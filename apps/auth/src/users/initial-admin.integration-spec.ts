import { type RunningService } from '@rokks/service-kit';
import { type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { AUTH_SERVICE } from '../auth-service';
import { TEST_AUTH_ENV } from '../testing/auth-test-harness';
import { DEFAULT_ADMIN_EMAIL } from './initial-admin';

const CHEAP_ARGON2 = {
  ROKKS_AUTH_ARGON2_MEMORY_KIB: TEST_AUTH_ENV.ROKKS_AUTH_ARGON2_MEMORY_KIB,
  ROKKS_AUTH_ARGON2_TIME_COST: TEST_AUTH_ENV.ROKKS_AUTH_ARGON2_TIME_COST,
};

describe('first administrator', () => {
  let platform: TestPlatform;
  let client: TestMeshClient;
  let printed: string[];
  let writeSpy: jest.SpyInstance;

  beforeAll(async () => {
    platform = await TestPlatform.start({ registryEnv: TestTokenIssuer.create().registryEnv });
    client = await platform.meshClient('edge');
  }, 60_000);

  afterAll(async () => {
    await platform?.dispose();
  });

  beforeEach(() => {
    printed = [];
    writeSpy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));

        return true;
      });
  });

  afterEach(() => {
    writeSpy.mockRestore();
  });

  async function login(auth: RunningService, email: string, password: string): Promise<number> {
    const response = await client(`${auth.endpoints.meshUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });

    await response.body?.cancel();

    return response.status;
  }

  it('prints a generated password once', async () => {
    const first = (await platform.startService({
      ...AUTH_SERVICE,
      env: CHEAP_ARGON2,
    })) as unknown as RunningService;
    const block = printed.join('');
    const password = /password: (\S+)/.exec(block)?.[1];

    expect(block).toContain(`e-mail:   ${DEFAULT_ADMIN_EMAIL}`);
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await login(first, DEFAULT_ADMIN_EMAIL, password!)).toBe(200);
    expect(platform.logs.linesContaining([password!])).toEqual([]);

    await first.close();
    printed.length = 0;

    const second = (await platform.startService({
      ...AUTH_SERVICE,
      env: CHEAP_ARGON2,
    })) as unknown as RunningService;

    expect(printed.join('')).not.toContain('password:');
    expect(await login(second, DEFAULT_ADMIN_EMAIL, password!)).toBe(200);
    await second.close();
  }, 60_000);

  it('rejects a short administrator password', async () => {
    const started = platform.startService({
      ...AUTH_SERVICE,
      env: { ...CHEAP_ARGON2, ROKKS_ADMIN_PASSWORD: 'short' },
    });

    await expect(started).rejects.toThrow(/ROKKS_ADMIN_PASSWORD/);
  });
});
