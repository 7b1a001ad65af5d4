import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type z } from 'zod';

import { bootstrapService, type ServiceIdentity } from '@rokks/bootstrap';
import { createLogger } from '@rokks/logging';
import { type MeshFetch, meshFetch } from '@rokks/mesh';
import {
  type BaseSettings,
  type RunningService,
  type ServiceOptions,
  type ServiceSettings,
  startService,
} from '@rokks/service-kit';

import { LogCapture } from './log-capture';
import { startTestRegistry, type TestRegistry } from './test-registry';

/** A mesh client for tests: `fetch` with its own certificate, plus the identity. */
export type TestMeshClient = MeshFetch & { identity: ServiceIdentity };

/**
 * A registry and services running in this process for one test file, over
 * a temporary data directory, with every log line captured in `logs`.
 * Services listen on free loopback ports. `dispose()` stops everything and
 * deletes the data directory.
 */
export class TestPlatform {
  private readonly services: RunningService<BaseSettings>[] = [];
  private readonly clients: MeshFetch[] = [];

  private constructor(
    readonly dataDir: string,
    readonly logs: LogCapture,
    readonly registry: TestRegistry,
  ) {}

  /** Starts a registry on a free port over a new temporary data directory. */
  static async start(
    options: { registryEnv?: Record<string, string> } = {},
  ): Promise<TestPlatform> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rokks-test-'));
    const logs = new LogCapture();

    try {
      const registry = await startTestRegistry({
        dataDir,
        logDestination: logs.destination('registry'),
        env: options.registryEnv,
      });

      return new TestPlatform(dataDir, logs, registry);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Environment of a service that bootstraps from this registry and listens on free ports. */
  serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ROKKS_DATA_DIR: this.dataDir,
      ROKKS_REGISTRY_URL: this.registry.url,
      ROKKS_PORT: '0',
      ROKKS_MICROSERVICE_PORT: '0',
      ROKKS_PUBLIC_PORT: '0',
      ROKKS_LOG_LEVEL: 'debug',
      ...extra,
    };
  }

  /**
   * Starts a service in this process with `startService`; `options.env` is
   * laid over `serviceEnv()`, and the logs go to `logs` under the service name.
   */
  async startService<TShape extends z.core.$ZodShape = Record<never, never>>(
    options: ServiceOptions<TShape>,
  ): Promise<RunningService<ServiceSettings<TShape>>> {
    const running = await startService({
      ...options,
      env: { ...this.serviceEnv(), ...options.env },
      logDestination: options.logDestination ?? this.logs.destination(options.service),
      bootstrapRetry: options.bootstrapRetry ?? { attempts: 2, initialDelayMs: 100 },
    });

    this.services.push(running as unknown as RunningService<BaseSettings>);

    return running;
  }

  /** Enrolls `service` with the registry and returns a mesh `fetch` with its certificate. */
  async meshClient(service = 'test-client'): Promise<TestMeshClient> {
    const identity = await bootstrapService({
      service,
      env: this.serviceEnv(),
      dataDir: path.join(this.dataDir, service),
      sharedDataDir: this.dataDir,
      logger: createLogger({ service, destination: this.logs.destination(service) }),
    });
    const client = meshFetch(identity);

    this.clients.push(client);

    return Object.assign(client, { identity });
  }

  /** Stops the services (newest first), the clients and the registry, then deletes the data directory. */
  async dispose(): Promise<void> {
    try {
      for (const service of this.services.reverse()) {
        await service.close();
      }

      for (const client of this.clients) {
        await client.close();
      }

      await this.registry.close();
    } finally {
      this.services.length = 0;
      this.clients.length = 0;
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
