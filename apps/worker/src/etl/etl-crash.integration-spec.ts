import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';

import { Client } from 'pg';

import { DocGatewayClient, type JobView, uploadBlobPath, WorkerClient } from '@rokks/gateway-clients';
import { buildProjects, ServiceProcess, type TestMeshClient, TestPlatform } from '@rokks/testing';


const WORKSPACE = 'default';
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const ROWS = 500_000;
/** Short leases, so the restarted worker takes the killed worker's job over within seconds. */
const WORKER_ENV = { JOBS_LEASE_MS: '3000', SERVICE_DISCOVERY_INTERVAL_MS: '500' };

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ ...POSTGRES, database: 'postgres' });

  await client.connect();

  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Yields a CSV of `rows` rows `id,name,score` in pieces of 10,000 rows. */
async function* generatedCsv(rows: number): AsyncGenerator<Uint8Array> {
  yield Buffer.from('id,name,score\n');

  for (let from = 1; from <= rows; from += 10_000) {
    let text = '';

    for (let id = from; id < Math.min(rows + 1, from + 10_000); id += 1) {
      text += `${id},name ${id},${id / 8}\n`;
    }

    yield Buffer.from(text);
  }
}

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    const value = await read();

    if (value !== undefined) {
      return value;
    }

    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}.`);
    }

    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ETL job after SIGKILL', () => {
  const database = `rokks_etl_crash_${randomBytes(6).toString('hex')}`;
  const gateways: ServiceProcess[] = [];
  let platform: TestPlatform;
  let buildDir: string | undefined;
  let client: TestMeshClient;
  let pg: Client;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${database}`);
    platform = await TestPlatform.start();
    buildDir = await buildProjects(['doc-gateway', 'sql-gateway', 'worker']);
    gateways.push(await ServiceProcess.start(platform, buildDir, 'doc-gateway'));
    gateways.push(
      await ServiceProcess.start(platform, buildDir, 'sql-gateway', {
        DATABASE_URL: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${database}`,
      }),
    );
    client = await platform.meshClient('data-transform');
    pg = new Client({ ...POSTGRES, database });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end();
    await worker?.stop();

    for (const running of gateways.reverse()) {
      await running.stop();
    }

    await platform?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }

    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('loads every row exactly once', async () => {
    const docs = new DocGatewayClient({ fetch: client, baseUrl: gateways[0].meshUrl });
    const fileId = `file_${randomBytes(16).toString('hex')}`;

    await docs.putBlob(WORKSPACE, uploadBlobPath(fileId), generatedCsv(ROWS), { contentType: 'text/csv' });
    worker = await ServiceProcess.start(platform, buildDir!, 'worker', WORKER_ENV);

    const jobs = new WorkerClient({ fetch: client, baseUrl: worker.meshUrl });
    const job = await jobs.submitJob({
      type: 'ETL',
      payload: {
        workspace: WORKSPACE,
        fileId,
        fileName: 'generated.csv',
        spec: { steps: [] },
        target: { table: 'generated', mode: 'create' },
        actor: 'editor-1',
      },
    });

    // PostgreSQL's COPY progress shows rows arriving: the load is under way and not committed.
    await waitFor(async () => {
      const progress = await pg.query<{ processed: string }>(
        'SELECT coalesce(max(tuples_processed), 0)::text AS processed FROM pg_stat_progress_copy WHERE datname = current_database()',
      );

      return Number(progress.rows[0].processed) > 0 ? true : undefined;
    }, 'the COPY of the first rows');
    await worker.stop('SIGKILL');

    worker = await ServiceProcess.start(platform, buildDir!, 'worker', WORKER_ENV);

    const restarted = new WorkerClient({ fetch: client, baseUrl: worker.meshUrl });
    const finished = await waitFor(async (): Promise<JobView | undefined> => {
      const current = await restarted.getJob(job.id);

      return ['succeeded', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
    }, 'the job to finish');

    expect(finished.error).toBeNull();
    expect(finished.status).toBe('succeeded');
    expect(finished.attempts).toBe(2);
    expect(finished.result).toMatchObject({ table: 'generated', rowsLoaded: ROWS, rowsRejected: 0 });

    const counted = await pg.query<{ rows: string; ids: string; last: string }>(
      'SELECT count(*)::text AS rows, count(DISTINCT id)::text AS ids, max(id)::text AS last FROM ws_default.generated',
    );

    expect(counted.rows).toEqual([{ rows: String(ROWS), ids: String(ROWS), last: String(ROWS) }]);
  }, 300_000);
});
