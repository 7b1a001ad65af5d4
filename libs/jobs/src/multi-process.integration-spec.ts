import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Redis } from 'ioredis';

import { createJobEngine, type JobEngineConfig } from './create-job-engine';
import { type JobEngine } from './job-engine';
import { type Job } from './job.types';
import { waitFor, waitForStatus } from './testing';
import { compileWorkerChild, WorkerProcess } from './testing/child/child-process.util';
import { type RunRecord, type WorkerChildConfig } from './testing/child/worker-child';

const NODE_MODULES = resolve(__dirname, '../../../node_modules');
const REDIS = { host: '127.0.0.1', port: 6379 };
const JOB_COUNT = 1000;
const CHILD_CONCURRENCY = 4;
/** Short leases, so a killed worker's job is taken over within seconds. */
const TIMING = {
  leaseMs: 1000,
  heartbeatIntervalMs: 250,
  pollIntervalMs: 20,
  progressIntervalMs: 100,
};

interface Backend {
  name: string;
  config(storeId: string, workerId: string): JobEngineConfig;
  drop(storeId: string): Promise<void>;
}

const workDirectory = mkdtempSync(join(tmpdir(), 'jobs-multi-process-'));
const admin = new Redis(REDIS);
let childScript: string;

const backends: Backend[] = [
  {
    name: 'sqlite',
    config: (storeId, workerId) => ({
      backend: 'sqlite',
      file: join(workDirectory, `${storeId}.db`),
      workerId,
      ...TIMING,
    }),
    drop: async () => Promise.resolve(),
  },
  {
    name: 'redis',
    config: (storeId, workerId) => ({
      backend: 'redis',
      connection: REDIS,
      prefix: `rokks-jobs-test-${storeId}`,
      workerId,
      ...TIMING,
    }),
    drop: async (storeId) => {
      const keys = await admin.keys(`rokks-jobs-test-${storeId}:*`);

      if (keys.length > 0) {
        await admin.del(...keys);
      }
    },
  },
];

beforeAll(() => {
  childScript = compileWorkerChild(join(workDirectory, 'compiled'));
});

afterAll(async () => {
  await admin.quit();
  await rm(workDirectory, { recursive: true, force: true });
});

function readRuns(file: string): RunRecord[] {
  if (!existsSync(file)) {
    return [];
  }

  // The child may be halfway through appending a line, so the last piece is dropped.
  const lines = readFileSync(file, 'utf8').split('\n');

  lines.pop();

  return lines.filter((line) => line !== '').map((line) => JSON.parse(line) as RunRecord);
}

/** Returns the highest number of runs one process had in flight at once. */
function maxInFlight(runs: RunRecord[]): number {
  let inFlight = 0;
  let max = 0;

  for (const run of runs) {
    inFlight += run.event === 'start' ? 1 : -1;
    max = Math.max(max, inFlight);
  }

  return max;
}

async function listEvery(engine: JobEngine): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;

  do {
    const page = await engine.listJobs({ limit: 500, cursor });

    jobs.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);

  return jobs;
}

describe.each(backends)('two worker processes on $name', (backend) => {
  let storeId: string;
  let parent: JobEngine;
  let workers: WorkerProcess[];

  function startWorker(name: string): { worker: WorkerProcess; runsFile: string } {
    const runsFile = join(workDirectory, `${storeId}-${name}.jsonl`);
    const config: WorkerChildConfig = {
      engine: backend.config(storeId, name),
      runsFile,
      concurrency: CHILD_CONCURRENCY,
    };
    const worker = new WorkerProcess(childScript, JSON.stringify(config), {
      ...process.env,
      NODE_PATH: NODE_MODULES,
    });

    workers.push(worker);

    return { worker, runsFile };
  }

  beforeEach(async () => {
    storeId = `mp${randomBytes(5).toString('hex')}`;
    workers = [];
    parent = await createJobEngine(backend.config(storeId, 'parent'));
  });

  afterEach(async () => {
    await Promise.all(workers.map(async (worker) => worker.stop('SIGKILL')));
    await parent.close();
    await backend.drop(storeId);
  });

  it('runs 1,000 jobs exactly once', async () => {
    const started = [startWorker('first'), startWorker('second')];

    await Promise.all(
      started.map(async ({ worker }) => worker.waitForLine((line) => line === 'ready')),
    );

    const submitted = await parent.submitMany(
      Array.from({ length: JOB_COUNT }, (_, index) => ({
        type: 'ETL' as const,
        payload: { workMs: index % 3 },
      })),
    );

    await waitFor(
      () =>
        started.flatMap(({ runsFile }) => readRuns(runsFile)).filter((run) => run.event === 'end')
          .length,
      (count) => count >= JOB_COUNT,
      `${JOB_COUNT} finished runs`,
      60_000,
      50,
    );
    await waitFor(
      async () => (await listEvery(parent)).filter((job) => job.status === 'succeeded').length,
      (count) => count === JOB_COUNT,
      `${JOB_COUNT} succeeded jobs`,
      10_000,
      100,
    );

    const jobs = await listEvery(parent);

    const pids = started.map(({ worker }) => worker.pid);

    expect(jobs.map((job) => job.id).sort()).toEqual(submitted.map((job) => job.id).sort());
    expect(jobs.filter((job) => job.attempts !== 1)).toEqual([]);
    expect(jobs.filter((job) => !pids.includes((job.result as { pid: number }).pid))).toEqual([]);

    const runsPerProcess = started.map(({ runsFile }) => readRuns(runsFile));
    const runs = runsPerProcess.flat();
    const starts = runs.filter((run) => run.event === 'start').map((run) => run.jobId);
    const ends = runs.filter((run) => run.event === 'end').map((run) => run.jobId);

    expect(starts).toHaveLength(JOB_COUNT);
    expect(new Set(starts).size).toBe(JOB_COUNT);
    expect(ends.sort()).toEqual([...starts].sort());

    for (const [index, processRuns] of runsPerProcess.entries()) {
      // Both processes took part, and neither ran more jobs at once than its concurrency.
      expect([index, processRuns.length > 0]).toEqual([index, true]);
      expect(maxInFlight(processRuns)).toBeLessThanOrEqual(CHILD_CONCURRENCY);
    }

    for (const { worker } of started) {
      await expect(worker.stop('SIGTERM')).resolves.toEqual({ code: 0, signal: null });
      // The children log at warn level only: lease losses and rejected outcomes.
      expect(worker.errorOutput).toBe('');
    }
  }, 90_000);

  it('runs a job again after its worker was killed mid-job', async () => {
    const first = startWorker('killed');

    await first.worker.waitForLine((line) => line === 'ready');

    const job = await parent.submit({ type: 'ETL', payload: { hangOnFirstAttempt: true } });

    await first.worker.waitForLine((line) => line === `hanging ${job.id}`);

    const second = startWorker('survivor');

    await second.worker.waitForLine((line) => line === 'ready');
    await expect(first.worker.stop('SIGKILL')).resolves.toMatchObject({ signal: 'SIGKILL' });

    const killedAt = Date.now();
    const done = await waitForStatus(parent, job.id, 'succeeded', 20_000);

    expect(done).toMatchObject({ attempts: 2, result: { pid: second.worker.pid } });
    // The lease had to expire first: at most lease + check intervals.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(readRuns(first.runsFile).map((run) => [run.event, run.attempt])).toEqual([['start', 1]]);
    expect(readRuns(second.runsFile).map((run) => [run.event, run.attempt])).toEqual([
      ['start', 2],
      ['end', 2],
    ]);
  }, 60_000);
});
