import { Injectable, Module, type OnModuleInit } from '@nestjs/common';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';
import { ReadinessChecks, type RunningService, SERVICE_NAMES } from '@rokks/service-kit';
import { type TestMeshClient, TestPlatform } from '@rokks/testing';

import { AppModule } from './app.module';
import { healthcheckSettings } from './healthcheck.settings';
import {
  type HealthReport,
  type ServiceHealthDetail,
  type ServiceHealthView,
} from './reports/service-health.store';

// Readiness of the stand-in services, switched by the tests.
const dependencies = { sentinel: 'up' as 'up' | 'down' | 'hang' };

@Injectable()
class SentinelDependency implements OnModuleInit {
  constructor(private readonly readiness: ReadinessChecks) {}

  onModuleInit(): void {
    this.readiness.register(
      'rules-store',
      async () => {
        if (dependencies.sentinel === 'down') {
          throw new Error('rules store unreachable');
        }

        if (dependencies.sentinel === 'hang') {
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
      },
      { timeoutMs: 5000 },
    );
  }
}

@Module({ providers: [SentinelDependency] })
class SentinelStandInModule {}

@Module({})
class EmptyModule {}

describe('healthcheck service', () => {
  let platform: TestPlatform;
  let client: TestMeshClient;
  let healthcheck: RunningService;

  beforeAll(async () => {
    platform = await TestPlatform.start();
    healthcheck = (await platform.startService({
      service: 'healthcheck',
      module: AppModule,
      settings: healthcheckSettings,
      description: 'Healthcheck under test.',
      env: { ROKKS_HEALTHCHECK_INTERVAL_MS: '200', ROKKS_HEALTHCHECK_TIMEOUT_MS: '500' },
    })) as unknown as RunningService;
    await platform.startService({
      service: 'sentinel',
      module: SentinelStandInModule,
      description: 'Stand-in.',
    });
    client = await platform.meshClient();
  }, 30_000);

  afterAll(async () => {
    await platform?.dispose();
  });

  beforeEach(() => {
    dependencies.sentinel = 'up';
  });

  async function report(): Promise<HealthReport> {
    const response = await client(`${healthcheck.endpoints.meshUrl}/service-health`);

    expect(response.status).toBe(200);

    return (await response.json()) as HealthReport;
  }

  async function waitForService(
    service: string,
    predicate: (view: ServiceHealthView) => boolean,
    timeoutMs = 5000,
  ): Promise<ServiceHealthView> {
    const deadline = Date.now() + timeoutMs;
    let last: ServiceHealthView | undefined;

    while (Date.now() < deadline) {
      last = (await report()).services.find((view) => view.service === service);

      if (last !== undefined && predicate(last)) {
        return last;
      }

      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    throw new Error(
      `${service} did not reach the expected state within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
    );
  }

  it('lists every service of the map', async () => {
    await waitForService('sentinel', (view) => view.status === 'up');

    const body = await report();

    expect(body.services.filter((view) => view.expected).map((view) => view.service)).toEqual([
      ...SERVICE_NAMES,
    ]);
    expect(body.status).toBe('degraded');
    expect(body.probeIntervalMs).toBe(200);
  });

  it('reports the registry and itself up', async () => {
    const registry = await waitForService('registry', (view) => view.status === 'up');
    const itself = await waitForService('healthcheck', (view) => view.status === 'up');

    expect(registry.instances.map((instance) => instance.url)).toEqual([
      `${platform.registry.url}/`,
    ]);
    expect(itself.instances.map((instance) => instance.url)).toEqual([
      healthcheck.endpoints.meshUrl,
    ]);
  });

  it('reports services never started as unknown', async () => {
    const auth = (await report()).services.find((view) => view.service === 'auth');

    expect(auth?.status).toBe('unknown');
    expect(auth?.lastCheckedAt).toBeNull();
  });

  it('reports a failed dependency as down', async () => {
    await waitForService('sentinel', (view) => view.status === 'up');
    dependencies.sentinel = 'down';

    const view = await waitForService('sentinel', (candidate) => candidate.status === 'down');

    expect(view.lastError).toBe('HTTP 503: down: rules-store (rules store unreachable)');

    dependencies.sentinel = 'up';
    await waitForService('sentinel', (candidate) => candidate.status === 'up');
  });

  it('reports a probe time-out as down', async () => {
    await waitForService('sentinel', (view) => view.status === 'up');
    dependencies.sentinel = 'hang';

    const view = await waitForService('sentinel', (candidate) => candidate.status === 'down');

    expect(view.lastError).toBe('timed out after 500 ms');
  });

  it('keeps a short history per service', async () => {
    const response = await client(`${healthcheck.endpoints.meshUrl}/service-health/registry`);
    const detail = (await response.json()) as ServiceHealthDetail;

    expect(response.status).toBe(200);
    expect(detail.history.length).toBeGreaterThan(1);
    expect(detail.history.length).toBeLessThanOrEqual(20);
    expect(detail.history.every((entry) => entry.status === 'up' && entry.latencyMs !== null)).toBe(
      true,
    );
  });

  it('returns 404 for an unknown service', async () => {
    const response = await client(`${healthcheck.endpoints.meshUrl}/service-health/nonexistent`);

    await response.body?.cancel();
    expect(response.status).toBe(404);
  });

  it('reports a stopped service as down', async () => {
    const webapi = await platform.startService({
      service: 'webapi',
      module: EmptyModule,
      description: 'Stand-in.',
    });

    await waitForService('webapi', (view) => view.status === 'up');
    await webapi.close();

    // A round that listed the instance before it deregistered probes a closed
    // port first; the next round finds it missing from the registry.
    const view = await waitForService(
      'webapi',
      (candidate) => candidate.status === 'down' && candidate.instances.length === 0,
    );

    expect(view.lastError).toMatch(/no live instance in the registry/);
    expect(view.instances).toEqual([]);
  });

  it('requires the internal secret for the report', async () => {
    const response = await client(`${healthcheck.endpoints.meshUrl}/service-health`, {
      headers: { [INTERNAL_SECRET_HEADER]: 'not-the-secret' },
    });

    await response.body?.cancel();
    expect(response.status).toBe(401);
  });

  it('logs status changes, not every probe', () => {
    const changes = platform.logs
      .records()
      .filter((record) => record.source === 'healthcheck' && record.targetService === 'registry');

    expect(changes.map((record) => record.msg)).toEqual(['service is up']);
  });
});
