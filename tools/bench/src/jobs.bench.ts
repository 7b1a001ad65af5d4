// Measures the job engine on both backends: no-op jobs per second through
// one engine, and the time from submit to handler start, when the worker
// engine submits the job itself and when another engine does. The same run
// measures graphile-worker on PostgreSQL as the reference, with jobs added one
// at a time through `addJob`.
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/jobs.bench.js [jobs] [rounds]
//
// Throughput runs in rounds (default 3): each round measures every engine
// once, one after the other, so load from other processes on the machine
// falls on all engines alike. The figure per engine is the median round.
//
// Redis must listen on 127.0.0.1:6379; the bench uses its own key prefix and
// deletes it afterwards. SQLite uses a file in the system temp folder.
// PostgreSQL must listen on 127.0.0.1:5432 (user postgres). graphile-worker
// gets a database of its own, dropped afterwards.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { Logger, makeWorkerUtils, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import { Redis } from 'ioredis';

import { createJobEngine, type JobEngine, type JobEngineConfig } from '@rokks/jobs';

import { recordResult } from './results';
import { BenchDatabase } from './sql-load.bench';

const JOBS = Number(process.argv[2] ?? 5000);
const THROUGHPUT_ROUNDS = Number(process.argv[3] ?? 3);
const THROUGHPUT_CONCURRENCY = 16;
const LATENCY_SAMPLES = 300;
/** Pause between latency samples, so each job meets an idle worker. */
const LATENCY_GAP_MS = 5;
/**
 * Poll interval of the engines. SQLite engines are woken through the wake
 * file when another engine submits, so the poll is only their fallback.
 */
const POLL_INTERVAL_MS = 100;
const REDIS = { host: '127.0.0.1', port: 6379 };
const GRAPHILE_TASK = 'noop';
/** Room for one connection per concurrent job, the LISTEN connection and `addJob`. */
const GRAPHILE_POOL_SIZE = THROUGHPUT_CONCURRENCY + 2;

interface Backend {
  name: 'sqlite' | 'redis';
  config(store: string): JobEngineConfig;
  cleanup(store: string): Promise<void>;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

async function measureThroughput(backend: Backend, store: string): Promise<Record<string, number>> {
  const engine = await createJobEngine(backend.config(store));
  let ran = 0;

  engine.registerHandler(
    'ETL',
    async () => {
      ran += 1;

      return Promise.resolve(null);
    },
    { concurrency: THROUGHPUT_CONCURRENCY },
  );

  const submitStarted = performance.now();
  const jobs = await engine.submitMany(
    Array.from({ length: JOBS }, (_, index) => ({ type: 'ETL' as const, payload: index })),
  );
  const submitSeconds = (performance.now() - submitStarted) / 1000;
  const started = performance.now();

  await engine.start();

  while (ran < JOBS) {
    await sleep(5);
  }

  // stop() returns once every outcome is stored, so the time covers the last completion.
  await engine.stop();

  const seconds = (performance.now() - started) / 1000;
  const last = await engine.getJob(jobs[jobs.length - 1].id);

  if (last?.status !== 'succeeded') {
    throw new Error(`The last job is ${last?.status ?? 'missing'}, expected succeeded.`);
  }

  await engine.close();

  return {
    jobs: JOBS,
    concurrency: THROUGHPUT_CONCURRENCY,
    submitManyJobsPerSecond: Math.round(JOBS / submitSeconds),
    jobsPerSecond: Math.round(JOBS / seconds),
    seconds: round(seconds),
  };
}

/** Submit-to-start times of jobs submitted one at a time, each once the previous one started. */
class LatencyProbe {
  private readonly submittedAt: number[] = [];
  private readonly latencies: number[] = [];

  /** Records that the handler of job `sample` was entered. */
  recordStart(sample: number): void {
    this.latencies.push(performance.now() - this.submittedAt[sample]);
  }

  async run(submit: (sample: number) => Promise<unknown>): Promise<void> {
    for (let sample = 0; sample < LATENCY_SAMPLES; sample += 1) {
      this.submittedAt[sample] = performance.now();
      await submit(sample);

      while (this.latencies.length <= sample) {
        await sleep(1);
      }

      await sleep(LATENCY_GAP_MS);
    }
  }

  summary(): Record<string, number> {
    const sorted = [...this.latencies].sort((left, right) => left - right);

    return {
      samples: sorted.length,
      p50Ms: round(percentile(sorted, 0.5)),
      p99Ms: round(percentile(sorted, 0.99)),
      maxMs: round(sorted[sorted.length - 1]),
    };
  }
}

/** Submits jobs one at a time and measures how long each waits before its handler starts. */
async function measureLatency(
  worker: JobEngine,
  submitter: JobEngine,
): Promise<Record<string, number>> {
  const probe = new LatencyProbe();

  worker.registerHandler(
    'INDEX',
    async (job) => {
      probe.recordStart(job.payload as number);

      return Promise.resolve(null);
    },
    { concurrency: 4 },
  );
  await worker.start();
  await probe.run(async (sample) => submitter.submit({ type: 'INDEX', payload: sample }));
  await worker.stop();

  return probe.summary();
}

/** Measures submit-to-start latency with the worker engine as submitter, then with another engine. */
async function measureLatencies(backend: Backend): Promise<Record<string, unknown>> {
  const sameStore = `latency-same-${process.pid}`;
  const sameEngine = await createJobEngine(backend.config(sameStore));
  const latencySameEngine = await measureLatency(sameEngine, sameEngine);

  await sameEngine.close();
  await backend.cleanup(sameStore);

  const otherStore = `latency-other-${process.pid}`;
  const worker = await createJobEngine(backend.config(otherStore));
  const submitter = await createJobEngine(backend.config(otherStore));
  const latencyOtherEngine = await measureLatency(worker, submitter);

  await Promise.all([worker.close(), submitter.close()]);
  await backend.cleanup(otherStore);

  const result = { latencySameEngine, latencyOtherEngine };

  console.log(backend.name, JSON.stringify(result));

  return result;
}

/** Passes graphile-worker's warnings and errors to the console and drops its other log lines. */
function graphileLogger(): Logger {
  return new Logger(() => (level, message) => {
    const name: string = level;

    if (name === 'error' || name === 'warning') {
      console.error(`graphile-worker ${name}: ${message}`);
    }
  });
}

function startGraphileRunner(url: string, concurrency: number, onStart: (payload: unknown) => void): Promise<Runner> {
  const taskList: TaskList = {
    [GRAPHILE_TASK]: (payload) => {
      onStart(payload);
    },
  };

  return run({
    connectionString: url,
    maxPoolSize: GRAPHILE_POOL_SIZE,
    concurrency,
    taskList,
    noHandleSignals: true,
    logger: graphileLogger(),
  });
}

async function countGraphileJobs(database: BenchDatabase): Promise<number> {
  const client = database.client();

  await client.connect();

  try {
    const result = await client.query<{ count: string }>('SELECT count(*) FROM graphile_worker.jobs');

    return Number(result.rows[0].count);
  } finally {
    await client.end();
  }
}

/** Adds the jobs one at a time, then runs them all. graphile-worker deletes each job once it succeeds. */
async function measureGraphileThroughput(database: BenchDatabase): Promise<Record<string, number>> {
  const utils = await makeWorkerUtils({ connectionString: database.url, logger: graphileLogger() });
  const submitStarted = performance.now();

  try {
    for (let index = 0; index < JOBS; index += 1) {
      await utils.addJob(GRAPHILE_TASK, { index });
    }
  } finally {
    await utils.release();
  }

  const submitSeconds = (performance.now() - submitStarted) / 1000;
  let ran = 0;
  const started = performance.now();
  const runner = await startGraphileRunner(database.url, THROUGHPUT_CONCURRENCY, () => {
    ran += 1;
  });

  while (ran < JOBS) {
    await sleep(5);
  }

  // stop() waits for the running jobs, so the time covers the last completion.
  await runner.stop();

  const seconds = (performance.now() - started) / 1000;
  const left = await countGraphileJobs(database);

  if (left !== 0) {
    throw new Error(`graphile-worker left ${left} jobs in its table, expected none.`);
  }

  return {
    jobs: JOBS,
    concurrency: THROUGHPUT_CONCURRENCY,
    addJobJobsPerSecond: Math.round(JOBS / submitSeconds),
    jobsPerSecond: Math.round(JOBS / seconds),
    seconds: round(seconds),
  };
}

/** Measures latency with jobs added through the runner itself or through worker utils that have a pool of their own. */
async function measureGraphileLatency(database: BenchDatabase, submitter: 'same' | 'other'): Promise<Record<string, number>> {
  const probe = new LatencyProbe();
  const runner = await startGraphileRunner(database.url, 4, (payload) => {
    probe.recordStart((payload as { sample: number }).sample);
  });
  const utils = submitter === 'other' ? await makeWorkerUtils({ connectionString: database.url, logger: graphileLogger() }) : null;
  const addJob = utils?.addJob ?? runner.addJob;

  try {
    await probe.run(async (sample) => addJob(GRAPHILE_TASK, { sample }));
  } finally {
    await utils?.release();
    await runner.stop();
  }

  return probe.summary();
}

/** Reads the settings that decide when a PostgreSQL commit is durable. */
async function readDurabilitySettings(database: BenchDatabase): Promise<Record<string, string>> {
  const client = database.client();
  const settings: Record<string, string> = {};

  await client.connect();

  try {
    for (const name of ['synchronous_commit', 'fsync', 'wal_sync_method']) {
      const result = await client.query<Record<string, string>>(`SHOW ${name}`);

      settings[name] = result.rows[0][name];
    }
  } finally {
    await client.end();
  }

  return settings;
}

async function measureGraphileLatencies(database: BenchDatabase): Promise<Record<string, unknown>> {
  const packageJson = JSON.parse(readFileSync(require.resolve('graphile-worker/package.json'), 'utf8')) as {
    version: string;
  };
  const result = {
    version: packageJson.version,
    postgres: await readDurabilitySettings(database),
    latencySameEngine: await measureGraphileLatency(database, 'same'),
    latencyOtherEngine: await measureGraphileLatency(database, 'other'),
  };

  console.log('graphile-worker', JSON.stringify(result));

  return result;
}

type Throughput = Record<string, number>;

/** Returns the round with the median jobs per second (the higher middle one for an even count). */
function medianRound(rounds: Throughput[]): Throughput {
  const sorted = [...rounds].sort((left, right) => left.jobsPerSecond - right.jobsPerSecond);

  return sorted[Math.floor(sorted.length / 2)];
}

/** Measures every engine's throughput once per round, the engines one after the other. */
async function measureThroughputRounds(
  backends: Backend[],
  graphileDatabase: BenchDatabase,
): Promise<Record<string, Throughput[]>> {
  const rounds: Record<string, Throughput[]> = { graphileWorker: [] };
  const store = `throughput-${process.pid}`;

  for (let round = 1; round <= THROUGHPUT_ROUNDS; round += 1) {
    for (const backend of backends) {
      const figures = await measureThroughput(backend, store);

      await backend.cleanup(store);
      (rounds[backend.name] ??= []).push(figures);
      console.log(`round ${round}`, backend.name, JSON.stringify(figures));
    }

    const graphile = await measureGraphileThroughput(graphileDatabase);

    rounds.graphileWorker.push(graphile);
    console.log(`round ${round}`, 'graphile-worker', JSON.stringify(graphile));
  }

  return rounds;
}

/** Divides each engine's median jobs per second by graphile-worker's, and the same per round. */
function throughputRatios(rounds: Record<string, Throughput[]>): Record<string, unknown> {
  const reference = medianRound(rounds.graphileWorker).jobsPerSecond;
  const ratios: Record<string, unknown> = {};

  for (const name of ['sqlite', 'redis']) {
    ratios[name] = round(medianRound(rounds[name]).jobsPerSecond / reference);
    ratios[`${name}ByRound`] = rounds[name].map((figures, index) =>
      round(figures.jobsPerSecond / rounds.graphileWorker[index].jobsPerSecond),
    );
  }

  return ratios;
}

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'jobs-bench-'));
  const redis = new Redis(REDIS);
  const backends: Backend[] = [
    {
      name: 'sqlite',
      config: (store) => ({
        backend: 'sqlite',
        file: path.join(directory, `${store}.db`),
        pollIntervalMs: POLL_INTERVAL_MS,
      }),
      cleanup: async () => Promise.resolve(),
    },
    {
      name: 'redis',
      config: (store) => ({
        backend: 'redis',
        connection: REDIS,
        prefix: `rokks-jobs-bench-${store}`,
        pollIntervalMs: POLL_INTERVAL_MS,
      }),
      cleanup: async (store) => {
        const keys = await redis.keys(`rokks-jobs-bench-${store}:*`);

        if (keys.length > 0) {
          await redis.del(...keys);
        }
      },
    },
  ];

  const graphileDatabase = await BenchDatabase.create();

  try {
    await runMigrations({ connectionString: graphileDatabase.url, logger: graphileLogger() });

    const rounds = await measureThroughputRounds(backends, graphileDatabase);
    const figures: Record<string, Record<string, unknown>> = {};

    for (const backend of backends) {
      figures[backend.name] = { ...(await measureLatencies(backend)) };
    }

    figures.graphileWorker = await measureGraphileLatencies(graphileDatabase);

    for (const [name, measured] of Object.entries(rounds)) {
      figures[name].throughput = medianRound(measured);
      figures[name].jobsPerSecondByRound = measured.map((result) => result.jobsPerSecond);
    }

    recordResult('jobs', {
      ...figures,
      throughputVersusGraphileWorker: throughputRatios(rounds),
      notes:
        'No-op handlers in one process. SQLite commits each write cycle with synchronous=FULL, so its ' +
        'throughput follows the disk flush time. On SQLite, "other engine" latency includes the wake of ' +
        `the worker through the wake file (poll interval ${POLL_INTERVAL_MS} ms as the fallback). ` +
        'graphile-worker keeps its defaults: each addJob and each ' +
        'job completion is its own PostgreSQL commit (durability settings under graphileWorker.postgres), ' +
        `jobs are added one at a time without batching, and its pool has ${GRAPHILE_POOL_SIZE} connections.`,
      loadAverage: os.loadavg()[0],
    });
  } finally {
    await graphileDatabase.drop();
    await redis.quit();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
