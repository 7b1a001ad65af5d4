import { randomBytes } from 'node:crypto';

import { Client } from 'pg';
import { type Response } from 'undici';

import { type RunningService } from '@rokks/service-kit';
import { SqlEngine } from '@rokks/sql-engine';
import { type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { SQL_GATEWAY_SERVICE } from '../sql-gateway-service';

/** The machine's PostgreSQL 15 on loopback with trust authentication. */
export const TEST_POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };

export type TestBackend = 'pglite' | 'postgres';

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ ...TEST_POSTGRES, database: 'postgres' });

  await client.connect();

  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of its own, `rokks_test_<random>`, on the test server. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rokks_test_${randomBytes(6).toString('hex')}`;

  await adminQuery(`CREATE DATABASE ${name}`);

  return {
    name,
    url: `postgres://${TEST_POSTGRES.user}@${TEST_POSTGRES.host}:${TEST_POSTGRES.port}/${name}`,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface CallOptions {
  /** Access token; default the editor's; null sends none. */
  token?: string | null;
  /** JSON body. */
  body?: unknown;
  /** Raw body bytes, streamed when an async iterable. */
  raw?: string | Uint8Array | AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A registry with a known JWT key and the SQL gateway in this process, on
 * embedded PGlite or on a fresh PostgreSQL database, called over mutual TLS
 * the way the edge and the worker call it.
 */
export class GatewayTestHarness {
  private constructor(
    readonly backend: TestBackend,
    readonly platform: TestPlatform,
    readonly service: RunningService,
    /** A mesh client standing in for the edge and the worker. */
    readonly client: TestMeshClient,
    readonly tokens: { viewer: string; editor: string; otherWorkspace: string; admin: string; noRoles: string },
    readonly database: TestDatabase | null,
  ) {}

  static async start(backend: TestBackend, env: Record<string, string> = {}): Promise<GatewayTestHarness> {
    const database = backend === 'postgres' ? await createTestDatabase() : null;
    const issuer = TestTokenIssuer.create();
    let platform: TestPlatform | undefined;

    try {
      platform = await TestPlatform.start({ registryEnv: issuer.registryEnv });

      const service = (await platform.startService({
        ...SQL_GATEWAY_SERVICE,
        env: { ...(database === null ? {} : { DATABASE_URL: database.url }), ...env },
      })) as unknown as RunningService;
      const client = await platform.meshClient('worker');
      const tokens = {
        viewer: await issuer.sign({ subject: 'viewer-1', roles: ['viewer'] }),
        editor: await issuer.sign({ subject: 'editor-1', email: 'editor@example.com', roles: ['editor'] }),
        otherWorkspace: await issuer.sign({ subject: 'editor-2', roles: ['editor'], workspace: 'team_b' }),
        admin: await issuer.sign({ subject: 'admin-1', roles: ['admin'] }),
        noRoles: await issuer.sign({ subject: 'no-roles-1', roles: [] }),
      };

      return new GatewayTestHarness(backend, platform, service, client, tokens, database);
    } catch (error) {
      await platform?.dispose();
      await database?.drop();
      throw error;
    }
  }

  /** The gateway's engine, for checks behind the API (row counts, physical tables). */
  get engine(): SqlEngine {
    return this.service.app.get(SqlEngine);
  }

  url(path: string): string {
    return `${this.service.endpoints.meshUrl}${path}`;
  }

  /** Calls the gateway with the internal secret and, unless `token` is null, a user's access token. */
  call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.tokens.editor : options.token;
    let body = options.raw;

    if (token !== null) {
      headers.authorization = `Bearer ${token}`;
    }

    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }

    const streamed = body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);

    return this.client(this.url(path), {
      method,
      headers,
      body,
      signal: options.signal,
      duplex: streamed ? 'half' : undefined,
    });
  }

  /** Calls an internal route, as the worker does: the internal secret only. */
  internal(method: string, path: string, options: Omit<CallOptions, 'token'> = {}): Promise<Response> {
    return this.call(method, path, { ...options, token: null });
  }

  /** Runs SQL on the gateway's database directly, as the engine's own user. */
  async sql(text: string): Promise<(string | null)[][]> {
    return (await this.engine.database.query(text)).rows;
  }

  async dispose(): Promise<void> {
    try {
      // Workspace roles belong to the whole server: drop them with the workspaces.
      if (this.database !== null) {
        for (const workspace of await this.engine.listWorkspaces()) {
          await this.engine.dropWorkspace(workspace.workspace);
        }
      }
    } finally {
      await this.platform.dispose();
      await this.database?.drop();
    }
  }
}

/** Reads a JSON response and checks its status; the body text shows in the failure. */
export async function readJson<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();

  expect({ status: response.status, body: text }).toEqual({ status, body: expect.any(String) as unknown });

  return (text === '' ? undefined : JSON.parse(text)) as T;
}
