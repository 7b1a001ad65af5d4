import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';

import { Client } from 'pg';

import { DocGatewayClient, type EtlJobPayload, type JobView, uploadBlobPath, WorkerClient } from '@rokks/gateway-clients';
import { buildProjects, ServiceProcess, type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

// A worker process that dies or is cancelled in the middle of an ETL load
// must leave the target table with every row exactly once after the retry,
// or unchanged when the job ends without success. The worker runs as a child
// process on the platform's data directory, so a restarted worker finds the
// jobs of the killed one in the same SQLite job database.

const WORKSPACE = 'default';
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const ROWS = 500_000;
const WORKER_ENV = { SERVICE_DISCOVERY_INTERVAL_MS: '500' };
/**
 * Short leases, so the restarted worker takes the killed worker's job over
 * within seconds. Long enough for a worker starved of CPU on a loaded
 * machine to renew its lease in time, because a missed renewal adds an attempt.
 */
const KILL_TEST_ENV = { ...WORKER_ENV, JOBS_LEASE_MS: '3000' };
const FINISHED = ['succeeded', 'failed', 'cancelled'];

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

/** Polls `read` every 10 ms until it returns a value; fails after `timeoutMs`. */
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

    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A moment of the load at which the test kills the worker: `reached` returns
 * true once the load got there. The wait also ends when the job finished
 * first, so a missed moment fails on the attempt count instead of a timeout.
 */
interface KillPoint {
  name: string;
  reached(copiedRows: number, job: JobView): boolean;
}

const KILL_POINTS: KillPoint[] = [
  { name: 'as the attempt starts', reached: (_copiedRows, job) => job.status === 'running' },
  // PostgreSQL's COPY progress shows rows arriving: the load is under way and not committed.
  { name: 'after the first COPY rows', reached: (copiedRows) => copiedRows > 0 },
  { name: 'halfway through the COPY', reached: (copiedRows) => copiedRows >= ROWS / 2 },
  { name: 'near the end of the COPY', reached: (copiedRows) => copiedRows >= ROWS * 0.9 },
];

describe('ETL job interrupted mid-load', () => {
  const database = `rokks_etl_interrupt_${randomBytes(6).toString('hex')}`;
  const gateways: ServiceProcess[] = [];
  const tokens = TestTokenIssuer.create();
  let platform: TestPlatform;
  let buildDir: string | undefined;
  let client: TestMeshClient;
  let docs: DocGatewayClient;
  let pg: Client;
  let worker: ServiceProcess | undefined;

  async function startWorker(env: Record<string, string>): Promise<WorkerClient> {
    worker = await ServiceProcess.start(platform, buildDir!, 'worker', env);

    return new WorkerClient({ fetch: client, baseUrl: worker.meshUrl });
  }

  /** Uploads a generated CSV of `rows` rows and returns the ETL payload that loads it into `table`. */
  async function uploadLoad(table: string, rows: number, mode: EtlJobPayload['target']['mode']): Promise<EtlJobPayload> {
    const fileId = `file_${randomBytes(16).toString('hex')}`;

    await docs.putBlob(WORKSPACE, uploadBlobPath(fileId), generatedCsv(rows), { contentType: 'text/csv' });

    return { workspace: WORKSPACE, fileId, fileName: `${table}.csv`, spec: { steps: [] }, target: { table, mode }, actor: 'editor-1' };
  }

  /** Rows that the COPY in progress in the test database has processed; 0 when none runs. */
  async function copiedRows(): Promise<number> {
    const progress = await pg.query<{ processed: string }>(
      'SELECT coalesce(max(tuples_processed), 0)::text AS processed FROM pg_stat_progress_copy WHERE datname = current_database()',
    );

    return Number(progress.rows[0].processed);
  }

  async function finishedJob(jobs: WorkerClient, jobId: string): Promise<JobView> {
    return waitFor(async () => {
      const job = await jobs.getJob(jobId);

      return FINISHED.includes(job.status) ? job : undefined;
    }, `job ${jobId} to finish`);
  }

  async function countRows(table: string): Promise<{ rows: string; ids: string; last: string | null }> {
    const counted = await pg.query<{ rows: string; ids: string; last: string | null }>(
      `SELECT count(*)::text AS rows, count(DISTINCT id)::text AS ids, max(id)::text AS last FROM ws_default.${table}`,
    );

    return counted.rows[0];
  }

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${database}`);
    platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });
    buildDir = await buildProjects(['doc-gateway', 'sql-gateway', 'worker']);
    gateways.push(await ServiceProcess.start(platform, buildDir, 'doc-gateway'));
    gateways.push(
      await ServiceProcess.start(platform, buildDir, 'sql-gateway', {
        DATABASE_URL: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${database}`,
      }),
    );
    client = await platform.meshClient('data-transform');
    docs = new DocGatewayClient({ fetch: client, baseUrl: gateways[0].meshUrl });
    pg = new Client({ ...POSTGRES, database });
    await pg.connect();
  }, 180_000);

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  }, 60_000);

  afterAll(async () => {
    await pg?.end();

    for (const running of gateways.reverse()) {
      await running.stop();
    }

    await platform?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }

    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }, 60_000);

  it.each(KILL_POINTS)('loads every row once after SIGKILL $name', async (point) => {
    const table = `killed_${KILL_POINTS.indexOf(point)}`;
    const payload = await uploadLoad(table, ROWS, 'create');
    const jobs = await startWorker(KILL_TEST_ENV);
    const job = await jobs.submitJob({ type: 'ETL', payload });

    await waitFor(async () => {
      const current = await jobs.getJob(job.id);

      return point.reached(await copiedRows(), current) || FINISHED.includes(current.status) ? true : undefined;
    }, `the kill point ${point.name}`);
    await worker!.stop('SIGKILL');

    const restarted = await startWorker(KILL_TEST_ENV);
    const finished = await finishedJob(restarted, job.id);

    expect(finished.error).toBeNull();
    expect(finished.status).toBe('succeeded');
    // Two attempts show that the kill hit a running attempt and the restarted worker retried it.
    expect(finished.attempts).toBe(2);
    expect(finished.result).toMatchObject({ table, rowsLoaded: ROWS, rowsRejected: 0 });
    expect(await countRows(table)).toEqual({ rows: String(ROWS), ids: String(ROWS), last: String(ROWS) });
  }, 300_000);

  it('leaves the table unchanged when cancelled mid-load', async () => {
    const table = 'cancelled_append';
    // The default lease of 30 s, so the attempt count shows that the cancel ended the first attempt.
    const jobs = await startWorker(WORKER_ENV);
    const first = await jobs.submitJob({ type: 'ETL', payload: await uploadLoad(table, 3, 'create') });

    expect((await finishedJob(jobs, first.id)).status).toBe('succeeded');

    // Twice the rows of the kill tests, so the COPY still runs once the first progress with loaded rows is stored.
    const job = await jobs.submitJob({ type: 'ETL', payload: await uploadLoad(table, 2 * ROWS, 'append') });
    const loading = await waitFor(async () => {
      const current = await jobs.getJob(job.id);

      return current.progress.rowsLoaded > 0 || FINISHED.includes(current.status) ? current : undefined;
    }, 'loaded rows in the progress');

    expect(loading.status).toBe('running');

    const editor = await tokens.sign({ roles: ['editor'], subject: 'editor-1' });
    const response = await client(`${worker!.meshUrl}/api/jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}` },
    });

    expect(response.status).toBe(200);

    const finished = await finishedJob(jobs, job.id);

    expect(finished.status).toBe('cancelled');
    expect(finished.attempts).toBe(1);
    expect(finished.result).toBeNull();
    expect(finished.progress.rowsLoaded).toBe(0);
    expect(await countRows(table)).toEqual({ rows: '3', ids: '3', last: '3' });
  }, 300_000);
});
