// Loads the flights data (3,000,000 rows, about 100 MB of COPY text) into
// PostgreSQL through the SQL gateway's Load API and with `psql \copy`,
// interleaved, and compares the median times. pgloader (Debian's package,
// /usr/bin/pgloader) loads the same rows from the CSV they were written
// from, into the same table shape, as a second reference in the same runs.
// The gateway runs as its own process (built in dist/), so its RSS and CPU
// time are its own. The script creates and drops a database of its own on
// the server at 127.0.0.1:5432.
//
//   node tools/build/build.mjs bench sql-gateway && node dist/tools/bench/src/sql-load.bench.js [runs] [rows]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from 'pg';

import { type TestMeshClient, TestPlatform, TestTokenIssuer, workspaceRoot } from '@rokks/testing';
import { toCopyRow } from '@rokks/transform';

import { benchDataPath, ensureFlightsCsv } from './flights';
import { recordResult } from './results';

export const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' };

/** Columns of the flights table, as the Load API takes them and as `psql` creates them. */
export const FLIGHTS_LOAD_COLUMNS = [
  { name: 'date', type: 'timestamp' },
  { name: 'delay', type: 'integer' },
  { name: 'distance', type: 'integer' },
  { name: 'origin', type: 'text' },
  { name: 'destination', type: 'text' },
] as const;

const FLIGHTS_TABLE_DDL = '(date timestamp, delay bigint, distance bigint, origin text, destination text)';

/**
 * Writes the first `limit` flights as PostgreSQL COPY text under bench-data/
 * once and returns its path. The values come from the CSV, which has no
 * quoted fields, and go through `toCopyRow`, which escapes them.
 */
export async function ensureFlightsCopyText(limit: number): Promise<string> {
  const target = benchDataPath(`flights-${limit}.copy`);

  if (existsSync(target)) {
    return target;
  }

  const csv = await ensureFlightsCsv(limit);
  const partial = `${target}.partial`;
  const output = createWriteStream(partial);
  const lines = createInterface({ input: createReadStream(csv), crlfDelay: Infinity });
  let header = true;
  let batch = '';

  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }

    batch += toCopyRow(line.split(','));

    if (batch.length > 1 << 20) {
      if (!output.write(batch)) {
        await once(output, 'drain');
      }

      batch = '';
    }
  }

  output.end(batch);
  await once(output, 'finish');
  renameSync(partial, target);

  return target;
}

/** A database of the bench's own on the server, dropped with the roles the gateway created for it. */
export class BenchDatabase {
  private constructor(readonly name: string) {}

  static async create(): Promise<BenchDatabase> {
    const name = `rokks_bench_${randomBytes(5).toString('hex')}`;

    await adminQuery('postgres', `CREATE DATABASE ${name}`);

    return new BenchDatabase(name);
  }

  get url(): string {
    return `postgres://${SERVER.user}@${SERVER.host}:${SERVER.port}/${this.name}`;
  }

  client(): Client {
    return new Client({ ...SERVER, database: this.name });
  }

  async drop(): Promise<void> {
    // Workspace roles belong to the whole server, not to the database.
    const roles = await adminQuery(this.name, 'SELECT role_name FROM rokks_catalog.workspaces').catch((error: unknown) => {
      // 42P01: no catalog, because the gateway never started.
      if ((error as { code?: unknown }).code === '42P01') {
        return [];
      }

      throw error;
    });

    await adminQuery('postgres', `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);

    for (const [role] of roles) {
      await adminQuery('postgres', `DROP ROLE IF EXISTS "${role}"`);
    }
  }
}

async function adminQuery(database: string, sql: string): Promise<string[][]> {
  const client = new Client({ ...SERVER, database });

  await client.connect();

  try {
    return (await client.query<string[]>({ text: sql, rowMode: 'array' })).rows;
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  const address = server.address();

  server.close();

  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Reads a process's resident set size and CPU seconds (user + system) from /proc. */
export function processUsage(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);

  return { rssMb: rssKb / 1024, cpuSeconds: ticks / 100 };
}

/**
 * A registry in this process and the SQL gateway as a child process on
 * PostgreSQL, with a mesh client and access tokens for calling it.
 */
export class BenchGateway {
  private constructor(
    private readonly platform: TestPlatform,
    private readonly child: ChildProcess,
    readonly url: string,
    readonly client: TestMeshClient,
    readonly issuer: TestTokenIssuer,
  ) {}

  /**
   * Starts the gateway; `nodeArgs` go to its `node` (`--cpu-prof`, say).
   * `root` is the folder whose `dist/` contains the gateway build to run. It
   * is this workspace by default, or a copy of an older build to compare.
   */
  static async start(
    databaseUrl: string,
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
    root = workspaceRoot(),
  ): Promise<BenchGateway> {
    const issuer = TestTokenIssuer.create();
    const platform = await TestPlatform.start({ registryEnv: issuer.registryEnv });
    let child: ChildProcess | undefined;

    try {
      const port = await freePort();
      const serviceEnv = platform.serviceEnv({
        ROKKS_PORT: String(port),
        ROKKS_MICROSERVICE_PORT: String(await freePort()),
        ROKKS_LOG_LEVEL: 'info',
        DATABASE_URL: databaseUrl,
      });
      const logFile = path.join(platform.dataDir, 'sql-gateway.log');
      const log = openSync(logFile, 'w');

      child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist/apps/sql-gateway/src/main.js')], {
        env: { ...process.env, ...serviceEnv, ...env },
        stdio: ['ignore', log, log],
      });
      closeSync(log);

      const gateway = new BenchGateway(platform, child, `https://127.0.0.1:${port}`, await platform.meshClient('worker'), issuer);

      await gateway.waitUntilReady(logFile);

      return gateway;
    } catch (error) {
      if (child !== undefined && child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }

      await platform.dispose();
      throw error;
    }
  }

  /** Signs an access token; the default is an editor of the default workspace. */
  userToken(subject = 'bench-editor', roles: string[] = ['editor']): Promise<string> {
    return this.issuer.sign({ subject, roles });
  }

  /** Drops a table through the user API, as an editor. */
  async dropTable(table: string): Promise<void> {
    const response = await this.client(`${this.url}/api/sql/tables/${table}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await this.userToken()}` },
    });

    if (response.status !== 204) {
      throw new Error(`DELETE of table ${table} returned ${response.status}: ${await response.text()}`);
    }
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  usage(): { rssMb: number; cpuSeconds: number } {
    return processUsage(this.pid);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await once(this.child, 'exit');
    }

    await this.platform.dispose();
  }

  private async waitUntilReady(logFile: string): Promise<void> {
    const deadline = Date.now() + 60_000;

    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`the gateway exited with code ${this.child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
      }

      const response = await this.client(`${this.url}/health/ready`).catch(() => null);

      if (response?.status === 200) {
        return;
      }

      await response?.body?.cancel();
      await sleep(250);
    }

    throw new Error(`the gateway was not ready after 60 s:\n${readFileSync(logFile, 'utf8')}`);
  }
}

/** Sends a JSON request to an internal route and returns the parsed response; throws on another status. */
export async function internalJson<T>(gateway: BenchGateway, method: string, route: string, body: unknown, expected: number): Promise<T> {
  const response = await gateway.client(`${gateway.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();

  if (response.status !== expected) {
    throw new Error(`${method} ${route} returned ${response.status}: ${text}`);
  }

  return JSON.parse(text) as T;
}

/** Loads a COPY text file through the Load API: begin, one streamed rows request, commit. */
export async function loadThroughGateway(
  gateway: BenchGateway,
  file: string,
  table: string,
  loadId: string,
): Promise<{ rowsSeconds: number; commitSeconds: number; rowsLoaded: number }> {
  await internalJson(gateway, 'POST', '/internal/loads', { table, loadId, mode: 'create', columns: FLIGHTS_LOAD_COLUMNS }, 201);

  const rowsStarted = performance.now();
  const response = await gateway.client(`${gateway.url}/internal/loads/${loadId}/rows`, {
    method: 'PUT',
    headers: { 'content-type': 'text/tab-separated-values' },
    body: createReadStream(file, { highWaterMark: 256 * 1024 }),
    duplex: 'half',
  });

  if (response.status !== 200) {
    throw new Error(`PUT rows returned ${response.status}: ${await response.text()}`);
  }

  await response.text();

  const commitStarted = performance.now();
  const committed = await internalJson<{ result: { rowsLoaded: number } }>(gateway, 'POST', `/internal/loads/${loadId}/commit`, {}, 200);

  return {
    rowsSeconds: (commitStarted - rowsStarted) / 1000,
    commitSeconds: (performance.now() - commitStarted) / 1000,
    rowsLoaded: committed.result.rowsLoaded,
  };
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

/**
 * Returns the psql commands of the engine's way of loading: COPY into a temporary staging
 * table with a sequence column, then `INSERT … SELECT … ORDER BY` the
 * sequence into the table, in one transaction. Timing it separates the cost
 * of that design from the gateway's own.
 */
function stagedCopyCommands(table: string, file: string): string[] {
  const columns = 'date, delay, distance, origin, destination';

  return [
    'BEGIN',
    `CREATE TEMP TABLE stage ${FLIGHTS_TABLE_DDL.replace(/\)$/, ', seq bigserial)')} ON COMMIT DROP`,
    `\\copy stage (${columns}) FROM '${file}'`,
    `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM stage ORDER BY seq`,
    'COMMIT',
  ];
}

const PGLOADER = '/usr/bin/pgloader';

/** Returns pgloader's version line; Debian 12's package 3.6.9-1 prints `pgloader version "3.6.7~devel"`. */
function pgloaderVersion(): string {
  return execFileSync(PGLOADER, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

/**
 * Writes a pgloader command file that loads the flights CSV (header line,
 * comma-separated, no quoted fields) into an existing table, with
 * pgloader's defaults otherwise: no truncate, no index or trigger changes,
 * its default batch size and number of workers.
 */
function writePgloaderCommand(directory: string, csv: string, database: string, table: string): string {
  const columns = FLIGHTS_LOAD_COLUMNS.map((column) => column.name).join(', ');
  const file = path.join(directory, `${table}.load`);

  writeFileSync(
    file,
    [
      'LOAD CSV',
      `  FROM '${csv}' (${columns})`,
      `  INTO postgresql://${SERVER.user}@${SERVER.host}:${SERVER.port}/${database}`,
      `  TARGET TABLE ${table} (${columns})`,
      '  WITH skip header = 1,',
      "       fields terminated by ','",
      ';',
      '',
    ].join('\n'),
  );

  return file;
}

/**
 * Runs pgloader on a command file, with its log and reject files in
 * `directory`. Throws with pgloader's own output when it exits with an
 * error, so a failure shows the exact message.
 */
async function runPgloader(directory: string, commandFile: string): Promise<void> {
  const child = spawn(PGLOADER, ['--root-dir', path.join(directory, 'root'), '--logfile', path.join(directory, 'pgloader.log'), commandFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';

  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const [code] = (await once(child, 'exit')) as [number | null];

  if (code !== 0) {
    throw new Error(`pgloader exited with code ${code} for ${commandFile}:\n${output}`);
  }
}

async function countRows(database: string, table: string): Promise<number> {
  const [[count]] = await adminQuery(database, `SELECT count(*) FROM ${table}`);

  return Number(count);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const rows = Number(process.argv[3] ?? 3_000_000);
  const file = await ensureFlightsCopyText(rows);
  // The CSV that the COPY text was written from: pgloader reads it.
  const csv = await ensureFlightsCsv(rows);
  const pgloader = pgloaderVersion();
  const pgloaderDir = mkdtempSync(path.join(os.tmpdir(), 'rokks-bench-pgloader-'));
  const loadBefore = os.loadavg();
  const database = await BenchDatabase.create();
  let gateway: BenchGateway | undefined;

  try {
    gateway = await BenchGateway.start(database.url);

    const idle = gateway.usage();
    const gatewayRuns: { seconds: number; rowsSeconds: number; commitSeconds: number; cpuSeconds: number; peakRssMb: number }[] = [];
    const psqlRuns: number[] = [];
    const stagedRuns: number[] = [];
    const pgloaderRuns: number[] = [];

    for (let run = 0; run < runs; run += 1) {
      // Gateway first in even runs and last in odd ones, so neither always runs on a warmer cache.
      const order = run % 2 === 0 ? ['gateway', 'psql', 'staged', 'pgloader'] : ['pgloader', 'staged', 'psql', 'gateway'];

      for (const method of order) {
        if (method === 'gateway') {
          const cpuBefore = gateway.usage().cpuSeconds;
          let peakRssMb = 0;
          const sampler = setInterval(() => {
            peakRssMb = Math.max(peakRssMb, (gateway as BenchGateway).usage().rssMb);
          }, 100);
          const started = performance.now();
          const result = await loadThroughGateway(gateway, file, `flights_gw_${run}`, `bench-${run}`).finally(() => clearInterval(sampler));
          const seconds = (performance.now() - started) / 1000;

          if (result.rowsLoaded !== rows) {
            throw new Error(`the gateway loaded ${result.rowsLoaded} rows, expected ${rows}`);
          }

          gatewayRuns.push({ seconds, ...result, cpuSeconds: gateway.usage().cpuSeconds - cpuBefore, peakRssMb });
          console.log(`run ${run + 1} gateway: ${seconds.toFixed(2)} s (rows ${result.rowsSeconds.toFixed(2)} s, commit ${result.commitSeconds.toFixed(2)} s), peak RSS ${peakRssMb.toFixed(0)} MB`);
          await gateway.dropTable(`flights_gw_${run}`);
        } else if (method === 'pgloader') {
          const table = `flights_pgloader_${run}`;

          await adminQuery(database.name, `CREATE TABLE ${table} ${FLIGHTS_TABLE_DDL}`);

          const command = writePgloaderCommand(pgloaderDir, csv, database.name, table);
          const started = performance.now();

          await runPgloader(pgloaderDir, command);

          const seconds = (performance.now() - started) / 1000;
          const loaded = await countRows(database.name, table);

          // Debian 12's pgloader (3.6.9-1) exits with 0 when it rejects a row, so the rows are counted.
          if (loaded !== rows) {
            throw new Error(`pgloader loaded ${loaded} rows, expected ${rows}; see ${pgloaderDir}`);
          }

          pgloaderRuns.push(seconds);
          console.log(`run ${run + 1} pgloader: ${seconds.toFixed(2)} s`);
          await adminQuery(database.name, `DROP TABLE ${table}`);
        } else {
          const table = `flights_${method}_${run}`;

          await adminQuery(database.name, `CREATE TABLE ${table} ${FLIGHTS_TABLE_DDL}`);

          const started = performance.now();

          await runPsql(database.name, method === 'psql' ? [`\\copy ${table} FROM '${file}'`] : stagedCopyCommands(table, file));

          const seconds = (performance.now() - started) / 1000;

          (method === 'psql' ? psqlRuns : stagedRuns).push(seconds);
          console.log(`run ${run + 1} ${method === 'psql' ? 'psql \\copy' : 'psql staged'}: ${seconds.toFixed(2)} s`);
          await adminQuery(database.name, `DROP TABLE ${table}`);
        }
      }
    }

    const gatewayMedian = median(gatewayRuns.map((run) => run.seconds));
    const psqlMedian = median(psqlRuns);
    const pgloaderMedian = median(pgloaderRuns);

    recordResult('sql-load', {
      rows,
      fileBytes: statSync(file).size,
      runs,
      gatewayMedianSeconds: round(gatewayMedian),
      gatewayMedianRowsSeconds: round(median(gatewayRuns.map((run) => run.rowsSeconds))),
      gatewayMedianCommitSeconds: round(median(gatewayRuns.map((run) => run.commitSeconds))),
      psqlMedianSeconds: round(psqlMedian),
      ratio: round(gatewayMedian / psqlMedian),
      psqlStagedMedianSeconds: round(median(stagedRuns)),
      ratioToStaged: round(gatewayMedian / median(stagedRuns)),
      pgloaderVersion: pgloader,
      pgloaderMedianSeconds: round(pgloaderMedian),
      ratioToPgloader: round(gatewayMedian / pgloaderMedian),
      pgloaderRowsPerSecond: Math.round(rows / pgloaderMedian),
      gatewayRowsPerSecond: Math.round(rows / gatewayMedian),
      psqlRowsPerSecond: Math.round(rows / psqlMedian),
      gatewayMedianCpuSeconds: round(median(gatewayRuns.map((run) => run.cpuSeconds))),
      gatewayIdleRssMb: round(idle.rssMb, 0),
      gatewayPeakRssMb: round(Math.max(...gatewayRuns.map((run) => run.peakRssMb)), 0),
      gatewaySeconds: gatewayRuns.map((run) => round(run.seconds)),
      psqlSeconds: psqlRuns.map((seconds) => round(seconds)),
      psqlStagedSeconds: stagedRuns.map((seconds) => round(seconds)),
      pgloaderSeconds: pgloaderRuns.map((seconds) => round(seconds)),
      loadAverageBefore: loadBefore.map((load) => round(load)),
      loadAverageAfter: os.loadavg().map((load) => round(load)),
    });
  } finally {
    await gateway?.stop();
    await database.drop();
    rmSync(pgloaderDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
