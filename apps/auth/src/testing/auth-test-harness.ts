import { type Response } from 'undici';

import { type RunningService } from '@rokks/service-kit';
import { type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { AUTH_SERVICE } from '../auth-service';

export const ADMIN_EMAIL = 'root@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Environment of an auth service under test: a known administrator and cheap argon2 settings. */
export const TEST_AUTH_ENV: Record<string, string> = {
  ROKKS_ADMIN_EMAIL: ADMIN_EMAIL,
  ROKKS_ADMIN_PASSWORD: ADMIN_PASSWORD,
  ROKKS_AUTH_ARGON2_MEMORY_KIB: '8192',
  ROKKS_AUTH_ARGON2_TIME_COST: '1',
  ROKKS_AUTH_ARGON2_PARALLELISM: '1',
};

/** Tokens and cookie of a successful sign-in. */
export interface SignedIn {
  accessToken: string;
  refreshCookie: string;
  body: {
    accessToken: string;
    expiresIn: number;
    user: { id: string; email: string; roles: string[] };
  };
}

/**
 * A registry with a known JWT key and the auth service in this process,
 * called over mutual TLS the way the edge calls it.
 */
export class AuthTestHarness {
  private constructor(
    readonly platform: TestPlatform,
    readonly auth: RunningService,
    /** A mesh client named `edge`, standing in for the edge. */
    readonly client: TestMeshClient,
    readonly tokens: TestTokenIssuer,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<AuthTestHarness> {
    const tokens = TestTokenIssuer.create();
    const platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });

    try {
      const auth = (await platform.startService({
        ...AUTH_SERVICE,
        env: { ...TEST_AUTH_ENV, ...env },
      })) as unknown as RunningService;
      const client = await platform.meshClient('edge');

      return new AuthTestHarness(platform, auth, client, tokens);
    } catch (error) {
      await platform.dispose();
      throw error;
    }
  }

  url(path: string): string {
    return `${this.auth.endpoints.meshUrl}${path}`;
  }

  /** Calls the auth service; `client` sets `x-forwarded-for` as the edge does. */
  async call(
    method: string,
    path: string,
    options: {
      body?: unknown;
      token?: string;
      cookie?: string;
      client?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };

    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }

    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }

    if (options.cookie !== undefined) {
      headers.cookie = options.cookie;
    }

    if (options.client !== undefined) {
      headers['x-forwarded-for'] = options.client;
    }

    return this.client(this.url(path), {
      method,
      headers,
      redirect: 'manual',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  }

  /** Signs in and returns the tokens; fails the test on any other status than 200. */
  async login(
    email = ADMIN_EMAIL,
    password = ADMIN_PASSWORD,
    client = '192.0.2.1',
  ): Promise<SignedIn> {
    const response = await this.call('POST', '/auth/login', { body: { email, password }, client });

    if (response.status !== 200) {
      throw new Error(`Login of ${email} failed with ${response.status}: ${await response.text()}`);
    }

    const body = (await response.json()) as SignedIn['body'];

    return {
      accessToken: body.accessToken,
      refreshCookie: cookiePair(response, 'rokks_refresh'),
      body,
    };
  }

  /** Creates a user through the admin API and returns its id. */
  async createUser(
    adminToken: string,
    email: string,
    password: string,
    roles: string[],
  ): Promise<string> {
    const response = await this.call('POST', '/auth/users', {
      token: adminToken,
      body: { email, password, roles },
    });

    if (response.status !== 201) {
      throw new Error(`Creating ${email} failed with ${response.status}: ${await response.text()}`);
    }

    return ((await response.json()) as { id: string }).id;
  }

  async dispose(): Promise<void> {
    await this.platform.dispose();
  }
}

/** Returns `name=value` of a cookie the response sets, for a `Cookie` header. */
export function cookiePair(response: Response, name: string): string {
  const header = response.headers.getSetCookie().find((value) => value.startsWith(`${name}=`));

  if (header === undefined) {
    throw new Error(`The response sets no ${name} cookie.`);
  }

  return header.split(';')[0];
}
