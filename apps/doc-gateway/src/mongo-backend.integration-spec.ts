import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

import { type Response } from 'undici';

import { type StoredDocument } from '@rokks/doc-store';
import {
  buildProjects,
  MongoWireServer,
  type TestMeshClient,
  TestPlatform,
  TestTokenIssuer,
  workspaceRoot,
} from '@rokks/testing';

import { SHA256_HEADER } from './blobs/blob-transfer.util';
import { DOC_GATEWAY_SERVICE } from './doc-gateway-service';

// MonIO names the database of workspace `w` `<MONGO_DATABASE>_w`.
const DATABASE_PREFIX = 'gateway';
const DEFAULT_DATABASE = `${DATABASE_PREFIX}_default`;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, offset + size);
  }
}

interface QueryPage {
  documents: StoredDocument[];
  nextCursor: string | null;
}

/**
 * The doc gateway with `DOC_BACKEND=mongo`: it finds MonIO in the registry
 * and forwards every call to it, and MonIO stores the data in the MongoDB
 * wire-protocol test server of `@rokks/testing`.
 */
describe('doc-gateway on the mongo backend', () => {
  let wire: MongoWireServer;
  let platform: TestPlatform;
  let monio: ChildProcess | undefined;
  let buildDir: string | undefined;
  let client: TestMeshClient;
  let baseUrl: string;
  let editor: string;
  let run: string;

  async function call(
    method: string,
    target: string,
    options: {
      body?: unknown;
      raw?: Uint8Array | AsyncIterable<Uint8Array>;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${editor}`,
      ...options.headers,
    };
    let body: string | Uint8Array | AsyncIterable<Uint8Array> | undefined = options.raw;

    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }

    return client(`${baseUrl}${target}`, {
      method,
      headers,
      body,
      duplex:
        body === undefined || typeof body === 'string' || body instanceof Uint8Array
          ? undefined
          : 'half',
    });
  }

  async function json<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();

    expect([response.status, text]).toEqual([status, expect.anything()]);

    return JSON.parse(text) as T;
  }

  beforeAll(async () => {
    const tokens = TestTokenIssuer.create();

    wire = await MongoWireServer.start();
    platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });

    // MonIO is another app, so it runs from its build in a child process.
    buildDir = await buildProjects(['monio']);
    monio = spawn(process.execPath, [path.join(buildDir, 'apps/monio/src/main.js')], {
      cwd: workspaceRoot(),
      env: {
        PATH: process.env.PATH,
        ...platform.serviceEnv({
          ROKKS_LOG_LEVEL: 'info',
          MONGO_URL: wire.url,
          MONGO_DATABASE: DATABASE_PREFIX,
          MONIO_RECOVERY_INTERVAL_MS: '0',
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    platform.logs.attach(monio.stdout!, 'monio');
    platform.logs.attach(monio.stderr!, 'monio-stderr');
    await platform.logs.waitForRecord(
      (record) => record.source === 'monio' && record.msg === 'service started',
      60_000,
    );

    // Without MONIO_URL, the gateway looks MonIO up in the registry.
    const gateway = await platform.startService({
      ...DOC_GATEWAY_SERVICE,
      env: { DOC_BACKEND: 'mongo' },
    });

    baseUrl = gateway.endpoints.meshUrl;
    client = await platform.meshClient();
    editor = await tokens.sign({ roles: ['editor'] });
    run = randomBytes(4).toString('hex');
  }, 120_000);

  afterAll(async () => {
    await platform?.dispose();

    if (monio !== undefined && monio.exitCode === null && monio.signalCode === null) {
      const exited = new Promise((resolve) => monio?.once('exit', resolve));

      monio.kill('SIGTERM');
      await exited;
    }

    await wire?.close();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  it('reports the mongo backend ready', async () => {
    const body = await json<{ details: Record<string, { status: string; backend?: string }> }>(
      await client(`${baseUrl}/health/ready`),
      200,
    );

    expect(body.details['doc-store']).toMatchObject({ status: 'up', backend: 'mongo' });
  });

  it('PUT, GET and PATCH round trip', async () => {
    const collection = `people_${run}`;
    const target = `/api/doc/${collection}/ada`;
    const created = await json<StoredDocument>(
      await call('PUT', target, { body: { name: 'Ada', address: { city: 'London' } } }),
      200,
    );

    expect(created).toMatchObject({
      id: 'ada',
      data: { name: 'Ada', address: { city: 'London' } },
    });

    const read = await call('GET', target);

    expect(read.headers.get('etag')).toBe(`"${created.version}"`);
    expect(await json(read, 200)).toEqual(created);

    const merged = await json<StoredDocument>(
      await call('PATCH', target, {
        body: { address: { zip: 'N1' } },
        headers: { 'if-match': String(created.version) },
      }),
      200,
    );

    expect(merged.data).toEqual({ name: 'Ada', address: { city: 'London', zip: 'N1' } });
    expect(merged.version).toBeGreaterThan(created.version);
    expect(wire.collectionNames(DEFAULT_DATABASE)).toContain(`doc.${collection}`);
  });

  it('stale If-Match is 412', async () => {
    const target = `/api/doc/accounts_${run}/acc`;
    const first = await json<StoredDocument>(
      await call('PUT', target, { body: { balance: 1 } }),
      200,
    );
    const second = await json<StoredDocument>(
      await call('PUT', target, {
        body: { balance: 2 },
        headers: { 'if-match': String(first.version) },
      }),
      200,
    );
    const stale = await json<{ statusCode: number; details: Record<string, unknown> }>(
      await call('PATCH', target, {
        body: { balance: 3 },
        headers: { 'if-match': `"${first.version}"` },
      }),
      412,
    );

    expect(stale.statusCode).toBe(412);
    expect(stale.details).toMatchObject({
      code: 'PRECONDITION_FAILED',
      expectedVersion: first.version,
      actualVersion: second.version,
    });
    expect((await json<StoredDocument>(await call('GET', target), 200)).data).toEqual({
      balance: 2,
    });
  });

  it('query filters, sorts and pages', async () => {
    const collection = `scores_${run}`;

    for (let index = 0; index < 7; index++) {
      await json(
        await call('PUT', `/api/doc/${collection}/p${index}`, {
          body: { score: index % 3, group: index < 4 ? 'a' : 'b' },
        }),
        200,
      );
    }

    const query = { where: [['group', '==', 'a']], orderBy: [['score', 'desc']], limit: 3 };
    const first = await json<QueryPage>(
      await call('POST', `/api/doc/${collection}/query`, { body: query }),
      200,
    );
    const second = await json<QueryPage>(
      await call('POST', `/api/doc/${collection}/query`, {
        body: { ...query, startAfter: first.nextCursor },
      }),
      200,
    );

    expect(first.documents.map((document) => document.id)).toEqual(['p2', 'p1', 'p3']);
    expect(second.documents.map((document) => document.id)).toEqual(['p0']);
    expect(second.nextCursor).toBeNull();
  });

  it('blob put and get stream', async () => {
    const url = `/api/doc/blobs/files_${run}/report.bin`;
    const bytes = randomBytes(700_000);
    const info = await json<{ path: string; size: number; sha256: string }>(
      await call('PUT', url, {
        raw: chunks(bytes, 64 * 1024),
        headers: { [SHA256_HEADER]: sha256Hex(bytes), 'content-type': 'application/octet-stream' },
      }),
      200,
    );

    expect(info).toMatchObject({
      path: `files_${run}/report.bin`,
      size: bytes.length,
      sha256: sha256Hex(bytes),
    });

    const download = await call('GET', url);

    expect(download.status).toBe(200);
    expect(download.headers.get(SHA256_HEADER)).toBe(sha256Hex(bytes));
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    // GridFS keeps the bytes in the blobs bucket of the workspace's database.
    expect(wire.collectionNames(DEFAULT_DATABASE)).toContain('blobs.chunks');
  });

  it('wrong SHA-256 is 400', async () => {
    const url = `/api/doc/blobs/files_${run}/checked.bin`;
    const bytes = randomBytes(10_000);
    const mismatch = await json<{ details: Record<string, unknown> }>(
      await call('PUT', url, {
        raw: bytes,
        headers: { [SHA256_HEADER]: sha256Hex(Buffer.from('other')) },
      }),
      400,
    );

    expect(mismatch.details).toMatchObject({ code: 'CHECKSUM_MISMATCH' });

    const missing = await call('GET', url);

    await missing.body?.cancel();
    expect(missing.status).toBe(404);
  });
});
