import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Readable } from 'node:stream';

import { Client } from 'pg';

import {
  DocGatewayClient,
  type EtlJobPayload,
  type JobView,
  SqlGatewayClient,
  uploadBlobPath,
  WorkerClient,
} from '@rokks/gateway-clients';
import { type RunningService } from '@rokks/service-kit';
import { buildProjects, ServiceProcess, type TestMeshClient, TestPlatform, workspaceRoot } from '@rokks/testing';

import { AuditLog } from '../audit/audit-log';
import { WORKER_SERVICE } from '../worker-service';
import { type WorkerSettings } from '../worker.settings';
import { type EtlJobResult } from './etl-job.handler';

const WORKSPACE = 'default';
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const WEATHER_CSV = path.join(workspaceRoot(), '../shared/data/real/seattle-weather.csv');

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ ...POSTGRES, database: 'postgres' });

  await client.connect();

  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];

  for await (const part of stream) {
    parts.push(part as Buffer);
  }

  return Buffer.concat(parts).toString('utf8');
}

describe('ETL job', () => {
  const database = `rokks_etl_test_${randomBytes(6).toString('hex')}`;
  const processes: ServiceProcess[] = [];
  let platform: TestPlatform;
  let buildDir: string | undefined;
  let worker: RunningService<WorkerSettings>;
  let client: TestMeshClient;
  let docs: DocGatewayClient;
  let sql: SqlGatewayClient;
  let jobs: WorkerClient;
  let pg: Client;

  /** Stores `content` as an uploaded file and returns its id. */
  async function upload(content: string | Buffer): Promise<string> {
    const fileId = `file_${randomBytes(16).toString('hex')}`;

    await docs.putBlob(WORKSPACE, uploadBlobPath(fileId), content, { contentType: 'text/csv' });

    return fileId;
  }

  function payload(fileId: string, table: string, spec: unknown = { steps: [] }, mode: EtlJobPayload['target']['mode'] = 'create'): EtlJobPayload {
    return { workspace: WORKSPACE, fileId, fileName: `${table}.csv`, spec, target: { table, mode }, actor: 'editor-1' };
  }

  /** Polls the job until it has finished, failing after 60 s. */
  async function finished(jobId: string): Promise<JobView> {
    const deadline = Date.now() + 60_000;

    for (;;) {
      const job = await jobs.getJob(jobId);

      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) {
        return job;
      }

      if (Date.now() > deadline) {
        throw new Error(`Job ${jobId} is still ${job.status} after 60 s: ${JSON.stringify(job)}`);
      }

      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function runJob(body: EtlJobPayload | Record<string, unknown>): Promise<JobView> {
    const submitted = await jobs.submitJob({ type: 'ETL', payload: body, actor: 'editor-1' });

    return finished(submitted.id);
  }

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${database}`);
    platform = await TestPlatform.start();
    buildDir = await buildProjects(['doc-gateway', 'sql-gateway']);
    processes.push(await ServiceProcess.start(platform, buildDir, 'doc-gateway'));
    processes.push(
      await ServiceProcess.start(platform, buildDir, 'sql-gateway', {
        DATABASE_URL: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${database}`,
      }),
    );
    worker = await platform.startService({ ...WORKER_SERVICE, env: { SERVICE_DISCOVERY_INTERVAL_MS: '500' } });
    client = await platform.meshClient('data-transform');
    docs = new DocGatewayClient({ fetch: client, baseUrl: processes[0].meshUrl });
    sql = new SqlGatewayClient({ fetch: client, baseUrl: processes[1].meshUrl });
    jobs = new WorkerClient({ fetch: client, baseUrl: worker.endpoints.meshUrl });
    pg = new Client({ ...POSTGRES, database, options: '-c TimeZone=UTC' });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end();

    for (const running of processes.reverse()) {
      await running.stop();
    }

    await platform?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }

    // Workspace roles belong to the whole server, so they go with the database.
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('loads the Seattle weather file', async () => {
    const fileId = await upload(readFileSync(WEATHER_CSV));
    const job = await runJob(payload(fileId, 'seattle_weather'));

    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.progress).toEqual({ rowsRead: 1461, rowsLoaded: 1461, rowsRejected: 0 });

    const result = job.result as EtlJobResult;
    const table = await sql.findTable(WORKSPACE, 'seattle_weather');

    expect(result).toEqual({ tableId: table?.id, table: 'seattle_weather', rowsLoaded: 1461, rowsRejected: 0 });
    expect(table?.rowCount).toBe(1461);
    expect(table?.columns.map((column) => [column.name, column.type])).toEqual([
      ['date', 'date'],
      ['precipitation', 'float'],
      ['temp_max', 'float'],
      ['temp_min', 'float'],
      ['wind', 'float'],
      ['weather', 'text'],
    ]);

    const counted = await pg.query<{ count: string }>('SELECT count(*) FROM ws_default.seattle_weather');
    const day = await pg.query<{ precipitation: number; weather: string }>(
      "SELECT precipitation, weather FROM ws_default.seattle_weather WHERE date = '2012-01-02'",
    );

    expect(counted.rows).toEqual([{ count: '1461' }]);
    expect(day.rows).toEqual([{ precipitation: 10.9, weather: 'rain' }]);

    const audit = worker.app.get(AuditLog);

    expect(audit.list({ action: 'table.created' }).entries).toEqual([
      expect.objectContaining({ actor: 'editor-1', target: 'default/seattle_weather' }),
    ]);
    expect(audit.list({ action: 'table.loaded' }).entries[0]).toMatchObject({
      actor: 'editor-1',
      details: { jobId: job.id, rowsLoaded: 1461, alreadyApplied: false },
    });
  });

  it('writes rejected rows to a file', async () => {
    const fileId = await upload('id,amount\n1,10\n2,abc\n3,30\n4,\n5,5x\n');
    const spec = { steps: [{ op: 'cast', column: 'amount', type: 'integer' }], onError: 'reject-row' };
    const job = await runJob(payload(fileId, 'amounts', spec));
    const result = job.result as EtlJobResult;

    expect(job.status).toBe('succeeded');
    expect(result).toMatchObject({ table: 'amounts', rowsLoaded: 3, rowsRejected: 2 });
    expect(result.rejectsFileId).toMatch(/^file_[0-9a-f]{32}$/u);

    const rejects = await readAll((await docs.getBlob(WORKSPACE, uploadBlobPath(result.rejectsFileId!))).stream);
    const lines = rejects.trimEnd().split('\n');

    expect(lines[0]).toBe('line,row,column,value,reason,record');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^3,3,amount,abc,.+/u);
    expect(lines[2]).toMatch(/^6,6,amount,5x,.+/u);

    const loaded = await pg.query<{ id: string; amount: string | null }>('SELECT id::text, amount::text FROM ws_default.amounts ORDER BY id');

    expect(loaded.rows).toEqual([
      { id: '1', amount: '10' },
      { id: '3', amount: '30' },
      { id: '4', amount: null },
    ]);
  });

  it('fails an invalid payload permanently', async () => {
    const job = await runJob({ workspace: WORKSPACE, fileName: 'x.csv', spec: {}, target: { table: 'x', mode: 'merge' }, actor: 'editor-1' });

    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toContain('payload.fileId');
    expect(job.error).toContain('payload.target.mode must be one of create, replace, append, upsert');
  });

  it('fails bad data under fail permanently', async () => {
    const fileId = await upload('id,amount\n1,10\n2,abc\n');
    const spec = { steps: [{ op: 'cast', column: 'amount', type: 'integer' }], onError: 'fail' };
    const job = await runJob(payload(fileId, 'strict_amounts', spec));

    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toContain('abc');
    expect(await sql.findTable(WORKSPACE, 'strict_amounts')).toBeNull();
  });

  it('fails a missing file permanently', async () => {
    const job = await runJob(payload('file_00000000000000000000000000000000', 'never'));

    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toContain('404');
  });

  it('appends to an existing table', async () => {
    const first = await runJob(payload(await upload('code,label\n007,first\n'), 'codes'));
    const second = await runJob(payload(await upload('label,code\nsecond,008\n'), 'codes', { steps: [] }, 'append'));

    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);

    const rows = await pg.query<{ code: string; label: string }>('SELECT code, label FROM ws_default.codes ORDER BY label');

    expect(rows.rows).toEqual([
      { code: '007', label: 'first' },
      { code: '008', label: 'second' },
    ]);
  });
});
