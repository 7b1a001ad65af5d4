import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';

import { type LoadColumn, type LoadRequest } from '@rokks/etl';
import { buildProjects, ServiceProcess, type TestMeshClient, TestPlatform } from '@rokks/testing';

import { DocGatewayClient } from './doc-gateway-client';
import { GatewayError } from './gateway-error';
import { SqlGatewayClient } from './sql-gateway-client';
import { WorkerClient } from './worker-client';

const WORKSPACE = 'default';

const COLUMNS: LoadColumn[] = [
  { name: 'id', label: 'ID', type: 'integer', columnId: null },
  { name: 'city', label: 'City name', type: 'text', columnId: null },
];

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];

  for await (const part of stream) {
    parts.push(part as Buffer);
  }

  return Buffer.concat(parts);
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, offset + size);
  }
}

/** Returns the error a promise rejects with, failing when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );

  expect(outcome).toBeInstanceOf(GatewayError);

  return outcome as GatewayError;
}

function loadRequest(loadId: string, table: string, mode: LoadRequest['mode'] = 'create'): LoadRequest {
  return { loadId, table, mode, key: null, columns: COLUMNS };
}

describe('gateway clients against the gateways', () => {
  let platform: TestPlatform;
  let buildDir: string | undefined;
  const processes: ServiceProcess[] = [];
  let client: TestMeshClient;
  let docsOverFetch: DocGatewayClient;
  let docsOverRequest: DocGatewayClient;
  let sql: SqlGatewayClient;
  let worker: WorkerClient;

  beforeAll(async () => {
    platform = await TestPlatform.start();
    buildDir = await buildProjects(['doc-gateway', 'sql-gateway', 'worker']);

    for (const app of ['doc-gateway', 'sql-gateway', 'worker']) {
      processes.push(await ServiceProcess.start(platform, buildDir, app));
    }

    client = await platform.meshClient('data-transform');

    const [docGateway, sqlGateway, workerService] = processes;

    docsOverFetch = new DocGatewayClient({ fetch: client, baseUrl: docGateway.meshUrl });
    docsOverRequest = new DocGatewayClient({
      fetch: client,
      request: (url, options) => client.request(url, options),
      baseUrl: docGateway.meshUrl,
    });
    sql = new SqlGatewayClient({ fetch: client, baseUrl: async () => Promise.resolve(sqlGateway.meshUrl) });
    worker = new WorkerClient({ fetch: client, baseUrl: workerService.meshUrl });
  }, 180_000);

  afterAll(async () => {
    for (const running of processes.reverse()) {
      await running.stop();
    }

    await platform?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  // With a `request` function the client sends blob bodies over undici's `request`, else over `fetch`.
  describe.each(['fetch', 'request'])('DocGatewayClient over %s', (transport) => {
    let docs: DocGatewayClient;

    beforeAll(() => {
      docs = transport === 'request' ? docsOverRequest : docsOverFetch;
    });

    it('streams a blob in and out', async () => {
      const bytes = randomBytes(300_000);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const info = await docs.putBlob(WORKSPACE, 'uploads/file_one', pieces(bytes, 64 * 1024), { sha256, contentType: 'text/csv' });

      expect(info).toMatchObject({ path: 'uploads/file_one', size: bytes.length, sha256 });

      const download = await docs.getBlob(WORKSPACE, 'uploads/file_one');

      expect(download.size).toBe(bytes.length);
      expect(download.sha256).toBe(sha256);
      expect((await readAll(download.stream)).equals(bytes)).toBe(true);
    });

    it('streams a Readable body', async () => {
      const bytes = randomBytes(200_000);
      const info = await docs.putBlob(WORKSPACE, 'uploads/file_readable', Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]), {
        contentLength: bytes.length,
      });

      expect(info.size).toBe(bytes.length);
      expect(info.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect((await readAll((await docs.getBlob(WORKSPACE, 'uploads/file_readable')).stream)).equals(bytes)).toBe(true);
    });

    it('rejects a wrong checksum', async () => {
      const error = await rejection(docs.putBlob(WORKSPACE, 'uploads/file_bad', 'abc', { sha256: '0'.repeat(64) }));

      expect(error.status).toBe(400);
      expect(error.retryable).toBe(false);
      expect(await rejection(docs.getBlob(WORKSPACE, 'uploads/file_bad'))).toMatchObject({ status: 404 });
    });

    it('lists and deletes blobs', async () => {
      await docs.putBlob(WORKSPACE, 'rejects/a b.csv', 'x');
      await docs.putBlob(WORKSPACE, 'rejects/c.csv', 'yz');
      await docs.putBlob('team_b', 'rejects/d.csv', 'other workspace');

      const page = await docs.listBlobs(WORKSPACE, { prefix: 'rejects/' });

      expect(page.blobs.map((blob) => [blob.path, blob.size])).toEqual([
        ['rejects/a b.csv', 1],
        ['rejects/c.csv', 2],
      ]);

      await docs.deleteBlob(WORKSPACE, 'rejects/a b.csv');
      await docs.deleteBlob(WORKSPACE, 'rejects/missing.csv');

      expect((await docs.listBlobs(WORKSPACE, { prefix: 'rejects/' })).blobs.map((blob) => blob.path)).toEqual(['rejects/c.csv']);
      expect(await readAll((await docs.getBlob('team_b', 'rejects/d.csv')).stream)).toEqual(Buffer.from('other workspace'));
    });

    it('reports a missing blob', async () => {
      const error = await rejection(docs.getBlob(WORKSPACE, 'uploads/file_missing'));

      expect(error.status).toBe(404);
      expect(error.service).toBe('doc-gateway');
      expect(error.message).toContain('uploads/file_missing');
    });
  });

  describe('WorkerClient', () => {
    it('submits and reads a job', async () => {
      const submitted = await worker.submitJob({ type: 'INDEX', payload: { workspace: WORKSPACE }, idempotencyKey: 'index-1', actor: 'user-1' });
      const again = await worker.submitJob({ type: 'INDEX', payload: { workspace: WORKSPACE }, idempotencyKey: 'index-1' });

      expect(submitted).toMatchObject({ type: 'INDEX', status: 'queued', attempts: 0 });
      expect(again.id).toBe(submitted.id);
      expect(await worker.getJob(submitted.id)).toMatchObject({ id: submitted.id, type: 'INDEX' });
    });

    it('rejects an unknown job type', async () => {
      const error = await rejection(worker.submitJob({ type: 'NOPE' }));

      expect(error.status).toBe(400);
      expect(error.message).toContain('type');
    });

    it('reports an unknown job', async () => {
      expect(await rejection(worker.getJob('0190d5c4-0000-7000-8000-000000000000'))).toMatchObject({ status: 404 });
    });

    it('records audit entries', async () => {
      const first = await worker.recordAudit({ actor: 'user-1', action: 'table.renamed', target: 't_1', details: { from: 'a', to: 'b' } });
      const second = await worker.recordAudit({ actor: 'sql-gateway', action: 'table.dropped' });

      expect(first).toMatchObject({ actor: 'user-1', action: 'table.renamed', target: 't_1', details: { from: 'a', to: 'b' } });
      expect(Number.isNaN(Date.parse(first.at))).toBe(false);
      expect(second).toMatchObject({ actor: 'sql-gateway', action: 'table.dropped', target: null });
      expect(second.id).toBeGreaterThan(first.id);
    });

    it('rejects an invalid audit entry', async () => {
      const error = await rejection(worker.recordAudit({ actor: 'user-1', action: 'Table Renamed' }));

      expect(error.status).toBe(400);
      expect(error.message).toContain('action');
      expect(await rejection(worker.recordAudit({ actor: '', action: 'table.renamed' }))).toMatchObject({ status: 400 });
    });
  });

  describe('SqlGatewayLoadTarget', () => {
    it('streams rows in several writes', async () => {
      const target = sql.loadTarget(WORKSPACE);
      const writer = await target.begin(loadRequest('load-cities', 'cities'));

      for (let batch = 0; batch < 20; batch += 1) {
        let text = '';

        for (let id = batch * 1000; id < (batch + 1) * 1000; id += 1) {
          text += `${id}\tcity\\t${id}\n`;
        }

        await writer.write(text);
      }

      const result = await writer.commit();

      expect(result).toMatchObject({ rowsLoaded: 20_000, alreadyApplied: false });
      expect(result.tableId).toMatch(/^t_[0-9a-f]{32}$/u);

      const table = await sql.findTable(WORKSPACE, 'cities');

      expect(table?.rowCount).toBe(20_000);
      expect(table?.columns.map((column) => [column.name, column.label, column.type])).toEqual([
        ['id', 'ID', 'integer'],
        ['city', 'City name', 'text'],
      ]);
    });

    it('spreads rows over several requests', async () => {
      // About 14 KB a write and a 20 KB limit: a new rows request every second write.
      const writer = await sql.loadTarget(WORKSPACE, 20_000).begin(loadRequest('load-spread', 'spread'));
      let expected = 0;

      for (let batch = 0; batch < 9; batch += 1) {
        let text = '';

        for (let id = batch * 1000; id < (batch + 1) * 1000; id += 1) {
          text += `${id}\ttown\n`;
          expected += 1;
        }

        await writer.write(text);
      }

      expect(await writer.commit()).toMatchObject({ rowsLoaded: expected, alreadyApplied: false });
      expect((await sql.findTable(WORKSPACE, 'spread'))?.rowCount).toBe(expected);
    });

    it('applies a load id once', async () => {
      const target = sql.loadTarget(WORKSPACE);
      const first = await target.begin(loadRequest('load-once', 'once'));

      await first.write('1\tone\n');

      const committed = await first.commit();
      const second = await target.begin(loadRequest('load-once', 'once'));

      await second.write('2\ttwo\n');

      expect(await second.commit()).toEqual({ tableId: committed.tableId, rowsLoaded: 1, alreadyApplied: true });
      expect((await sql.findTable(WORKSPACE, 'once'))?.rowCount).toBe(1);
    });

    it('fails bad values permanently', async () => {
      const target = sql.loadTarget(WORKSPACE);
      const writer = await target.begin(loadRequest('load-bad', 'bad_values'));
      const error = await rejection(
        (async () => {
          await writer.write('1\tfine\n');
          await writer.write('two\tnot a number\n');

          return writer.commit();
        })(),
      );

      await writer.abort();

      expect(error.status).toBe(422);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('two');
      expect(await sql.findTable(WORKSPACE, 'bad_values')).toBeNull();
    });

    it('aborts without a trace', async () => {
      const target = sql.loadTarget(WORKSPACE);
      const writer = await target.begin(loadRequest('load-aborted', 'aborted'));

      await writer.write('1\tone\n');
      await writer.abort();

      expect(await sql.findTable(WORKSPACE, 'aborted')).toBeNull();
    });

    it('rejects creating an existing table', async () => {
      const target = sql.loadTarget(WORKSPACE);
      const writer = await target.begin(loadRequest('load-first', 'taken'));

      await writer.write('1\tone\n');
      await writer.commit();

      const error = await rejection(target.begin(loadRequest('load-second', 'taken')));

      expect(error.status).toBe(409);
      expect(error.retryable).toBe(false);
    });

    it('commits a load without rows', async () => {
      const writer = await sql.loadTarget(WORKSPACE).begin(loadRequest('load-empty', 'empty'));

      expect(await writer.commit()).toMatchObject({ rowsLoaded: 0, alreadyApplied: false });
      expect((await sql.findTable(WORKSPACE, 'empty'))?.rowCount).toBe(0);
    });

    it('maps existing columns', async () => {
      expect(await sql.existingColumns(WORKSPACE, 'cities')).toEqual([
        { id: expect.stringMatching(/^f_/u) as unknown, name: 'id', label: 'ID', type: 'integer' },
        { id: expect.stringMatching(/^f_/u) as unknown, name: 'city', label: 'City name', type: 'text' },
      ]);
      expect(await sql.existingColumns(WORKSPACE, 'no_such_table')).toBeUndefined();
    });
  });
});
