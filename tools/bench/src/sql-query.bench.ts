// Measures queries through the SQL gateway against the same work done
// directly, on PostgreSQL at 127.0.0.1:5432, in a database the script
// creates and drops:
// 1. a dashboard widget query (hourly buckets over 1,000,000 flights) through
//    POST /api/sql/widget-query, and the same SQL through POST /api/sql/query,
//    against the SQL the engine compiles run in psql (`\timing`), interleaved;
// 2. `SELECT 1` throughput at concurrency 8 through POST /api/sql/query
//    (eight users, because each user may run only a few queries at once)
//    against node-postgres with a pool of 8 connections.
// The gateway runs as its own process, built in dist/. The user calls go
// through undici's `request` on the mesh client's agent (mutual TLS,
// keep-alive connections), which takes less of the shared CPU than `fetch`.
// The script also records the CPU time per `SELECT 1` of the gateway, of
// this client process and of the PostgreSQL server processes of the bench
// database, for both paths. With BENCH_CPU_PROF_DIR set, the gateway writes a
// V8 CPU profile into that folder when it stops. BENCH_BASELINE_ROOT names a
// folder with a copy of an older `dist/` (plus `nx.json` and links to
// `node_modules` and `tools`). A second gateway then runs that build on the
// same database. Each `SELECT 1` round measures the baseline, the gateway and
// node-postgres in turn, in a rotating order.
//
//   node tools/build/build.mjs bench sql-gateway && node dist/tools/bench/src/sql-query.bench.js [runs] [seconds]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { Pool } from 'pg';

import { recordResult } from './results';
import {
  BenchDatabase,
  BenchGateway,
  ensureFlightsCopyText,
  FLIGHTS_LOAD_COLUMNS,
  internalJson,
  processUsage,
  SERVER,
} from './sql-load.bench';

const ROWS = 1_000_000;
const CONCURRENCY = 8;
/**
 * Seconds of `SELECT 1` each path runs before the timed rounds. A gateway
 * started just before (the baseline) ran at a third of its later rate
 * after a 1 s warm-up, on a loaded machine.
 */
const WARM_UP_SECONDS = 3;

const WIDGET_QUERY = {
  table: 'flights',
  measures: [{ agg: 'count' }, { column: 'delay', agg: 'avg' }],
  timeBucket: { column: 'date', interval: '1 hour' },
};

// The SQL the engine compiles WIDGET_QUERY to on plain PostgreSQL (a
// timestamp column is read as UTC; hour buckets count from 2000-01-03), with
// the interval parameter written in. The bench checks that both return the
// same number of rows.
const WIDGET_SQL = `SELECT date_bin('1 hours'::interval, ("date" AT TIME ZONE 'UTC'), TIMESTAMPTZ '2000-01-03 00:00:00+00') AS "bucket",
  count(*) AS "count", avg("delay")::double precision AS "avg_delay" FROM "flights" GROUP BY 1 ORDER BY 1 ASC`;

interface QueryResponse {
  rowCount: number;
  truncated: boolean;
}

class UserApi {
  private constructor(
    private readonly gateway: BenchGateway,
    private readonly tokens: string[],
  ) {}

  static async create(gateway: BenchGateway, users: number): Promise<UserApi> {
    const tokens = await Promise.all(
      Array.from({ length: users }, (_, index) => gateway.userToken(`bench-viewer-${index}`, ['viewer'])),
    );

    return new UserApi(gateway, tokens);
  }

  /** Posts a query as user `user` and returns the result's row count. */
  async post(route: string, body: unknown, user = 0): Promise<QueryResponse> {
    const response = await this.gateway.client.agent.request({
      origin: this.gateway.url,
      path: route,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.tokens[user]}` },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();

    if (response.statusCode !== 200) {
      throw new Error(`POST ${route} returned ${response.statusCode}: ${text}`);
    }

    return JSON.parse(text) as QueryResponse;
  }
}

async function loadFlights(gateway: BenchGateway): Promise<void> {
  const file = await ensureFlightsCopyText(ROWS);

  await internalJson(gateway, 'POST', '/internal/loads', { table: 'flights', loadId: 'bench-flights', mode: 'create', columns: FLIGHTS_LOAD_COLUMNS }, 201);

  const response = await gateway.client(`${gateway.url}/internal/loads/bench-flights/rows?commit=true`, {
    method: 'PUT',
    headers: { 'content-type': 'text/tab-separated-values' },
    body: createReadStream(file, { highWaterMark: 256 * 1024 }),
    duplex: 'half',
  });

  if (response.status !== 200) {
    throw new Error(`loading the flights returned ${response.status}: ${await response.text()}`);
  }

  await response.text();
}

/** Runs `sql` `times` times in one psql session and returns the `\timing` of each run, in milliseconds. */
async function psqlTimings(database: string, sql: string, times: number): Promise<number[]> {
  const commands = ['\\timing on', 'SET search_path = ws_default', ...Array.from({ length: times }, () => sql)];
  const child = spawn(
    'psql',
    ['-h', SERVER.host, '-p', String(SERVER.port), '-U', SERVER.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', ...commands.flatMap((command) => ['-c', command])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';

  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    output += text;
  });

  const [code] = (await once(child, 'exit')) as [number | null];

  if (code !== 0) {
    throw new Error(`psql exited with code ${code}`);
  }

  // The first timing is the SET.
  return [...output.matchAll(/Time: ([\d.]+) ms/g)].map((match) => Number(match[1])).slice(1);
}

async function psqlRowCount(database: BenchDatabase, sql: string): Promise<number> {
  const client = database.client();

  await client.connect();

  try {
    await client.query('SET search_path = ws_default');

    return (await client.query(sql)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();

  await work();

  return performance.now() - started;
}

/** Runs `worker` in `CONCURRENCY` loops for `seconds` and returns completed calls per second. */
async function throughput(seconds: number, worker: (slot: number) => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;

  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, slot) => {
      while (performance.now() < deadline) {
        await worker(slot);
        completed += 1;
      }
    }),
  );

  return completed / seconds;
}

/** CPU seconds so far of the server processes that serve the bench database; a process that has exited counts as 0. */
async function postgresCpuSeconds(pool: Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_catalog.pg_stat_activity WHERE datname = current_database()');
  const seconds = new Map<number, number>();

  for (const { pid } of rows) {
    try {
      seconds.set(pid, processUsage(pid).cpuSeconds);
    } catch {
      seconds.set(pid, 0);
    }
  }

  return seconds;
}

interface CpuPerCall {
  calls: number;
  /** Milliseconds of CPU per call, of the gateway, this client process and PostgreSQL. */
  gatewayMs: number;
  clientMs: number;
  postgresMs: number;
}

/**
 * Runs `throughput` and returns the calls per second and the CPU time each
 * call took. Server processes started during the run count from 0, so a
 * connection opened by the run is included; one that closed is missed.
 */
async function measuredThroughput(
  gateway: BenchGateway,
  pool: Pool,
  seconds: number,
  worker: (slot: number) => Promise<unknown>,
): Promise<CpuPerCall> {
  const postgresBefore = await postgresCpuSeconds(pool);
  const gatewayBefore = gateway.usage().cpuSeconds;
  const clientBefore = process.cpuUsage();
  const rate = await throughput(seconds, worker);
  const client = process.cpuUsage(clientBefore);
  const gatewaySeconds = gateway.usage().cpuSeconds - gatewayBefore;
  const postgresAfter = await postgresCpuSeconds(pool);
  let postgresSeconds = 0;

  for (const [pid, after] of postgresAfter) {
    postgresSeconds += after - (postgresBefore.get(pid) ?? 0);
  }

  const calls = rate * seconds;

  return {
    calls: rate,
    gatewayMs: (gatewaySeconds * 1000) / calls,
    clientMs: (client.user + client.system) / 1000 / calls,
    postgresMs: (postgresSeconds * 1000) / calls,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 15);
  const seconds = Number(process.argv[3] ?? 10);
  const database = await BenchDatabase.create();
  let gateway: BenchGateway | undefined;
  let baseline: BenchGateway | undefined;

  try {
    const profileDir = process.env.BENCH_CPU_PROF_DIR;

    gateway = await BenchGateway.start(database.url, {}, profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
    await loadFlights(gateway);

    const api = await UserApi.create(gateway, CONCURRENCY);
    const widget = await api.post('/api/sql/widget-query', WIDGET_QUERY);
    const sqlRoute = await api.post('/api/sql/query', { sql: WIDGET_SQL });
    const psqlRows = await psqlRowCount(database, WIDGET_SQL);

    if (widget.rowCount !== psqlRows || sqlRoute.rowCount !== psqlRows || widget.truncated) {
      throw new Error(`row counts differ: widget ${widget.rowCount}, query ${sqlRoute.rowCount}, psql ${psqlRows}`);
    }

    const widgetMs: number[] = [];
    const sqlMs: number[] = [];
    const psqlMs: number[] = [];

    // One untimed round of each warms the caches.
    await psqlTimings(database.name, WIDGET_SQL, 1);

    for (let run = 0; run < runs; run += 1) {
      widgetMs.push(await timed(() => api.post('/api/sql/widget-query', WIDGET_QUERY)));
      psqlMs.push(...(await psqlTimings(database.name, WIDGET_SQL, 1)));
      sqlMs.push(await timed(() => api.post('/api/sql/query', { sql: WIDGET_SQL })));
    }

    console.log(`widget query: gateway ${round(median(widgetMs))} ms, SQL route ${round(median(sqlMs))} ms, psql ${round(median(psqlMs))} ms`);

    const pool = new Pool({ ...SERVER, database: database.name, max: CONCURRENCY });
    const baselineRoot = process.env.BENCH_BASELINE_ROOT;
    const gatewayRuns: CpuPerCall[] = [];
    const directRuns: CpuPerCall[] = [];
    const baselineRuns: CpuPerCall[] = [];

    try {
      baseline = baselineRoot === undefined ? undefined : await BenchGateway.start(database.url, {}, [], baselineRoot);

      const baselineApi = baseline === undefined ? undefined : await UserApi.create(baseline, CONCURRENCY);
      const paths: { name: string; runs: CpuPerCall[]; measure: () => Promise<CpuPerCall> }[] = [
        {
          name: 'gateway',
          runs: gatewayRuns,
          measure: () => measuredThroughput(gateway as BenchGateway, pool, seconds, (slot) => api.post('/api/sql/query', { sql: 'SELECT 1' }, slot)),
        },
        { name: 'node-postgres', runs: directRuns, measure: () => measuredThroughput(gateway as BenchGateway, pool, seconds, () => pool.query('SELECT 1')) },
      ];

      if (baseline !== undefined && baselineApi !== undefined) {
        const started = baseline;

        paths.push({
          name: 'baseline',
          runs: baselineRuns,
          measure: () => measuredThroughput(started, pool, seconds, (slot) => baselineApi.post('/api/sql/query', { sql: 'SELECT 1' }, slot)),
        });
        await throughput(WARM_UP_SECONDS, (slot) => baselineApi.post('/api/sql/query', { sql: 'SELECT 1' }, slot));
      }

      // Warm every path (connections, JIT) before timing.
      await throughput(WARM_UP_SECONDS, (slot) => api.post('/api/sql/query', { sql: 'SELECT 1' }, slot));
      await throughput(WARM_UP_SECONDS, () => pool.query('SELECT 1'));

      for (let round_ = 0; round_ < 3; round_ += 1) {
        const figures: string[] = [];

        // A rotating order, so that no path always runs first on a cooler machine.
        for (let index = 0; index < paths.length; index += 1) {
          const path = paths[(index + round_) % paths.length];
          const run = await path.measure();

          path.runs.push(run);
          figures.push(
            `${path.name} ${Math.round(run.calls)}/s (CPU ms per call: server ${run.gatewayMs.toFixed(3)}, client ${run.clientMs.toFixed(3)}, PostgreSQL ${run.postgresMs.toFixed(3)})`,
          );
        }

        console.log(`SELECT 1 round ${round_ + 1}, load average ${loadavg()[0].toFixed(1)}: ${figures.join('; ')}`);
      }
    } finally {
      await pool.end();
    }

    const gatewayRates = gatewayRuns.map((run) => run.calls);
    const directRates = directRuns.map((run) => run.calls);
    const baselineRates = baselineRuns.map((run) => run.calls);
    const cpuMedian = (runs: CpuPerCall[], key: keyof CpuPerCall): number => round(median(runs.map((run) => run[key])), 3);
    const baselineFigures =
      baselineRuns.length === 0
        ? {}
        : {
            select1BaselinePerSecond: Math.round(median(baselineRates)),
            select1BaselineRatio: round(median(baselineRates) / median(directRates), 3),
            select1BaselineCpuMsPerQuery: cpuMedian(baselineRuns, 'gatewayMs'),
            select1BaselineClientCpuMsPerQuery: cpuMedian(baselineRuns, 'clientMs'),
            select1BaselinePostgresCpuMsPerQuery: cpuMedian(baselineRuns, 'postgresMs'),
            select1BaselineRates: baselineRates.map(Math.round),
          };

    const widgetMedian = median(widgetMs);
    const sqlMedian = median(sqlMs);
    const psqlMedian = median(psqlMs);

    recordResult('sql-query', {
      rows: ROWS,
      buckets: psqlRows,
      runs,
      widgetGatewayMedianMs: round(widgetMedian),
      widgetSqlRouteMedianMs: round(sqlMedian),
      widgetPsqlMedianMs: round(psqlMedian),
      widgetRatio: round(widgetMedian / psqlMedian, 2),
      widgetSqlRouteRatio: round(sqlMedian / psqlMedian, 2),
      select1Concurrency: CONCURRENCY,
      select1Seconds: seconds,
      select1GatewayPerSecond: Math.round(median(gatewayRates)),
      select1DirectPerSecond: Math.round(median(directRates)),
      select1Ratio: round(median(gatewayRates) / median(directRates), 3),
      select1GatewayCpuMsPerQuery: cpuMedian(gatewayRuns, 'gatewayMs'),
      select1ClientCpuMsPerQuery: cpuMedian(gatewayRuns, 'clientMs'),
      select1PostgresCpuMsPerQuery: cpuMedian(gatewayRuns, 'postgresMs'),
      select1DirectClientCpuMsPerQuery: cpuMedian(directRuns, 'clientMs'),
      select1DirectPostgresCpuMsPerQuery: cpuMedian(directRuns, 'postgresMs'),
      select1RatioPerRound: gatewayRates.map((rate, index) => round(rate / directRates[index], 3)),
      loadAverage: round(loadavg()[0], 1),
      gatewayRssMb: round(gateway.usage().rssMb, 0),
      widgetGatewayMs: widgetMs.map((value) => round(value)),
      widgetPsqlMs: psqlMs.map((value) => round(value)),
      select1GatewayRates: gatewayRates.map(Math.round),
      select1DirectRates: directRates.map(Math.round),
      ...baselineFigures,
    });
  } finally {
    await baseline?.stop();
    await gateway?.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
