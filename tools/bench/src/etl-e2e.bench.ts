// Measures a CSV going from upload to a loaded table through the HTTP API:
// POST /api/transform/files streams the flights CSV (3,000,000 rows, about
// 100 MB) to the data-transform service, POST /api/transform/runs submits a
// spec of three casts, one derived column and one filter, and the script
// follows GET /api/jobs/{jobId}/events on the worker until the job ends. The
// reference is `psql \copy` of the same CSV, in interleaved runs, and the
// figure is the median ratio of the two times.
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/etl-e2e.bench.js [runs] [rows] [memoryRows]
//
// Defaults: 5 runs of 3,000,000 rows, and one run of 1,000,000 rows before
// them (`memoryRows`, 0 skips it) for the peak memory of each service at the
// smaller size. The registry runs in this process. The doc gateway, the SQL
// gateway, the worker and data-transform each run in a child process from a
// private build, so their peak RSS (VmHWM) and CPU time are their own. The
// SQL gateway uses a database at 127.0.0.1:5432 that the script creates and
// drops.
//
// With BENCH_CPU_PROF_DIR set, every service writes a V8 CPU profile,
// <app>.cpuprofile, into that folder when it gets SIGTERM at the end. With
// BENCH_LOG_FILE set, the log lines of every service go to that file at the end.
// BENCH_ETL_THREADS sets the worker's ETL_THREADS (0 reads files on its main thread).
//
// The reference: PostgreSQL's COPY cannot apply a date format, so psql copies
// the CSV into the column types the spec produces (timestamp, bigint, bigint,
// text, text, text), which PostgreSQL reads from this CSV without help.
// `psql \copy` loads every row into that table shape and leaves `route`
// null; this is the ratio the target applies to. `psql \copy where` also
// filters `delay > 0` and fills `route` as a generated column, so its table
// holds the same rows and values as the job's; it is recorded as a second
// ratio.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

import { buildProjects, ServiceProcess, type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { ensureFlightsCsv } from './flights';
import { recordResult } from './results';
import { BenchDatabase, processUsage, SERVER } from './sql-load.bench';

const RUNS = Number(process.argv[2] ?? 5);
const ROWS = Number(process.argv[3] ?? 3_000_000);
const MEMORY_ROWS = Number(process.argv[4] ?? 1_000_000);

const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;
const MEMORY_TRACE_DIR = process.env.BENCH_MEMORY_TRACE_DIR;
const LOG_FILE = process.env.BENCH_LOG_FILE;
const ETL_THREADS = process.env.BENCH_ETL_THREADS;

const APPS = ['doc-gateway', 'sql-gateway', 'worker', 'data-transform'] as const;

type App = (typeof APPS)[number];

/** Three casts, one derived column and one filter, as a user would send them. */
const SPEC = {
  steps: [
    { op: 'cast', column: 'date', type: 'timestamp', format: 'yyyy-MM-dd HH:mm:ss' },
    { op: 'cast', column: 'delay', type: 'integer' },
    { op: 'cast', column: 'distance', type: 'integer' },
    { op: 'derive', column: 'route', type: 'text', expr: "origin || '-' || destination" },
    { op: 'filter', expr: 'delay > 0' },
  ],
  onError: 'reject-row',
};

const COPY_COLUMNS = 'date, delay, distance, origin, destination';
const TABLE_DDL = '(date timestamp, delay bigint, distance bigint, origin text, destination text, route text)';
const FILTERED_TABLE_DDL =
  "(date timestamp, delay bigint, distance bigint, origin text, destination text, route text GENERATED ALWAYS AS (origin || '-' || destination) STORED)";

const JOB_TIMEOUT_MS = 30 * 60_000;

interface JobView {
  id: string;
  status: string;
  attempts: number;
  progress: { rowsRead: number; rowsLoaded: number; rowsRejected: number };
  result: { rowsLoaded?: number; rowsRejected?: number } | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface GatewayRun {
  seconds: number;
  uploadSeconds: number;
  jobSeconds: number;
  /** From the job's startedAt to its finishedAt, as the worker records them. */
  jobRunSeconds: number;
  rowsLoaded: number;
  cpuSeconds: Record<App, number>;
}

/** A registry in this process and the four services as child processes from one private build. */
class BenchServices {
  private constructor(
    private readonly platform: TestPlatform,
    private readonly buildDir: string,
    private readonly processes: Map<App, ServiceProcess>,
    private readonly client: TestMeshClient,
    private readonly authorization: string,
  ) {}

  static async start(databaseUrl: string): Promise<BenchServices> {
    const issuer = TestTokenIssuer.create();
    const platform = await TestPlatform.start({ registryEnv: issuer.registryEnv });
    const processes = new Map<App, ServiceProcess>();
    let buildDir: string | undefined;

    try {
      buildDir = await buildProjects([...APPS]);

      // The worker and data-transform find the gateways through the registry, so the gateways start first.
      for (const app of APPS) {
        const env: Record<string, string> = app === 'sql-gateway' ? { DATABASE_URL: databaseUrl } : {};

        if (app === 'worker' && ETL_THREADS !== undefined) {
          env.ETL_THREADS = ETL_THREADS;
        }

        const preloads: string[] = [];

        if (CPU_PROFILE_DIR !== undefined) {
          preloads.push(writePreload(CPU_PROFILE_DIR, 'profiler-preload.js', PROFILER_PRELOAD));
          env.BENCH_CPU_PROF_FILE = path.join(CPU_PROFILE_DIR, `${app}.cpuprofile`);
        }

        if (MEMORY_TRACE_DIR !== undefined) {
          preloads.push(writePreload(MEMORY_TRACE_DIR, 'memory-preload.js', MEMORY_TRACE_PRELOAD));
          env.BENCH_MEMORY_TRACE_FILE = path.join(MEMORY_TRACE_DIR, `${app}.memory.ndjson`);
          env.BENCH_MEMORY_TRACE_GC = process.env.BENCH_MEMORY_TRACE_GC ?? '0';
        }

        if (preloads.length > 0) {
          env.NODE_OPTIONS = preloads.map((file) => `--require ${file}`).join(' ');
        }

        processes.set(app, await ServiceProcess.start(platform, buildDir, app, env));
      }

      // The edge is the service that forwards user requests to the others.
      const client = await platform.meshClient('edge');
      const token = await issuer.sign({ subject: 'bench-editor', roles: ['editor'] });

      return new BenchServices(platform, buildDir, processes, client, `Bearer ${token}`);
    } catch (error) {
      await stopAll(processes);
      await platform.dispose();

      if (buildDir !== undefined) {
        rmSync(buildDir, { recursive: true, force: true });
      }

      throw error;
    }
  }

  pid(app: App): number {
    return this.processes.get(app)?.child.pid ?? 0;
  }

  /** Resets the peak RSS (VmHWM) of every service to its current RSS. */
  resetPeakMemory(): void {
    for (const app of APPS) {
      // Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later).
      writeFileSync(`/proc/${this.pid(app)}/clear_refs`, '5');
    }
  }

  /** Returns the peak RSS (VmHWM) of every service in MB since the last reset. */
  peakMemoryMb(): Record<App, number> {
    return Object.fromEntries(
      APPS.map((app) => {
        const status = readFileSync(`/proc/${this.pid(app)}/status`, 'utf8');
        const kilobytes = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);

        return [app, Math.round(kilobytes / 1024)];
      }),
    ) as Record<App, number>;
  }

  cpuSeconds(): Record<App, number> {
    return Object.fromEntries(APPS.map((app) => [app, processUsage(this.pid(app)).cpuSeconds])) as Record<App, number>;
  }

  /** Uploads `file`, runs the spec into `table` and waits for the job to succeed. */
  async load(file: string, table: string): Promise<GatewayRun> {
    const cpuBefore = this.cpuSeconds();
    const started = performance.now();
    const uploaded = await this.upload(file);
    const uploadDone = performance.now();

    if (uploaded.bytes !== statSync(file).size) {
      throw new Error(`the upload stored ${uploaded.bytes} bytes of ${file}, expected ${statSync(file).size}`);
    }

    const { jobId } = await this.request<{ jobId: string }>('data-transform', 'POST', '/api/transform/runs', 202, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fileId: uploaded.fileId, spec: SPEC, target: { table, mode: 'create' } }),
    });
    const job = await this.waitForJob(jobId);
    const finished = performance.now();
    const cpuAfter = this.cpuSeconds();

    // A retried job would time two attempts.
    if (job.attempts !== 1) {
      throw new Error(`job ${jobId} took ${job.attempts} attempts; see the worker's log`);
    }

    if (job.progress.rowsRejected !== 0) {
      throw new Error(`the job rejected ${job.progress.rowsRejected} rows of clean data`);
    }

    return {
      seconds: (finished - started) / 1000,
      uploadSeconds: (uploadDone - started) / 1000,
      jobSeconds: (finished - uploadDone) / 1000,
      jobRunSeconds: (Date.parse(job.finishedAt ?? '') - Date.parse(job.startedAt ?? '')) / 1000,
      rowsLoaded: job.result?.rowsLoaded ?? job.progress.rowsLoaded,
      cpuSeconds: Object.fromEntries(APPS.map((app) => [app, round(cpuAfter[app] - cpuBefore[app])])) as Record<App, number>,
    };
  }

  /** Drops a table through the SQL gateway's user API. */
  async dropTable(table: string): Promise<void> {
    const response = await this.client(`${this.meshUrl('sql-gateway')}/api/sql/tables/${table}`, {
      method: 'DELETE',
      headers: { authorization: this.authorization },
    });

    if (response.status !== 204) {
      throw new Error(`DELETE /api/sql/tables/${table} returned ${response.status}: ${await response.text()}`);
    }
  }

  async stop(): Promise<void> {
    try {
      await stopAll(this.processes);

      if (LOG_FILE !== undefined) {
        writeFileSync(LOG_FILE, this.platform.logs.text);
      }

      await this.platform.dispose();
    } finally {
      rmSync(this.buildDir, { recursive: true, force: true });
    }
  }

  private meshUrl(app: App): string {
    const running = this.processes.get(app);

    if (running === undefined) {
      throw new Error(`${app} is not running`);
    }

    return running.meshUrl;
  }

  /**
   * Posts the file with undici's `request` and a Node stream, so the bench
   * client spends less of the shared CPU than with `fetch` and web streams.
   */
  private async upload(file: string): Promise<{ fileId: string; bytes: number }> {
    const response = await this.client.request(`${this.meshUrl('data-transform')}/api/transform/files?name=flights.csv`, {
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        'content-length': String(statSync(file).size),
        authorization: this.authorization,
      },
      body: createReadStream(file, { highWaterMark: 1 << 20 }),
    });
    const text = await response.body.text();

    if (response.statusCode !== 201) {
      throw new Error(`POST /api/transform/files returned ${response.statusCode}, expected 201: ${text}`);
    }

    return JSON.parse(text) as { fileId: string; bytes: number };
  }

  /**
   * Follows the job's event stream, which ends after a final status, so the
   * end of the job is seen when it happens rather than at the next poll.
   */
  private async waitForJob(jobId: string): Promise<JobView> {
    const response = await this.client(`${this.meshUrl('worker')}/api/jobs/${jobId}/events`, {
      headers: { authorization: this.authorization },
      signal: AbortSignal.timeout(JOB_TIMEOUT_MS),
    });

    if (response.status !== 200) {
      throw new Error(`GET /api/jobs/${jobId}/events returned ${response.status}: ${await response.text()}`);
    }

    await response.text();

    const job = await this.request<JobView>('worker', 'GET', `/api/jobs/${jobId}`, 200);

    if (job.status !== 'succeeded') {
      throw new Error(`job ${jobId} ended ${job.status}: ${job.error ?? 'no error message'}`);
    }

    return job;
  }

  private async request<T>(
    app: App,
    method: string,
    route: string,
    expected: number,
    init: Omit<NonNullable<Parameters<TestMeshClient>[1]>, 'method'> = {},
  ): Promise<T> {
    const response = await this.client(`${this.meshUrl(app)}${route}`, {
      ...init,
      method,
      headers: { ...init.headers, authorization: this.authorization },
    });
    const text = await response.text();

    if (response.status !== expected) {
      throw new Error(`${method} ${route} on ${app} returned ${response.status}, expected ${expected}: ${text}`);
    }

    return JSON.parse(text) as T;
  }
}

// Node 20 does not take --cpu-prof in NODE_OPTIONS, and ServiceProcess sets
// the node arguments, so a preloaded script runs the profiler instead.
const PROFILER_PRELOAD = `
const inspector = require('node:inspector');
const fs = require('node:fs');
const session = new inspector.Session();

session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.once('SIGTERM', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error === null) {
      fs.writeFileSync(process.env.BENCH_CPU_PROF_FILE, JSON.stringify(result.profile));
    }
  });
});
`;

// With BENCH_MEMORY_TRACE_DIR set, every service appends its memory figures
// every 250 ms to <app>.memory.ndjson, one JSON line each. With
// BENCH_MEMORY_TRACE_GC=1 too, it forces a full garbage collection before
// each line, so the trace shows live memory rather than garbage (and the
// services run much slower).
const MEMORY_TRACE_PRELOAD = `
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const started = Date.now();
const forceGc = process.env.BENCH_MEMORY_TRACE_GC === '1';
const timer = setInterval(() => {
  if (forceGc) {
    gc();
  }

  const usage = process.memoryUsage();
  const mb = (bytes) => Math.round(bytes / 1048576);
  fs.appendFileSync(
    process.env.BENCH_MEMORY_TRACE_FILE,
    JSON.stringify({ ms: Date.now() - started, rss: mb(usage.rss), heapTotal: mb(usage.heapTotal), heapUsed: mb(usage.heapUsed), external: mb(usage.external), arrayBuffers: mb(usage.arrayBuffers) }) + '\\n',
  );
}, 250);

timer.unref();
`;

/** Writes a preload script named `name` into `directory` and returns its path. */
function writePreload(directory: string, name: string, text: string): string {
  const file = path.join(directory, name);

  mkdirSync(directory, { recursive: true });
  writeFileSync(file, text);

  return file;
}

async function stopAll(processes: Map<App, ServiceProcess>): Promise<void> {
  for (const app of [...APPS].reverse()) {
    await processes.get(app)?.stop();
  }
}

/** Runs `psql` with each command as a `-c`, in one session, stopping at the first error. */
async function runPsql(database: string, commands: string[]): Promise<void> {
  const connection = ['-h', SERVER.host, '-p', String(SERVER.port), '-U', SERVER.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-q'];
  const child = spawn('psql', [...connection, ...commands.flatMap((command) => ['-c', command])], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];

  if (code !== 0) {
    throw new Error(`psql exited with code ${code} for ${commands.join('; ')}`);
  }
}

/** Copies the CSV with psql into a new table and returns the seconds the copy took and the rows in the table. */
async function copyWithPsql(database: BenchDatabase, file: string, table: string, filtered: boolean): Promise<{ seconds: number; rows: number }> {
  await runPsql(database.name, [`CREATE TABLE ${table} ${filtered ? FILTERED_TABLE_DDL : TABLE_DDL}`]);

  const started = performance.now();

  await runPsql(database.name, [
    `\\copy ${table} (${COPY_COLUMNS}) FROM '${file}' WITH (FORMAT csv, HEADER true)${filtered ? ' WHERE delay > 0' : ''}`,
  ]);

  const seconds = (performance.now() - started) / 1000;
  const client = database.client();

  await client.connect();

  try {
    const counted = await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`);

    await client.query(`DROP TABLE ${table}`);

    return { seconds, rows: Number(counted.rows[0].count) };
  } finally {
    await client.end();
  }
}

/** Counts the CSV's data rows whose delay is above 0: the rows the spec keeps. */
async function countKeptRows(file: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header = true;
  let kept = 0;

  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }

    const start = line.indexOf(',') + 1;

    if (Number(line.slice(start, line.indexOf(',', start))) > 0) {
      kept += 1;
    }
  }

  return kept;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** Runs the gateway path once on `rows` rows and returns the services' peak memory during it. */
async function measureMemory(services: BenchServices, rows: number): Promise<{ seconds: number; peakRssMb: Record<App, number> }> {
  const file = await ensureFlightsCsv(rows);
  const keptRows = await countKeptRows(file);

  services.resetPeakMemory();

  const run = await services.load(file, 'flights_memory');
  const peakRssMb = services.peakMemoryMb();

  if (run.rowsLoaded !== keptRows) {
    throw new Error(`the job loaded ${run.rowsLoaded} rows of ${file}, expected ${keptRows}`);
  }

  await services.dropTable('flights_memory');
  console.log(`${rows} rows: ${run.seconds.toFixed(2)} s, peak RSS ${JSON.stringify(peakRssMb)} MB`);

  return { seconds: round(run.seconds), peakRssMb };
}

async function main(): Promise<void> {
  const file = await ensureFlightsCsv(ROWS);
  const keptRows = await countKeptRows(file);
  const loadBefore = os.loadavg();
  const database = await BenchDatabase.create();
  let services: BenchServices | undefined;

  try {
    services = await BenchServices.start(database.url);

    const memoryRun = MEMORY_ROWS > 0 && MEMORY_ROWS !== ROWS ? await measureMemory(services, MEMORY_ROWS) : undefined;
    const gatewayRuns: GatewayRun[] = [];
    const psqlRuns: number[] = [];
    const filteredRuns: number[] = [];

    services.resetPeakMemory();

    for (let run = 0; run < RUNS; run += 1) {
      // The gateway path goes first in even runs and last in odd ones, so neither always runs on a warmer cache.
      const order = run % 2 === 0 ? ['gateway', 'psql', 'filtered'] : ['filtered', 'psql', 'gateway'];

      for (const method of order) {
        if (method === 'gateway') {
          const table = `flights_e2e_${run}`;
          const result = await services.load(file, table);

          if (result.rowsLoaded !== keptRows) {
            throw new Error(`the job loaded ${result.rowsLoaded} rows, expected ${keptRows}`);
          }

          gatewayRuns.push(result);
          console.log(
            `run ${run + 1} gateway: ${result.seconds.toFixed(2)} s (upload ${result.uploadSeconds.toFixed(2)} s, job ${result.jobSeconds.toFixed(2)} s, of which running ${result.jobRunSeconds.toFixed(2)} s), CPU ${JSON.stringify(result.cpuSeconds)} s`,
          );
          await services.dropTable(table);
        } else {
          const filtered = method === 'filtered';
          const copied = await copyWithPsql(database, file, `flights_${method}_${run}`, filtered);
          const expected = filtered ? keptRows : ROWS;

          if (copied.rows !== expected) {
            throw new Error(`psql copied ${copied.rows} rows, expected ${expected}`);
          }

          (filtered ? filteredRuns : psqlRuns).push(copied.seconds);
          console.log(`run ${run + 1} ${filtered ? 'psql \\copy where' : 'psql \\copy'}: ${copied.seconds.toFixed(2)} s`);
        }
      }
    }

    const peakRssMb = services.peakMemoryMb();
    const gatewayMedian = median(gatewayRuns.map((run) => run.seconds));
    const psqlMedian = median(psqlRuns);
    const filteredMedian = median(filteredRuns);

    recordResult('etl-e2e', {
      rows: ROWS,
      rowsLoaded: keptRows,
      fileBytes: statSync(file).size,
      runs: RUNS,
      medianSeconds: round(gatewayMedian),
      medianUploadSeconds: round(median(gatewayRuns.map((run) => run.uploadSeconds))),
      medianJobSeconds: round(median(gatewayRuns.map((run) => run.jobSeconds))),
      medianJobRunSeconds: round(median(gatewayRuns.map((run) => run.jobRunSeconds))),
      psqlMedianSeconds: round(psqlMedian),
      ratio: round(gatewayMedian / psqlMedian),
      psqlWhereMedianSeconds: round(filteredMedian),
      ratioToWhere: round(gatewayMedian / filteredMedian),
      medianCpuSeconds: Object.fromEntries(APPS.map((app) => [app, round(median(gatewayRuns.map((run) => run.cpuSeconds[app])))])),
      peakRssMb,
      ...(memoryRun === undefined ? {} : { memoryRows: MEMORY_ROWS, memoryRunSeconds: memoryRun.seconds, memoryRunPeakRssMb: memoryRun.peakRssMb }),
      gatewaySeconds: gatewayRuns.map((run) => round(run.seconds)),
      uploadSeconds: gatewayRuns.map((run) => round(run.uploadSeconds)),
      jobSeconds: gatewayRuns.map((run) => round(run.jobSeconds)),
      jobRunSeconds: gatewayRuns.map((run) => round(run.jobRunSeconds)),
      psqlSeconds: psqlRuns.map((seconds) => round(seconds)),
      psqlWhereSeconds: filteredRuns.map((seconds) => round(seconds)),
      loadAverageBefore: loadBefore.map((load) => round(load)),
      loadAverageAfter: os.loadavg().map((load) => round(load)),
    });
  } finally {
    await services?.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
