import { rmSync } from 'node:fs';
import path from 'node:path';

import { type RequestInit, type Response } from 'undici';

import { type RunningService, type ServiceOptions, type startService } from '@rokks/service-kit';
import { buildProjects, type TestMeshClient, TestPlatform, TestTokenIssuer, type TestTokenOptions } from '@rokks/testing';

import { DATA_TRANSFORM_SERVICE } from '../data-transform-service';
import { type DataTransformSettings } from '../data-transform.settings';

/** Backends the data-transform service calls, as apps to load from a private build. */
const BACKENDS = {
  'doc-gateway': { file: 'apps/doc-gateway/src/doc-gateway-service.js', options: 'DOC_GATEWAY_SERVICE' },
  worker: { file: 'apps/worker/src/worker-service.js', options: 'WORKER_SERVICE' },
  'sql-gateway': { file: 'apps/sql-gateway/src/sql-gateway-service.js', options: 'SQL_GATEWAY_SERVICE' },
} as const;

export type Backend = keyof typeof BACKENDS;

/** The part of a built app module the harness reads: its start options. */
type BuiltServiceModule = Record<string, ServiceOptions | undefined>;

interface BuiltServiceKit {
  startService: typeof startService;
}

export interface CallOptions {
  /** Access token; default the editor's. Null sends no Authorization header. */
  token?: string | null;
  /** A JSON body. */
  json?: unknown;
  /** A raw body with its own headers. */
  body?: Buffer | string | AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
}

/**
 * A registry, the doc gateway, the worker (and the SQL gateway when asked)
 * and the data-transform service, all in this process over real mutual TLS.
 * Apps may not import each other, so the backends are compiled into a
 * private folder and started with that build's own service kit, as
 * `@rokks/testing` does for the registry. Requests reach the services'
 * mesh ports with a test client certificate and user tokens of a known key.
 */
export class TransformTestHarness {
  private constructor(
    readonly platform: TestPlatform,
    readonly tokens: TestTokenIssuer,
    readonly client: TestMeshClient,
    readonly service: RunningService<DataTransformSettings>,
    readonly backends: Map<Backend, RunningService>,
    private readonly buildDir: string,
    readonly viewer: string,
    readonly editor: string,
  ) {}

  static async start(
    options: {
      /** Environment of the data-transform service. */
      env?: Record<string, string>;
      /** Backends to start; default the doc gateway and the worker. */
      backends?: Backend[];
      /** Environment of each backend. */
      backendEnv?: Partial<Record<Backend, Record<string, string>>>;
    } = {},
  ): Promise<TransformTestHarness> {
    const tokens = TestTokenIssuer.create();
    const platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });
    const names = options.backends ?? ['doc-gateway', 'worker'];
    const backends = new Map<Backend, RunningService>();
    let buildDir: string | undefined;

    try {
      buildDir = await buildProjects(names);

      const kit = require(path.join(buildDir, 'libs/service-kit/src/index.js')) as BuiltServiceKit;

      for (const name of names) {
        const { file, options: exportName } = BACKENDS[name];
        const module = require(path.join(buildDir, file)) as BuiltServiceModule;
        const serviceOptions = module[exportName] as ServiceOptions;
        const running = await kit.startService({
          ...serviceOptions,
          env: platform.serviceEnv(options.backendEnv?.[name]),
          logDestination: platform.logs.destination(name),
          bootstrapRetry: { attempts: 2, initialDelayMs: 100 },
        });

        backends.set(name, running);
      }

      const service = await platform.startService({ ...DATA_TRANSFORM_SERVICE, env: options.env });
      const client = await platform.meshClient();
      const viewer = await tokens.sign({ roles: ['viewer'], subject: 'viewer-1' });
      const editor = await tokens.sign({ roles: ['editor'], subject: 'editor-1' });

      return new TransformTestHarness(platform, tokens, client, service, backends, buildDir, viewer, editor);
    } catch (error) {
      await closeAll(backends);
      await platform.dispose();

      if (buildDir !== undefined) {
        rmSync(buildDir, { recursive: true, force: true });
      }

      throw error;
    }
  }

  sign(options: TestTokenOptions): Promise<string> {
    return this.tokens.sign(options);
  }

  /** Sends a request to the data-transform service's mesh port. */
  call(method: string, route: string, options: CallOptions = {}): Promise<Response> {
    return this.send(this.service.endpoints.meshUrl, method, route, options);
  }

  /** Sends a request to a backend's mesh port, such as the worker's `/api/jobs/{id}`. */
  callBackend(backend: Backend, method: string, route: string, options: CallOptions = {}): Promise<Response> {
    const running = this.backends.get(backend);

    if (running === undefined) {
      throw new Error(`The harness did not start ${backend}.`);
    }

    return this.send(running.endpoints.meshUrl, method, route, options);
  }

  /** Stops every service, deletes the data directory and the private build. */
  async dispose(): Promise<void> {
    try {
      await this.service.close();
      await closeAll(this.backends);
      await this.platform.dispose();
    } finally {
      rmSync(this.buildDir, { recursive: true, force: true });
    }
  }

  private async send(baseUrl: string, method: string, route: string, options: CallOptions): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.editor : options.token;

    if (token !== null) {
      headers.authorization = `Bearer ${token}`;
    }

    let body: RequestInit['body'];

    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else {
      body = options.body;
    }

    const response = await this.client(`${baseUrl}${route}`, {
      method,
      headers,
      body,
      ...(body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body) ? { duplex: 'half' as const } : {}),
    });

    return response as unknown as Response;
  }
}

async function closeAll(backends: Map<Backend, RunningService>): Promise<void> {
  for (const running of [...backends.values()].reverse()) {
    await running.close();
  }
}
