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
const ROWS = 1_000_000;
const WORKER_ENV = { SERVICE_DISCOVERY_INTERVAL_MS: '500' };
/**
 * Short leases, so the restarted worker takes the killed worker's job over
 * within seconds. Long enough for a worker starved of CPU on a loaded
 * machine to renew its lease in time, because a missed renewal adds an attempt.
 */
const KILL_TEST_ENV = { ...WORKER_ENV, JOBS_LEASE_MS: '3000' };
const FINISHED = ['succeeded', 'failed', 'cancelled'];
/** The SQL gateway's catalog schema in the test database. */
const CATALOG_SCHEMA = 'rokks_catalog';

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
 * true once the attempt got there. The wait also ends when the job finished
 * first, so a missed moment fails on the attempt count instead of a timeout.
 */
interface KillPoint {
  name: string;
  reached(load: LoadState): boolean;
}

/** The state of the attempt in flight, as the test reads it. */
interface LoadState {
  job: JobView;
  /** Rows the COPY of the test database has processed; 0 when none runs. */
  copiedRows: number;
  /** True while a statement waits for the lock the test holds on the catalog's list of applied loads. */
  commitBlocked: boolean;
}

/**
 * The kill points, in the order one job meets them. Each attempt starts the
 * load again from the first row, so the row thresholds only grow and a COPY
 * left over from the attempt before cannot pass for the current one.
 */
const KILL_POINTS: KillPoint[] = [
  { name: 'as the attempt starts', reached: ({ job }) => job.status === 'running' },
  // PostgreSQL's COPY progress shows rows arriving: the load is under way and not committed.
  { name: 'after the first COPY rows', reached: ({ copiedRows }) => copiedRows > 0 },
  { name: 'halfway through the COPY', reached: ({ copiedRows }) => copiedRows >= ROWS / 2 },
  // The SQL gateway's commit records the load id in the catalog before COMMIT, and the test's lock stops it there.
  { name: 'during the final commit', reached: ({ commitBlocked }) => commitBlocked },
];

/** Rows whose values the test reads back after the load: the first, the last and some in between. */
const SPOT_CHECKED_IDS = [1, 2, 99_999, ROWS / 2, ROWS / 2 + 1, 777_777, ROWS - 1, ROWS];

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

  /** True when the table is visible to other sessions, that is when a load that created it has committed. */
  async function tableExists(table: string): Promise<boolean> {
    const found = await pg.query<{ found: boolean }>(`SELECT to_regclass('ws_default.${table}') IS NOT NULL AS found`);

    return found.rows[0].found;
  }

  /** True while a statement of another session waits for a lock on the catalog's list of applied loads. */
  async function commitBlocked(): Promise<boolean> {
    const waiting = await pg.query<{ waiting: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_locks
         WHERE relation = to_regclass('${CATALOG_SCHEMA}.applied_loads') AND NOT granted
       ) AS waiting`,
    );

    return waiting.rows[0].waiting;
  }

  /** Job log lines as the API returns them, oldest first. */
  async function jobLogs(jobId: string): Promise<{ attempt: number; message: string }[]> {
    const viewer = await tokens.sign({ roles: ['viewer'], subject: 'viewer-1' });
    const response = await client(`${worker!.meshUrl}/api/jobs/${jobId}/logs?limit=1000`, {
      headers: { authorization: `Bearer ${viewer}` },
    });

    expect(response.status).toBe(200);

    return ((await response.json()) as { lines: { attempt: number; message: string }[] }).lines;
  }

  /**
   * Opens a transaction that holds an exclusive lock on the catalog's list of
   * applied loads. Reads of the list go on, and so does the COPY of a load,
   * but a commit waits at the insert of its load id until `release`.
   */
  async function lockAppliedLoads(): Promise<{ release(): Promise<void> }> {
    const locker = new Client({ ...POSTGRES, database });

    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${CATALOG_SCHEMA}.applied_loads IN EXCLUSIVE MODE`);

    return {
      release: async () => {
        try {
          await locker.query('ROLLBACK');
        } finally {
          await locker.end();
        }
      },
    };
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

  it('loads every row once after repeated SIGKILLs', async () => {
    const table = 'killed_in_turn';
    const payload = await uploadLoad(table, ROWS, 'create');
    let jobs = await startWorker(KILL_TEST_ENV);
    // One attempt per kill point and a last one that completes. An extra attempt would fail the job.
    const job = await jobs.submitJob({ type: 'ETL', payload, maxAttempts: KILL_POINTS.length + 1 });

    for (const [index, point] of KILL_POINTS.entries()) {
      const attempt = index + 1;
      const holdsCommit = point.name === 'during the final commit';
      // The lock lets the load's COPY run but stops its commit at the insert of the load id, until the kill.
      const lock = holdsCommit ? await lockAppliedLoads() : undefined;

      try {
        const state = await waitFor(async () => {
          const current = await jobs.getJob(job.id);
          const load = { job: current, copiedRows: await copiedRows(), commitBlocked: holdsCommit && (await commitBlocked()) };
          const inAttempt = current.status === 'running' && current.attempts === attempt;

          return (inAttempt && point.reached(load)) || FINISHED.includes(current.status) ? load : undefined;
        }, `the kill point ${point.name}`);

        expect({ point: point.name, status: state.job.status, attempts: state.job.attempts }).toEqual({
          point: point.name,
          status: 'running',
          attempts: attempt,
        });
        await worker!.stop('SIGKILL');
        // No load of this job has committed yet: other sessions do not see the table.
        expect({ point: point.name, tableExists: await tableExists(table) }).toEqual({ point: point.name, tableExists: false });
      } finally {
        await lock?.release();
      }

      jobs = await startWorker(KILL_TEST_ENV);
    }

    const finished = await finishedJob(jobs, job.id);

    expect(finished.error).toBeNull();
    expect(finished.status).toBe('succeeded');
    // Every kill hit a running attempt, and each restarted worker retried the job.
    expect(finished.attempts).toBe(KILL_POINTS.length + 1);
    expect(finished.result).toMatchObject({ table, rowsLoaded: ROWS, rowsRejected: 0 });
    expect(await countRows(table)).toEqual({ rows: String(ROWS), ids: String(ROWS), last: String(ROWS) });

    const spotChecked = await pg.query<{ id: string; name: string; score: string }>(
      `SELECT id::text, name, score::text FROM ws_default.${table} AS loaded WHERE loaded.id = ANY($1::bigint[]) ORDER BY loaded.id`,
      [SPOT_CHECKED_IDS],
    );

    expect(spotChecked.rows.map((row) => ({ id: Number(row.id), name: row.name, score: Number(row.score) }))).toEqual(
      SPOT_CHECKED_IDS.map((id) => ({ id, name: `name ${id}`, score: id / 8 })),
    );

    // The commit held by the lock went through once the lock was released, so the last attempt found the load applied.
    const lastAttempt = (await jobLogs(job.id)).filter((line) => line.attempt === KILL_POINTS.length + 1);

    expect(lastAttempt.map((line) => line.message)).toContainEqual(expect.stringContaining('(applied by an earlier attempt)'));
  }, 600_000);

  it('leaves the table unchanged when cancelled mid-load', async () => {
    const table = 'cancelled_append';
    // The default lease of 30 s, so the attempt count shows that the cancel ended the first attempt.
    const jobs = await startWorker(WORKER_ENV);
    const first = await jobs.submitJob({ type: 'ETL', payload: await uploadLoad(table, 3, 'create') });

    expect((await finishedJob(jobs, first.id)).status).toBe('succeeded');

    // Enough rows that the COPY still runs once the first progress with loaded rows is stored.
    const job = await jobs.submitJob({ type: 'ETL', payload: await uploadLoad(table, ROWS, 'append') });
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
