import { type DocStore, MONIO_ROUTES, MonioDocStore, type MonioInfo } from '@rokks/doc-store';
import {
  describeDocStoreContract,
  expectDocStoreError,
  readStream,
} from '@rokks/doc-store/testing';
import { type RunningService } from '@rokks/service-kit';
import { MongoWireServer, type TestMeshClient, TestPlatform } from '@rokks/testing';

import { AppModule } from './app.module';
import { monioSettings } from './monio.settings';

let wire: MongoWireServer;
let platform: TestPlatform;
let client: TestMeshClient;
const services: RunningService[] = [];

/** Starts MonIO in this process against the wire-protocol test server (or `mongoUrl`). */
async function startMonio(env: Record<string, string>): Promise<RunningService> {
  const service = (await platform.startService({
    service: 'monio',
    module: AppModule,
    settings: monioSettings,
    description: 'MonIO under test.',
    env: { MONGO_URL: wire.url, MONIO_RECOVERY_INTERVAL_MS: '0', ROKKS_LOG_LEVEL: 'info', ...env },
  })) as unknown as RunningService;

  services.push(service);

  return service;
}

function monioStore(service: RunningService, workspace?: string): MonioDocStore {
  return new MonioDocStore({
    url: service.endpoints.meshUrl,
    fetch: client,
    identity: () => client.identity,
    workspace,
  });
}

beforeAll(async () => {
  wire = await MongoWireServer.start();
  platform = await TestPlatform.start();
  client = await platform.meshClient('doc-gateway');
}, 60_000);

afterAll(async () => {
  await platform?.dispose();
  await wire?.close();
});

describeDocStoreContract('MonioDocStore through MonIO', async ({ maxBlobBytes }) => {
  const service = await startMonio({
    MONIO_MAX_BLOB_BYTES: String(maxBlobBytes),
    MONGO_DATABASE: 'contract',
  });

  return monioStore(service);
});

describe('MonIO service', () => {
  let service: RunningService;
  let store: MonioDocStore;

  beforeAll(async () => {
    service = await startMonio({ MONGO_DATABASE: 'service' });
    store = monioStore(service);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  it('describes its endpoints', async () => {
    const response = await client(`${service.endpoints.meshUrl}${MONIO_ROUTES.info}`);
    const info = (await response.json()) as MonioInfo;

    expect(response.status).toBe(200);
    expect(info.microservicePort).toBe(service.endpoints.microservicePort);
    expect(info.maxBlobBytes).toBe(2 * 1024 * 1024 * 1024);
    // The test server is a standalone MongoDB, so batches use the journal.
    expect(info.transactions).toBe(false);
  });

  it('reports MongoDB ready', async () => {
    const response = await client(`${service.endpoints.meshUrl}/health/ready`);
    const body = (await response.json()) as {
      details: Record<string, { status: string; transactions?: boolean }>;
    };

    expect(response.status).toBe(200);
    expect(body.details.mongodb).toMatchObject({ status: 'up', transactions: false });
  });

  it('documents its routes', async () => {
    const response = await client(`${service.endpoints.meshUrl}/docs-json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };

    expect(Object.keys(document.paths).sort()).toEqual([
      '/health',
      '/health/live',
      '/health/ready',
      '/internal/blobs',
      '/internal/blobs/object',
      '/internal/monio',
    ]);
    expect(Object.keys(document.paths['/internal/blobs/object']).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
  });

  it('rejects calls without the internal secret', async () => {
    const response = await client(`${service.endpoints.meshUrl}${MONIO_ROUTES.blobs}`, {
      headers: { 'x-rokks-internal': 'not-the-secret' },
    });

    await response.body?.cancel();
    expect(response.status).toBe(401);
  });

  it('keeps workspaces apart', async () => {
    const first = monioStore(service, 'alpha');
    const second = monioStore(service, 'beta');

    try {
      await first.setDocument('notes', 'n1', { text: 'alpha only' });
      await first.putBlob('files/a.txt', Buffer.from('alpha'));

      await expectDocStoreError(second.getDocument('notes', 'n1'), 'NOT_FOUND');
      await expectDocStoreError(second.getBlob('files/a.txt'), 'NOT_FOUND');
      expect((await first.getDocument('notes', 'n1')).data).toEqual({ text: 'alpha only' });
      expect((await readStream((await first.getBlob('files/a.txt')).stream)).toString()).toBe(
        'alpha',
      );
      expect(wire.collectionNames('service_alpha')).toContain('doc.notes');
      expect(wire.collectionNames('service_beta')).not.toContain('doc.notes');
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('rejects an invalid workspace', async () => {
    const invalid = monioStore(service, '../other');

    try {
      const error = await expectDocStoreError(invalid.getDocument('notes', 'n1'), 'INVALID_NAME');

      expect(error.details.kind).toBe('workspace');
    } finally {
      await invalid.close();
    }
  });

  it('keeps secrets out of the logs', () => {
    expect(platform.logs.linesContaining([client.identity.internalSecret])).toEqual([]);
  });
});

describe('MonIO without MongoDB', () => {
  let service: RunningService;
  let store: DocStore;

  beforeAll(async () => {
    // A port nothing listens on: the wire server's port after it closed.
    const gone = await MongoWireServer.start();
    const url = gone.url;

    await gone.close();
    service = await startMonio({ MONGO_URL: url, MONGO_SERVER_SELECTION_TIMEOUT_MS: '300' });
    store = monioStore(service);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  it('starts and reports not ready', async () => {
    const response = await client(`${service.endpoints.meshUrl}/health/ready`);
    const body = (await response.json()) as { error: Record<string, { status: string }> };

    expect(response.status).toBe(503);
    expect(body.error.mongodb.status).toBe('down');
  });

  it('answers UNAVAILABLE', async () => {
    await expectDocStoreError(store.getDocument('notes', 'n1'), 'UNAVAILABLE');
    await expectDocStoreError(store.checkHealth(), 'UNAVAILABLE');
  });
});

describe('MonIO with no MongoDB configured', () => {
  let service: RunningService;
  let store: DocStore;

  beforeAll(async () => {
    service = (await platform.startService({
      service: 'monio',
      module: AppModule,
      settings: monioSettings,
      description: 'MonIO without MONGO_URL.',
      env: { ROKKS_LOG_LEVEL: 'info' },
    })) as unknown as RunningService;
    services.push(service);
    store = monioStore(service);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  it('reports ready as not configured', async () => {
    const response = await client(`${service.endpoints.meshUrl}/health/ready`);
    const body = (await response.json()) as { info: Record<string, { status: string; configured?: boolean }> };

    expect(response.status).toBe(200);
    expect(body.info.mongodb.configured).toBe(false);
  });

  it('answers UNAVAILABLE', async () => {
    await expectDocStoreError(store.getDocument('notes', 'n1'), 'UNAVAILABLE');
  });
});
