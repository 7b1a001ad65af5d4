// Measures the whole platform as `npm start` runs it (tools/dev/launch.mjs,
// every service on its embedded defaults): the cold start until the edge's
// `GET /api/health` reports every service up, in a fresh temporary data
// directory each time, once with the demo data skipped
// (ROKKS_DEV_DEMO_DATA=0) and once with it loaded; the resident memory
// (VmRSS) and peak (VmHWM) of every process after the start; and the same
// after a load of the flights CSV (3,000,000 rows) through the public API:
// upload with POST /api/transform/files, POST /api/transform/runs, and
// polling GET /api/jobs/{id}, all through the edge.
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/platform.bench.js [runs] [loadRows]
//
// Defaults: 3 runs (each one start without and one with the demo data, in
// alternating order) and a load of 3,000,000 rows in the last start without
// the demo data (`loadRows` 0 skips it).
//
// The script first builds the whole workspace into a build folder of its
// own under bench-data/ with the command the launcher runs, and times it
// once; the starts then run the launcher with ROKKS_DEV_SKIP_BUILD=1 on that
// folder, so a cold start is the services' start, not the compiler's. Each
// start uses a random port offset (ROKKS_DEV_PORT_OFFSET) whose ports are
// free, so it does not collide with a developer's stack. The launcher logs
// JSON (ROKKS_DEV_LOG_FORMAT=json) and names each service's process id in
// its `process started` line; the script reads them from there and checks
// /proc for any other process under the launcher.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import { benchDataPath, ensureFlightsCsv } from './flights';
import { recordResult } from './results';

const RUNS = Number(process.argv[2] ?? 3);
const LOAD_ROWS = Number(process.argv[3] ?? 3_000_000);

const root = path.resolve(__dirname, '../../../..');

/** Development ports before the offset: the edge's browser port, every mesh port and every microservice port. */
const BASE_PORTS = [3000, ...Array.from({ length: 15 }, (_, index) => 4000 + index), ...Array.from({ length: 15 }, (_, index) => 5000 + index)];
const EDGE_PUBLIC_PORT = 3000;

const HEALTH_POLL_MS = 100;
const START_TIMEOUT_MS = 5 * 60_000;
const JOB_POLL_MS = 250;
const JOB_TIMEOUT_MS = 60 * 60_000;
// Memory "after start" is read this long after the start is complete, so the start-up's garbage has had a moment to go.
const SETTLE_MS = 5000;

/** Three casts and no filter, so every row of the file lands in the table. */
const LOAD_SPEC = {
  steps: [
    { op: 'cast', column: 'date', type: 'timestamp', format: 'yyyy-MM-dd HH:mm:ss' },
    { op: 'cast', column: 'delay', type: 'integer' },
    { op: 'cast', column: 'distance', type: 'integer' },
  ],
  onError: 'reject-row',
};

interface Memory {
  rssMb: number;
  hwmMb: number;
}

interface StartResult {
  demo: boolean;
  /** From spawning the launcher until the edge's /api/health first returns `up`. */
  healthySeconds: number;
  /** The launcher's own `all services healthy` time, from its start() on. */
  launcherHealthySeconds: number;
  /** From spawning the launcher until its `demo data loaded` line. */
  demoLoadedSeconds?: number;
  stopSeconds: number;
  memory: Record<string, Memory>;
  load?: LoadResult;
}

interface LoadResult {
  rows: number;
  rowsLoaded: number;
  seconds: number;
  uploadSeconds: number;
  jobSeconds: number;
  /** VmRSS after the job succeeded, and VmHWM since the reset after the start. */
  memory: Record<string, Memory>;
}

interface JobView {
  status: string;
  attempts: number;
  progress: { rowsRead: number; rowsLoaded: number; rowsRejected: number };
  result: { rowsLoaded?: number; rowsRejected?: number } | null;
  error: unknown;
}

/** Reads VmRSS and VmHWM of a process from /proc, in MB. */
function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;

  return { rssMb: round(field('VmRSS'), 0), hwmMb: round(field('VmHWM'), 0) };
}

/** Returns the process ids of every descendant of `pid`, from the parent field of /proc/<pid>/stat. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();

  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }

    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');

      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while the list was read.
    }
  }

  const found: number[] = [];
  const queue = [pid];

  while (queue.length > 0) {
    const parent = queue.shift() as number;

    for (const [child, itsParent] of parents) {
      if (itsParent === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }

  return found;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();

    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Picks a port offset (as the launcher's own test does, below the ephemeral range) whose every port is free. */
async function freePortOffset(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const offset = 10_000 + Math.floor(Math.random() * 170) * 100;
    const free = await Promise.all(BASE_PORTS.map((port) => portIsFree(port + offset)));

    if (free.every(Boolean)) {
      return offset;
    }
  }

  throw new Error('found no port offset with every development port free after 20 tries');
}

/** Runs a Node script to its end and returns its output; throws with the output when it fails. */
async function runNode(script: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';

  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const [code] = (await once(child, 'close')) as [number | null];

  if (code !== 0) {
    throw new Error(`${script} exited with code ${code}:\n${output}`);
  }

  return output;
}

/**
 * One run of the launcher: its process, the pids its log names, and the
 * moments its log reports. The last lines are kept for error messages.
 */
class Launch {
  readonly pids = new Map<string, number>();
  readonly started = performance.now();
  launcherHealthySeconds: number | undefined;
  demoLoadedAt: number | undefined;
  failure: string | undefined;
  crashes: string[] = [];
  private readonly recent: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly offset: number,
  ) {}

  static start(distDir: string, dataDir: string, offset: number, demo: boolean): Launch {
    const env: Record<string, string | undefined> = {
      ...process.env,
      ROKKS_DATA_DIR: dataDir,
      ROKKS_DEV_PORT_OFFSET: String(offset),
      ROKKS_DEV_DIST_DIR: distDir,
      ROKKS_DEV_SKIP_BUILD: '1',
      ROKKS_DEV_LOG_FORMAT: 'json',
      ROKKS_DEV_DEMO_DATA: demo ? '1' : '0',
      ROKKS_DEV_START_TIMEOUT_MS: String(START_TIMEOUT_MS),
      NO_COLOR: '1',
    };

    // The administrator is the one the launcher generates into the data directory.
    delete env.ROKKS_ADMIN_EMAIL;
    delete env.ROKKS_ADMIN_PASSWORD;

    const child = spawn(process.execPath, [path.join(root, 'tools/dev/launch.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const launch = new Launch(child, dataDir, offset);

    createInterface({ input: child.stdout as NodeJS.ReadableStream, crlfDelay: Infinity }).on('line', (line) => launch.read(line));
    createInterface({ input: child.stderr as NodeJS.ReadableStream, crlfDelay: Infinity }).on('line', (line) => launch.keep(`stderr: ${line}`));

    return launch;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${EDGE_PUBLIC_PORT + this.offset}`;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Throws when the launcher failed, exited or restarted a crashed service. */
  check(): void {
    if (this.failure !== undefined || this.crashes.length > 0 || this.exited) {
      const reason = this.failure ?? (this.crashes.length > 0 ? `a service crashed: ${this.crashes.join('; ')}` : `the launcher exited with ${this.child.exitCode ?? this.child.signalCode}`);

      throw new Error(`${reason}\nLast launcher lines:\n${this.recent.join('\n')}`);
    }
  }

  secondsSinceStart(at = performance.now()): number {
    return (at - this.started) / 1000;
  }

  /** Sends SIGTERM to the launcher, which stops every service, and returns the seconds until it exited. */
  async stop(): Promise<number> {
    const stopping = performance.now();

    if (!this.exited) {
      const exited = once(this.child, 'exit');

      this.child.kill('SIGTERM');
      await exited;
    }

    return (performance.now() - stopping) / 1000;
  }

  private read(line: string): void {
    this.keep(line);

    let record: { service?: string; msg?: string; target?: string; pid?: number; elapsedMs?: number; err?: { message?: string }; lastError?: string };

    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return;
    }

    // The services' own JSON lines pass through the launcher's output unchanged.
    if (record.service !== 'launcher') {
      return;
    }

    if (record.msg === 'process started' && record.target !== undefined && record.pid !== undefined) {
      this.pids.set(record.target, record.pid);
    } else if (record.msg === 'all services healthy' && record.elapsedMs !== undefined) {
      this.launcherHealthySeconds = record.elapsedMs / 1000;
    } else if (record.msg === 'demo data loaded') {
      this.demoLoadedAt = performance.now();
    } else if (record.msg === 'launch failed' || record.msg?.startsWith('loading the demo data failed') === true) {
      this.failure = `${record.msg}: ${record.err?.message ?? 'no message'}`;
    } else if (record.msg === 'service crashed, restarting') {
      this.crashes.push(`${record.target ?? 'a service'} (${record.lastError ?? 'no error line'})`);
    }
  }

  private keep(line: string): void {
    this.recent.push(line);

    if (this.recent.length > 40) {
      this.recent.shift();
    }
  }
}

/** Polls the edge's /api/health until it returns 200 with status `up`, and returns that moment. */
async function waitForHealthy(launch: Launch): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;

  while (Date.now() < deadline) {
    launch.check();

    const response = await fetch(`${launch.baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);

    if (response !== undefined) {
      const at = performance.now();
      const body = await response.text();

      if (response.status === 200 && readStatus(body) === 'up') {
        return at;
      }
    }

    await sleep(HEALTH_POLL_MS);
  }

  throw new Error(`the platform did not report up within ${START_TIMEOUT_MS / 1000} s`);
}

/** Returns the `status` field of a JSON body, or undefined for any other body. */
function readStatus(body: string): unknown {
  try {
    return (JSON.parse(body) as { status?: unknown }).status;
  } catch {
    return undefined;
  }
}

async function waitForDemo(launch: Launch): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;

  while (launch.demoLoadedAt === undefined) {
    launch.check();

    if (Date.now() > deadline) {
      throw new Error(`the demo data was not loaded within ${START_TIMEOUT_MS / 1000} s`);
    }

    await sleep(HEALTH_POLL_MS);
  }

  return launch.demoLoadedAt;
}

/** Reads the memory of every service and of the launcher; throws when /proc shows a process under the launcher that its log did not name. */
function platformMemory(launch: Launch): Record<string, Memory> {
  const known = new Map<number, string>([[launch.child.pid as number, 'dev-launcher']]);

  for (const [service, pid] of launch.pids) {
    known.set(pid, service);
  }

  const unknown = descendants(launch.child.pid as number).filter((pid) => !known.has(pid));

  if (unknown.length > 0) {
    const names = unknown.map((pid) => `${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`);

    throw new Error(`processes under the launcher that its log does not name, so their memory would be missed: ${names.join(', ')}`);
  }

  return Object.fromEntries([...known].map(([pid, name]) => [name, readMemory(pid)]));
}

/** Resets VmHWM of every process to its current RSS (writing 5 to clear_refs, Linux 4.0 and later). */
function resetPeaks(launch: Launch): void {
  for (const pid of [launch.child.pid as number, ...launch.pids.values()]) {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  }
}

/** A caller of the public API that signs in as the launcher's administrator and signs in again when the token expires. */
class ApiClient {
  private token: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly dataDir: string,
  ) {}

  async json<T>(method: string, route: string, expected: number, init: { body?: BodyInit; contentType?: string; duplex?: 'half' } = {}): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      this.token ??= await this.signIn();

      const response = await fetch(`${this.baseUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(init.contentType === undefined ? {} : { 'content-type': init.contentType }) },
        body: init.body,
        ...(init.duplex === undefined ? {} : { duplex: init.duplex }),
      } as RequestInit);
      const text = await response.text();

      // A streamed body cannot be sent twice, so only requests without one are retried.
      if (response.status === 401 && attempt === 0 && init.body === undefined) {
        this.token = undefined;
        continue;
      }

      if (response.status !== expected) {
        throw new Error(`${method} ${route} returned ${response.status}, expected ${expected}: ${text.slice(0, 500)}`);
      }

      return JSON.parse(text) as T;
    }
  }

  private async signIn(): Promise<string> {
    const credentials = JSON.parse(readFileSync(path.join(this.dataDir, 'dev-admin.json'), 'utf8')) as { email: string; password: string };
    const response = await fetch(`${this.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: credentials.email, password: credentials.password }),
    });
    const text = await response.text();

    if (response.status !== 200) {
      throw new Error(`POST /auth/login returned ${response.status}: ${text.slice(0, 500)}`);
    }

    return (JSON.parse(text) as { accessToken: string }).accessToken;
  }
}

/** Uploads the CSV through the edge, loads it into a new table and waits for the job; then reads every process's memory. */
async function loadThroughApi(launch: Launch, file: string, rows: number): Promise<LoadResult> {
  const api = new ApiClient(launch.baseUrl, launch.dataDir);
  const bytes = statSync(file).size;
  const started = performance.now();
  const uploaded = await api.json<{ fileId: string; bytes: number }>('POST', '/api/transform/files?name=flights.csv', 201, {
    body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream,
    contentType: 'text/csv',
    duplex: 'half',
  });
  const uploadDone = performance.now();

  if (uploaded.bytes !== bytes) {
    throw new Error(`the upload stored ${uploaded.bytes} bytes of ${file}, expected ${bytes}`);
  }

  const { jobId } = await api.json<{ jobId: string }>('POST', '/api/transform/runs', 202, {
    body: JSON.stringify({ fileId: uploaded.fileId, spec: LOAD_SPEC, target: { table: 'flights', mode: 'create' } }),
    contentType: 'application/json',
  });
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  let job: JobView;

  for (;;) {
    launch.check();
    job = await api.json<JobView>('GET', `/api/jobs/${encodeURIComponent(jobId)}`, 200);

    if (job.status === 'succeeded') {
      break;
    }

    if (job.status === 'failed' || job.status === 'cancelled') {
      throw new Error(`job ${jobId} ended ${job.status}: ${JSON.stringify(job.error)}`);
    }

    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} is still ${job.status} after ${JOB_TIMEOUT_MS / 1000} s: ${JSON.stringify(job.progress)}`);
    }

    await sleep(JOB_POLL_MS);
  }

  const finished = performance.now();
  const rowsLoaded = job.result?.rowsLoaded ?? job.progress.rowsLoaded;

  if (rowsLoaded !== rows || job.attempts !== 1) {
    throw new Error(`job ${jobId} loaded ${rowsLoaded} rows of ${rows} in ${job.attempts} attempts: ${JSON.stringify(job)}`);
  }

  return {
    rows,
    rowsLoaded,
    seconds: round((finished - started) / 1000),
    uploadSeconds: round((uploadDone - started) / 1000),
    jobSeconds: round((finished - uploadDone) / 1000),
    memory: platformMemory(launch),
  };
}

/** Starts the platform in a fresh data directory, reads its memory, runs the load when given a file, and stops it. */
async function coldStart(distDir: string, demo: boolean, loadFile: string | undefined, loadRows: number): Promise<StartResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rokks-bench-platform-'));
  const offset = await freePortOffset();
  const launch = Launch.start(distDir, dataDir, offset, demo);
  let stopped = false;

  try {
    const healthyAt = await waitForHealthy(launch);
    const demoLoadedAt = demo ? await waitForDemo(launch) : undefined;

    await sleep(SETTLE_MS);
    launch.check();

    const memory = platformMemory(launch);

    if (launch.launcherHealthySeconds === undefined) {
      throw new Error('the edge reported up before the launcher logged `all services healthy`');
    }

    let load: LoadResult | undefined;

    if (loadFile !== undefined) {
      resetPeaks(launch);
      load = await loadThroughApi(launch, loadFile, loadRows);
    }

    launch.check();

    const stopSeconds = await launch.stop();

    stopped = true;

    const left = [...launch.pids].filter(([, pid]) => existsProcess(pid));

    if (left.length > 0) {
      throw new Error(`still running after the launcher stopped: ${left.map(([service, pid]) => `${service} (${pid})`).join(', ')}`);
    }

    return {
      demo,
      healthySeconds: round(launch.secondsSinceStart(healthyAt)),
      launcherHealthySeconds: round(launch.launcherHealthySeconds),
      ...(demoLoadedAt === undefined ? {} : { demoLoadedSeconds: round(launch.secondsSinceStart(demoLoadedAt)) }),
      stopSeconds: round(stopSeconds),
      memory,
      ...(load === undefined ? {} : { load }),
    };
  } finally {
    if (!stopped) {
      await launch.stop();
    }

    rmSync(dataDir, { recursive: true, force: true });
  }
}

function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);

    return true;
  } catch {
    return false;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** Returns, for each process, the median of one memory field over the starts. */
function medianMemory(starts: StartResult[], field: keyof Memory): Record<string, number> {
  const names = Object.keys(starts[0].memory);

  return Object.fromEntries(names.map((name) => [name, median(starts.map((start) => start.memory[name][field]))]));
}

function total(values: Record<string, number>): number {
  return Object.values(values).reduce((sum, value) => sum + value, 0);
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(): Promise<void> {
  const loadFile = LOAD_ROWS > 0 ? await ensureFlightsCsv(LOAD_ROWS) : undefined;
  const distDir = benchDataPath(`platform-dist-${randomBytes(4).toString('hex')}`);
  const loadBefore = os.loadavg();

  try {
    // The command the launcher runs before it starts anything, timed once.
    const buildStarted = performance.now();

    const buildOutput = await runNode(path.join(root, 'tools/build/build.mjs'), ['--out', distDir]);
    const buildSeconds = round((performance.now() - buildStarted) / 1000);
    // The build's own summary lines: the SWC projects, and the SPA's Vite bundle.
    const buildSummary = buildOutput.split('\n').filter((line) => /^built (\d+ projects|apps\/frontend)/.test(line));

    console.log(`build of the whole workspace: ${buildSeconds} s (${buildSummary.join('; ')})`);

    const starts: StartResult[] = [];

    for (let run = 0; run < RUNS; run += 1) {
      // Alternate which variant goes first, so neither always starts on a warmer cache.
      const order = run % 2 === 0 ? [false, true] : [true, false];

      for (const demo of order) {
        const withLoad = !demo && run === RUNS - 1 ? loadFile : undefined;
        const result = await coldStart(distDir, demo, withLoad, LOAD_ROWS);

        starts.push(result);
        console.log(
          `run ${run + 1} ${demo ? 'with demo data' : 'without demo data'}: healthy after ${result.healthySeconds} s (launcher ${result.launcherHealthySeconds} s)` +
            `${result.demoLoadedSeconds === undefined ? '' : `, demo loaded after ${result.demoLoadedSeconds} s`}, RSS ${total(Object.fromEntries(Object.entries(result.memory).map(([name, memory]) => [name, memory.rssMb])))} MB in all, stop ${result.stopSeconds} s`,
        );

        if (result.load !== undefined) {
          console.log(`load of ${result.load.rows} rows: ${result.load.seconds} s (upload ${result.load.uploadSeconds} s, job ${result.load.jobSeconds} s)`);
        }
      }
    }

    const plain = starts.filter((start) => !start.demo);
    const withDemo = starts.filter((start) => start.demo);
    const loaded = starts.find((start) => start.load !== undefined);
    const plainRss = medianMemory(plain, 'rssMb');
    const demoRss = medianMemory(withDemo, 'rssMb');

    recordResult('platform', {
      runs: RUNS,
      nodeVersion: process.version,
      pgliteVersion: packageVersion('@electric-sql/pglite'),
      services: Object.keys(plain[0].memory).length - 1,
      buildSeconds,
      buildSummary,
      medianHealthySeconds: round(median(plain.map((start) => start.healthySeconds))),
      medianLauncherHealthySeconds: round(median(plain.map((start) => start.launcherHealthySeconds))),
      medianHealthySecondsWithDemo: round(median(withDemo.map((start) => start.healthySeconds))),
      medianDemoLoadedSeconds: round(median(withDemo.map((start) => start.demoLoadedSeconds as number))),
      medianStopSeconds: round(median(starts.map((start) => start.stopSeconds))),
      afterStartRssMb: plainRss,
      afterStartRssMbTotal: total(plainRss),
      afterStartHwmMb: medianMemory(plain, 'hwmMb'),
      afterDemoRssMb: demoRss,
      afterDemoRssMbTotal: total(demoRss),
      ...(loaded?.load === undefined
        ? {}
        : {
            load: {
              ...loaded.load,
              afterStartRssMb: Object.fromEntries(Object.entries(loaded.memory).map(([name, memory]) => [name, memory.rssMb])),
              afterLoadRssMbTotal: total(Object.fromEntries(Object.entries(loaded.load.memory).map(([name, memory]) => [name, memory.rssMb]))),
              loadPeakHwmMbTotal: total(Object.fromEntries(Object.entries(loaded.load.memory).map(([name, memory]) => [name, memory.hwmMb]))),
            },
          }),
      healthySeconds: plain.map((start) => start.healthySeconds),
      healthySecondsWithDemo: withDemo.map((start) => start.healthySeconds),
      demoLoadedSeconds: withDemo.map((start) => start.demoLoadedSeconds),
      starts: starts.map(({ load: _load, ...start }) => start),
      loadAverageBefore: loadBefore.map((load) => round(load)),
      loadAverageAfter: os.loadavg().map((load) => round(load)),
    });
  } finally {
    rmSync(distDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
