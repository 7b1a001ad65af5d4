// Measures the job engine on both backends: no-op jobs per second through
// one engine, and the time from submit to handler start, when the worker
// engine submits the job itself and when another engine does.
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/jobs.bench.js [jobs]
//
// Redis must listen on 127.0.0.1:6379; the bench uses its own key prefix and
// deletes it afterwards. SQLite uses a file in the system temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';

import { createJobEngine, type JobEngine, type JobEngineConfig } from '@rokks/jobs';

import { recordResult } from './results';

const JOBS = Number(process.argv[2] ?? 5000);
const THROUGHPUT_CONCURRENCY = 16;
const LATENCY_SAMPLES = 300;
/** Pause between latency samples, so each job meets an idle worker. */
const LATENCY_GAP_MS = 5;
/** SQLite engines see jobs submitted by other engines at this poll interval. */
const POLL_INTERVAL_MS = 100;
const REDIS = { host: '127.0.0.1', port: 6379 };

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

/** Submits jobs one at a time and measures how long each waits before its handler starts. */
async function measureLatency(
  worker: JobEngine,
  submitter: JobEngine,
): Promise<Record<string, number>> {
  const submittedAt: number[] = [];
  const latencies: number[] = [];

  worker.registerHandler(
    'INDEX',
    async (job) => {
      latencies.push(performance.now() - submittedAt[job.payload as number]);

      return Promise.resolve(null);
    },
    { concurrency: 4 },
  );
  await worker.start();

  for (let sample = 0; sample < LATENCY_SAMPLES; sample += 1) {
    submittedAt[sample] = performance.now();
    await submitter.submit({ type: 'INDEX', payload: sample });

    while (latencies.length <= sample) {
      await sleep(1);
    }

    await sleep(LATENCY_GAP_MS);
  }

  await worker.stop();

  const sorted = [...latencies].sort((left, right) => left - right);

  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1]),
  };
}

async function measureBackend(backend: Backend): Promise<Record<string, unknown>> {
  const throughput = await measureThroughput(backend, `throughput-${process.pid}`);

  await backend.cleanup(`throughput-${process.pid}`);

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

  const result = { throughput, latencySameEngine, latencyOtherEngine };

  console.log(backend.name, JSON.stringify(result));

  return result;
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

  try {
    const figures: Record<string, unknown> = {};

    for (const backend of backends) {
      figures[backend.name] = await measureBackend(backend);
    }

    recordResult('jobs', {
      ...figures,
      notes:
        'No-op handlers in one process. SQLite commits each write cycle with synchronous=FULL, so its ' +
        'throughput follows the disk flush time. "Other engine" latency on SQLite includes the poll ' +
        `interval of ${POLL_INTERVAL_MS} ms.`,
      loadAverage: os.loadavg()[0],
    });
  } finally {
    await redis.quit();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
