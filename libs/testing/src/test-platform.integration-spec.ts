import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';

import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Agent, fetch } from 'undici';
import { z } from 'zod';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';
import { type ServiceInstanceInfo } from '@rokks/bootstrap';
import { ReadinessChecks, type RunningService, type ServiceSettings } from '@rokks/service-kit';

import { type TestMeshClient, TestPlatform } from './test-platform';

// A dependency whose state the test switches.
const dependency = { up: true };

@Injectable()
class DependencyProbe implements OnModuleInit {
  constructor(private readonly readiness: ReadinessChecks) {}

  onModuleInit(): void {
    this.readiness.register('fake-store', () => {
      if (!dependency.up) {
        throw new Error('fake store unreachable');
      }

      return { tables: 3 };
    });
  }
}

@Module({ providers: [DependencyProbe] })
class ProbeModule {}

const settings = z.object({ greeting: z.string().default('hello') });

describe('TestPlatform with a service-kit service', () => {
  let platform: TestPlatform;
  let client: TestMeshClient;
  let running: RunningService<ServiceSettings<typeof settings.shape>>;

  beforeAll(async () => {
    platform = await TestPlatform.start();
    running = await platform.startService({
      service: 'kit-probe',
      defaultPort: 0,
      module: ProbeModule,
      description: 'Service of the service-kit tests.',
      settings,
      env: { ROKKS_LOG_LEVEL: 'info' },
    });
    client = await platform.meshClient();
  }, 30_000);

  afterAll(async () => {
    await platform?.dispose();
  });

  beforeEach(() => {
    dependency.up = true;
  });

  it('applies base and service settings', () => {
    expect(running.context.settings.greeting).toBe('hello');
    expect(running.context.settings.logLevel).toBe('info');
    expect(running.endpoints.meshUrl).toBe(`https://127.0.0.1:${running.endpoints.port}`);
  });

  it('serves readiness with registered checks', async () => {
    const response = await client(`${running.endpoints.meshUrl}/health`);
    const body = (await response.json()) as {
      status: string;
      details: Record<string, { status: string; tables?: number }>;
    };

    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details.service.status).toBe('up');
    expect(body.details['fake-store']).toMatchObject({ status: 'up', tables: 3 });
  });

  it('reports a failed dependency with 503', async () => {
    dependency.up = false;

    const ready = await client(`${running.endpoints.meshUrl}/health/ready`);
    const body = (await ready.json()) as {
      status: string;
      error: Record<string, { message: string }>;
    };
    const live = await client(`${running.endpoints.meshUrl}/health/live`);

    await live.body?.cancel();
    expect(ready.status).toBe(503);
    expect(body.error['fake-store'].message).toBe('fake store unreachable');
    expect(live.status).toBe(200);
  });

  it('logs a readiness change once', async () => {
    const countFailures = (): number =>
      platform.logs
        .records()
        .filter(
          (record) => record.source === 'kit-probe' && record.msg === 'readiness check failed',
        ).length;
    const probe = async (): Promise<void> => {
      const response = await client(`${running.endpoints.meshUrl}/health`);

      await response.body?.cancel();
    };

    await probe();

    const before = countFailures();

    dependency.up = false;

    for (let attempt = 0; attempt < 3; attempt += 1) {
      await probe();
    }

    expect(countFailures() - before).toBe(1);
  });

  it('rejects health requests without the internal secret', async () => {
    const response = await client(`${running.endpoints.meshUrl}/health`, {
      headers: { [INTERNAL_SECRET_HEADER]: 'wrong' },
    });

    await response.body?.cancel();
    expect(response.status).toBe(401);
  });

  it('rejects clients without a mesh certificate', async () => {
    const agent = new Agent({ connect: { ca: client.identity.caCertificatePem } });

    try {
      await expect(
        fetch(`${running.endpoints.meshUrl}/health`, { dispatcher: agent }),
      ).rejects.toThrow();
    } finally {
      await agent.close();
    }
  });

  it('serves the OpenAPI document at /docs', async () => {
    const page = await client(`${running.endpoints.meshUrl}/docs`);
    const document = await client(`${running.endpoints.meshUrl}/docs-json`);
    const body = (await document.json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
    };

    await page.body?.cancel();
    expect(page.status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(body.info.title).toBe('Rokks kit-probe');
    expect(Object.keys(body.paths).sort()).toEqual(['/health', '/health/live', '/health/ready']);
  });

  it('registers the instance with the registry', async () => {
    const response = await client(`${platform.registry.url}/instances`);
    const instances = (await response.json()) as ServiceInstanceInfo[];

    expect(
      instances
        .filter((instance) => instance.service === 'kit-probe')
        .map((instance) => instance.url),
    ).toEqual([running.endpoints.meshUrl]);
  });

  it('requires a mesh certificate on the microservice port', async () => {
    const withoutCertificate = tlsHandshake(running.endpoints.microservicePort, {
      ca: client.identity.caCertificatePem,
    });
    const withCertificate = tlsHandshake(running.endpoints.microservicePort, {
      ca: client.identity.caCertificatePem,
      key: client.identity.privateKeyPem,
      cert: client.identity.certificatePem,
    });

    await expect(withoutCertificate).rejects.toThrow();
    await expect(withCertificate).resolves.toMatchObject({ subject: { CN: 'kit-probe' } });
  });

  it('serves a renewed certificate to new connections', async () => {
    const before = await tlsHandshake(running.endpoints.port, tlsClientOptions(client));
    const renewed = await running.context.registry.renew();
    const after = await tlsHandshake(running.endpoints.port, tlsClientOptions(client));
    const microservice = await tlsHandshake(
      running.endpoints.microservicePort,
      tlsClientOptions(client),
    );
    const renewedSerial = new X509Certificate(renewed.certificatePem).serialNumber;

    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.serialNumber).toBe(renewedSerial);
    expect(microservice.serialNumber).toBe(renewedSerial);
  });

  it('deregisters on close', async () => {
    const extra = await platform.startService({
      service: 'kit-extra',
      defaultPort: 0,
      module: ProbeModule,
      description: 'Second service of the service-kit tests.',
    });
    const url = extra.endpoints.meshUrl;

    await extra.close();

    const response = await client(`${platform.registry.url}/instances`);
    const instances = (await response.json()) as ServiceInstanceInfo[];

    expect(instances.map((instance) => instance.url)).not.toContain(url);
    await expect(client(`${url}/health`)).rejects.toThrow();
  });

  it('keeps secrets out of the logs', () => {
    const secrets = [
      client.identity.internalSecret,
      platform.registry.bootstrapToken(),
      'PRIVATE KEY',
    ];

    expect(platform.logs.linesContaining(secrets)).toEqual([]);
  });
});

function tlsClientOptions(client: TestMeshClient): { ca: string; key: string; cert: string } {
  return {
    ca: client.identity.caCertificatePem,
    key: client.identity.privateKeyPem,
    cert: client.identity.certificatePem,
  };
}

/** Completes a TLS handshake, waits for a late rejection, and returns the server's certificate. */
function tlsHandshake(
  port: number,
  options: { ca: string; key?: string; cert?: string },
): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options });

    // With TLS 1.3 the server checks the client certificate after the client
    // considers the handshake done. A rejection therefore arrives as a later
    // error or close, so the check waits briefly before resolving.
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();

      setTimeout(() => {
        socket.destroy();
        resolve(certificate);
      }, 200);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('connection closed by the server')));
  });
}
