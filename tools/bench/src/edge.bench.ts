// Measures the cost the edge adds to a small authenticated request. One run
// on loopback sends the same GET through the edge (plain HTTP, JWT check,
// rate limit, forwarding over mutual TLS) and straight to the backend
// (mutual TLS, JWT check in the backend's guard).
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/edge.bench.js [requests] [concurrency]
//
// The registry and the load loop run in this process. The edge and the
// backend each run in a child process, so the operating system can spread
// the three over the cores.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { Controller, Get, Module } from '@nestjs/common';
import { Agent, request } from 'undici';

import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  type AuthenticatedUser,
  CurrentUser,
  Roles,
} from '@rokks/auth-guard';
import { createMeshAgent } from '@rokks/mesh';
import { runService } from '@rokks/service-kit';
import { buildProjects, TestPlatform, TestTokenIssuer, workspaceRoot } from '@rokks/testing';

import { recordResult } from './results';

const REQUESTS = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
// Each measured loop stops at REQUESTS or after this long, whichever comes first.
const TIME_LIMIT_MS = 60_000;
const WARM_UP_REQUESTS = 1000;
// Requests of the one-at-a-time loops that measure the latency the edge adds
// without queueing: at 32 in flight on two cores, waiting for a core dominates.
const LATENCY_REQUESTS = 2000;
const BACKEND_MODE = 'backend';

@Controller('api/sql')
class PingController {
  @Get('ping')
  @Roles('viewer')
  ping(@CurrentUser() user: AuthenticatedUser): { ok: true; user: string } {
    return { ok: true, user: user.id };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

interface LoopFigures {
  requests: number;
  failures: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Sends `total` requests from `concurrency` loops and returns throughput and latency percentiles. */
async function loadLoop(
  send: () => Promise<number>,
  total: number,
  concurrency: number,
): Promise<LoopFigures> {
  const latencies: number[] = [];
  let started = 0;
  let failures = 0;
  const deadline = performance.now() + TIME_LIMIT_MS;
  const begin = performance.now();

  const worker = async (): Promise<void> => {
    while (started < total && performance.now() < deadline) {
      started += 1;

      const sentAt = performance.now();
      const status = await send().catch(() => 0);

      latencies.push(performance.now() - sentAt);

      if (status !== 200) {
        failures += 1;
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, () => worker()));

  const seconds = (performance.now() - begin) / 1000;

  latencies.sort((left, right) => left - right);

  return {
    requests: latencies.length,
    failures,
    seconds: Number(seconds.toFixed(3)),
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: Number(percentile(latencies, 0.5).toFixed(3)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(3)),
  };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

// The services log at info, one JSON line per request as in production,
// into a file, so writing costs them what it would but the lines do not
// pass through this process.
function startChild(
  script: string,
  args: string[],
  env: Record<string, string>,
  logFile: number,
): ChildProcess {
  return spawn(process.execPath, [script, ...args], {
    cwd: workspaceRoot(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', logFile, logFile],
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }

  const exited = new Promise((resolve) => child.once('exit', resolve));

  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const tokens = TestTokenIssuer.create();
  const platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });
  const edgeBuild = await buildProjects(['edge']);
  const logPath = path.join(edgeBuild, 'services.log');
  const logFile = openSync(logPath, 'a');
  const children: ChildProcess[] = [];

  try {
    const edgePort = await freePort();
    const env = platform.serviceEnv({
      ROKKS_LOG_LEVEL: 'info',
      ROKKS_PUBLIC_PORT: String(edgePort),
      // The benchmark's one user would hit the per-user limit at once.
      ROKKS_EDGE_USER_REQUESTS_PER_MINUTE: '1000000',
      ROKKS_EDGE_RATE_LIMIT_BURST: '100000',
      ROKKS_EDGE_SPA_DIR: path.join(edgeBuild, 'no-spa'),
    });

    children.push(startChild(__filename, [BACKEND_MODE], env, logFile));
    children.push(startChild(path.join(edgeBuild, 'apps/edge/src/main.js'), [], env, logFile));

    const client = await platform.meshClient('bench-client');
    const backendUrl = await waitForInstance(client, platform.registry.url, 'sql-gateway');

    await waitForInstance(client, platform.registry.url, 'edge');

    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    const token = await tokens.sign({ roles: ['viewer'], expiresInSeconds: 3600 });
    const edgeAgent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
    const meshAgent = createMeshAgent(client.identity);
    const authorization = `Bearer ${token}`;

    const throughEdge = async (): Promise<number> => {
      const response = await request(`${edgeUrl}/api/sql/ping`, {
        dispatcher: edgeAgent,
        headers: { authorization },
      });

      await response.body.dump();

      return response.statusCode;
    };

    const straight = async (): Promise<number> => {
      const response = await request(`${backendUrl}/api/sql/ping`, {
        dispatcher: meshAgent,
        headers: { authorization, 'x-rokks-internal': client.identity.internalSecret },
      });

      await response.body.dump();

      return response.statusCode;
    };

    await waitUntilForwarded(throughEdge);
    await loadLoop(throughEdge, WARM_UP_REQUESTS, CONCURRENCY);
    await loadLoop(straight, WARM_UP_REQUESTS, CONCURRENCY);

    const direct = await loadLoop(straight, REQUESTS, CONCURRENCY);
    const edge = await loadLoop(throughEdge, REQUESTS, CONCURRENCY);
    const directAlone = await loadLoop(straight, LATENCY_REQUESTS, 1);
    const edgeAlone = await loadLoop(throughEdge, LATENCY_REQUESTS, 1);

    await edgeAgent.close();
    await meshAgent.close();
    recordResult('edge', {
      request: 'GET /api/sql/ping with a viewer access token, response {"ok":true,"user":"user-1"}',
      concurrency: CONCURRENCY,
      direct,
      throughEdge: edge,
      throughputRatio: Number((edge.requestsPerSecond / direct.requestsPerSecond).toFixed(3)),
      addedP50MsUnderLoad: Number((edge.p50Ms - direct.p50Ms).toFixed(3)),
      oneAtATime: { direct: directAlone, throughEdge: edgeAlone },
      addedP50Ms: Number((edgeAlone.p50Ms - directAlone.p50Ms).toFixed(3)),
      addedP99Ms: Number((edgeAlone.p99Ms - directAlone.p99Ms).toFixed(3)),
      logLevel: 'info, written to /dev/null',
      loadAverage: os.loadavg()[0],
    });
  } catch (error) {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');

    console.error(`Last lines of the services' log:\n${lines.slice(-20).join('\n')}`);
    throw error;
  } finally {
    for (const child of children) {
      await stopChild(child);
    }

    closeSync(logFile);

    await platform.dispose();
    rmSync(edgeBuild, { recursive: true, force: true });
  }
}

/**
 * Waits until the edge forwards to the backend: it reads the registry's list
 * of instances on its own schedule, so it may return 503 for a moment after
 * both registered.
 */
async function waitUntilForwarded(send: () => Promise<number>): Promise<void> {
  const deadline = Date.now() + 30_000;

  while ((await send()) !== 200) {
    if (Date.now() > deadline) {
      throw new Error('The edge did not forward to the backend within 30 s.');
    }

    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until a service registers with the registry and returns its mesh URL. */
async function waitForInstance(
  client: Awaited<ReturnType<TestPlatform['meshClient']>>,
  registryUrl: string,
  service: string,
): Promise<string> {
  const deadline = Date.now() + 30_000;

  while (Date.now() < deadline) {
    const response = await client(`${registryUrl}/instances`);
    const instances = (await response.json()) as { service: string; url: string }[];
    const found = instances.find((instance) => instance.service === service);

    if (found !== undefined) {
      return found.url;
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  throw new Error(`${service} did not register within 30 s.`);
}

/** Returns a port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as AddressInfo;

  await new Promise((resolve) => server.close(resolve));

  return port;
}

if (process.argv[2] === BACKEND_MODE) {
  void runService({
    service: 'sql-gateway',
    module: PingModule,
    description: 'Backend of the edge benchmark.',
    userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
