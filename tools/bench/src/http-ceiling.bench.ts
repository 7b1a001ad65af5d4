// Measures the upper bound of `SELECT 1` throughput at concurrency 8 for any
// HTTP service in front of node-postgres on this machine, as a bound for the
// SQL gateway's target (at least 0.6× of node-postgres). Interleaved rounds of:
// 1. node-postgres alone: a pool of 8 connections, `pool.query('SELECT 1')`;
// 2. node-postgres with the transaction the gateway must wrap around a user
//    query: `BEGIN READ ONLY`, the three `SET LOCAL` timeouts and
//    `SET LOCAL ROLE` in one simple query, the statement through the
//    extended protocol, then `ROLLBACK`;
// 3. and 4. the same two behind a bare `node:http` server in a child process:
//    no TLS, no framework, no token check, no parser, no logging, one JSON
//    body in and one out. The client is undici's `request` on a keep-alive
//    agent, as in sql-query.bench.ts.
// It prints the rates, their ratios to (1) and the CPU time per call of the
// client and of the server process.
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/http-ceiling.bench.js [rounds] [seconds]
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';

import { Pool, type PoolClient } from 'pg';
import { Agent, request } from 'undici';

import { recordResult } from './results';
import { processUsage } from './sql-load.bench';

const CONCURRENCY = 8;
const SERVE = 'serve';
// A role every PostgreSQL 14+ has, so the bench needs no set-up of its own.
const SETUP =
  "BEGIN READ ONLY; SET LOCAL statement_timeout = '30s'; SET LOCAL lock_timeout = '1s'; " +
  "SET LOCAL idle_in_transaction_session_timeout = '60s'; SET LOCAL ROLE pg_read_all_data";

type Variant = 'plain' | 'wrapped';

function connect(): Pool {
  return new Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', max: CONCURRENCY });
}

async function wrappedQuery(pool: Pool, sql: string): Promise<unknown[]> {
  const client: PoolClient = await pool.connect();

  try {
    await client.query(SETUP);
    const result = await client.query({ text: sql, values: [] });

    await client.query('ROLLBACK');

    return result.rows;
  } finally {
    client.release();
  }
}

async function plainQuery(pool: Pool, sql: string): Promise<unknown[]> {
  return (await pool.query({ text: sql, values: [] })).rows;
}

/** Starts the child: a bare HTTP server that runs the posted SQL and returns the contract's shape. */
function serve(variant: Variant): void {
  const pool = connect();
  const run = variant === 'wrapped' ? wrappedQuery : plainQuery;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];

    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { sql } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sql: string };

      run(pool, sql).then(
        (rows) => {
          const body = JSON.stringify({
            columns: [{ name: '?column?', type: 'integer' }],
            rows: rows.map((row) => Object.values(row as Record<string, unknown>)),
            rowCount: rows.length,
            truncated: false,
          });

          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: String(error) }));
        },
      );
    });
  });

  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
}

interface Rate {
  callsPerSecond: number;
  clientCpuMsPerCall: number;
  serverCpuMsPerCall?: number;
}

/** Calls `call` from CONCURRENCY loops for `seconds` and returns the rate and this process's CPU per call. */
async function measure(call: () => Promise<void>, seconds: number): Promise<Rate> {
  let calls = 0;
  const cpuBefore = process.cpuUsage();
  const end = Date.now() + seconds * 1000;

  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await call();
        calls++;
      }
    }),
  );

  const cpu = process.cpuUsage(cpuBefore);

  return { callsPerSecond: calls / seconds, clientCpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls };
}

class BareServer {
  private readonly agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });

  private constructor(
    private readonly child: ChildProcess,
    private readonly port: number,
  ) {}

  static async start(variant: Variant): Promise<BareServer> {
    const child = fork(__filename, [SERVE, variant]);
    const [port] = (await once(child, 'message')) as [number];

    return new BareServer(child, port);
  }

  get cpuSeconds(): number {
    return processUsage(this.child.pid ?? 0).cpuSeconds;
  }

  async call(): Promise<void> {
    const response = await request(`http://127.0.0.1:${this.port}/query`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT 1' }),
    });
    const result = (await response.body.json()) as { rowCount?: number };

    if (response.statusCode !== 200 || result.rowCount !== 1) {
      throw new Error(`Unexpected response from the bare server: status ${response.statusCode}: ${JSON.stringify(result)}`);
    }
  }

  async stop(): Promise<void> {
    await this.agent.close();
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const seconds = Number(process.argv[3] ?? 5);
  const pool = connect();
  const servers = { plain: await BareServer.start('plain'), wrapped: await BareServer.start('wrapped') };
  const rates: Record<string, Rate[]> = { direct: [], directWrapped: [], http: [], httpWrapped: [] };
  const loadBefore = loadavg();

  try {
    // Warm-up, so that connections are open and the code is compiled.
    for (let index = 0; index < 500; index++) {
      await Promise.all([servers.plain.call(), servers.wrapped.call(), wrappedQuery(pool, 'SELECT 1')]);
    }

    for (let round = 0; round < rounds; round++) {
      rates.direct.push(await measure(async () => void (await plainQuery(pool, 'SELECT 1')), seconds));
      rates.directWrapped.push(await measure(async () => void (await wrappedQuery(pool, 'SELECT 1')), seconds));

      for (const [name, server] of [
        ['http', servers.plain],
        ['httpWrapped', servers.wrapped],
      ] as const) {
        const before = server.cpuSeconds;
        const rate = await measure(() => server.call(), seconds);

        rate.serverCpuMsPerCall = ((server.cpuSeconds - before) * 1000) / (rate.callsPerSecond * seconds);
        rates[name].push(rate);
      }

      console.log(
        `round ${round + 1}: ${Object.entries(rates)
          .map(([name, list]) => `${name} ${Math.round(list[round].callsPerSecond)}/s`)
          .join(', ')}`,
      );
    }
  } finally {
    await Promise.all([servers.plain.stop(), servers.wrapped.stop(), pool.end()]);
  }

  const medians = Object.fromEntries(
    Object.entries(rates).map(([name, list]) => [name, Math.round(median(list.map((rate) => rate.callsPerSecond)))]),
  );

  recordResult('http-ceiling', {
    concurrency: CONCURRENCY,
    rounds,
    seconds,
    medianCallsPerSecond: medians,
    ratioToDirect: Object.fromEntries(
      Object.entries(medians).map(([name, rate]) => [name, Number((rate / medians.direct).toFixed(3))]),
    ),
    rates,
    loadAverageBefore: loadBefore.map((value) => Number(value.toFixed(2))),
    loadAverageAfter: loadavg().map((value) => Number(value.toFixed(2))),
  });
}

if (process.argv[2] === SERVE) {
  serve(process.argv[3] === 'wrapped' ? 'wrapped' : 'plain');
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
