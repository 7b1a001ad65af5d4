import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Agent, fetch } from 'undici';

import { bootstrapService, type ServiceIdentity } from '@rokks/bootstrap';
import { createLogger } from '@rokks/logging';
import { type MeshFetch, meshFetch } from '@rokks/mesh';
import { devPorts, SERVICE_NAMES } from '@rokks/service-kit';
import { LogCapture, workspaceRoot, workspaceTempDir } from '@rokks/testing';

interface ServiceView {
  service: string;
  expected: boolean;
  status: string;
  instances: { url: string }[];
}

interface HealthReport {
  status: string;
  services: ServiceView[];
}

type LaunchRecord = Record<string, unknown> & { source: string };

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = workspaceRoot();
// Every port of the stack stays below 32768, where Linux hands out
// ephemeral ports, so the shifted stack does not collide with port-0 tests.
const portOffset = 10_000 + Math.floor(Math.random() * 170) * 100;
const MESH_PATHS = ['/health', '/health/live', '/health/ready'];

function spawnLauncher(
  env: Record<string, string>,
  logs: LogCapture,
  source: string,
): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, 'tools/dev/launch.mjs')], {
    cwd: root,
    env: { ...process.env, ROKKS_DEV_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  logs.attach(child.stdout as NonNullable<typeof child.stdout>, source);
  logs.attach(child.stderr as NonNullable<typeof child.stderr>, `${source}-stderr`);

  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);

      return;
    }

    child.once('exit', (code) => resolve(code));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);

    return true;
  } catch {
    return false;
  }
}

function meshUrl(service: Parameters<typeof devPorts>[0]): string {
  return `https://127.0.0.1:${devPorts(service, portOffset).port}`;
}

// Services whose own features have not been built yet: they serve health and docs only.
const SKELETON_SERVICES: readonly string[] = [
  'ai',
  'appconnect',
  'dispatcher',
  'monitor',
  'sentinel',
  'webapi',
];

describe('development launcher', () => {
  const logs = new LogCapture();
  let dataDir: string;
  let distDir: string;
  let launcher: ChildProcess;
  let healthyAfterMs: number;
  let identity: ServiceIdentity;
  let client: MeshFetch;

  const launcherRecords = (message: string): LaunchRecord[] =>
    logs
      .records()
      .filter(
        (record) =>
          record.source === 'launch' && record.service === 'launcher' && record.msg === message,
      );
  const startedPids = (): number[] =>
    launcherRecords('process started').map((record) => record.pid as number);

  async function report(): Promise<HealthReport> {
    const response = await client(`${meshUrl('healthcheck')}/service-health`);

    return (await response.json()) as HealthReport;
  }

  async function waitForStatus(
    service: string,
    status: string,
    timeoutMs: number,
  ): Promise<ServiceView> {
    const deadline = Date.now() + timeoutMs;

    for (;;) {
      const view = (await report()).services.find((candidate) => candidate.service === service);

      if (view?.status === status) {
        return view;
      }

      if (Date.now() > deadline) {
        throw new Error(
          `${service} is not ${status} after ${timeoutMs} ms: ${JSON.stringify(view)}`,
        );
      }

      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'rokks-launch-'));
    distDir = workspaceTempDir('rokks-launch-dist-');

    const startedAt = Date.now();

    launcher = spawnLauncher(
      {
        ROKKS_DATA_DIR: dataDir,
        ROKKS_DEV_DIST_DIR: distDir,
        ROKKS_DEV_PORT_OFFSET: String(portOffset),
        ROKKS_LOG_LEVEL: 'debug',
      },
      logs,
      'launch',
    );

    const launched = logs.waitForRecord(
      (record) => record.source === 'launch' && record.msg === 'all services healthy',
      90_000,
    );
    const exited = exitOf(launcher).then((code) => {
      throw new Error(
        `The launcher exited with code ${code} before every service was healthy:\n${logs.tail(30)}`,
      );
    });

    await Promise.race([launched, exited]);
    healthyAfterMs = Date.now() - startedAt;
    identity = await bootstrapService({
      service: 'launch-test',
      env: { ROKKS_REGISTRY_URL: meshUrl('registry') },
      dataDir: path.join(dataDir, 'launch-test'),
      sharedDataDir: dataDir,
      logger: createLogger({
        service: 'launch-test',
        destination: logs.destination('launch-test'),
      }),
    });
    client = meshFetch(identity);
  }, 120_000);

  afterAll(async () => {
    await client?.close();

    if (launcher !== undefined && launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGKILL');
    }

    for (const pid of startedPids().filter(isAlive)) {
      process.kill(pid, 'SIGKILL');
    }

    rmSync(dataDir, { recursive: true, force: true });
    rmSync(distDir, { recursive: true, force: true });
  });

  it('gets every service healthy', async () => {
    const body = await report();

    // Printed so that the measured start-up time shows in the test output;
    // the time itself is a benchmark figure, not a test condition.
    process.stdout.write(
      `launcher: every service healthy after ${healthyAfterMs} ms (offset ${portOffset})\n`,
    );
    expect(body.status).toBe('up');
    expect(
      body.services.filter((view) => view.expected).map((view) => [view.service, view.status]),
    ).toEqual(SERVICE_NAMES.map((service) => [service, 'up']));
  });

  it('starts each service on its shifted port', async () => {
    const body = await report();

    for (const service of SERVICE_NAMES.filter((name) => name !== 'registry')) {
      const view = body.services.find((candidate) => candidate.service === service);

      expect(view?.instances.map((instance) => instance.url)).toEqual([meshUrl(service)]);
    }
  });

  it('serves only health and docs on every skeleton', async () => {
    for (const service of SERVICE_NAMES.filter((name) => name !== 'registry')) {
      const response = await client(`${meshUrl(service)}/docs-json`);
      const document = (await response.json()) as {
        info: { title: string };
        paths: Record<string, unknown>;
      };
      const paths = Object.keys(document.paths).sort();

      expect([service, document.info.title]).toEqual([service, `Rokks ${service}`]);

      if (SKELETON_SERVICES.includes(service)) {
        expect([service, paths]).toEqual([service, MESH_PATHS]);
      } else {
        expect([service, MESH_PATHS.filter((path) => !paths.includes(path))]).toEqual([service, []]);
      }
    }
  });

  it('refuses a caller without a mesh certificate', async () => {
    const agent = new Agent({ connect: { ca: identity.caCertificatePem } });

    try {
      await expect(fetch(`${meshUrl('auth')}/health`, { dispatcher: agent })).rejects.toThrow(
        'fetch failed',
      );
      await expect(fetch(`${meshUrl('auth')}/docs`, { dispatcher: agent })).rejects.toThrow(
        'fetch failed',
      );
    } finally {
      await agent.close();
    }

    const withCertificate = await client(`${meshUrl('auth')}/health`);

    await withCertificate.body?.cancel();
    expect(withCertificate.status).toBe(200);
  });

  it('keeps health off the edge browser port', async () => {
    const response = await fetch(
      `http://127.0.0.1:${devPorts('edge', portOffset).publicPort}/health`,
    );
    const body = await response.text();

    // The launch built the SPA, whose index page answers every unknown path.
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type') ?? '').toContain('text/html');
    expect(body).toContain('<div id="root">');
  });

  it('restarts a crashed service', async () => {
    const before = launcherRecords('process started').filter((record) => record.target === 'monio');
    const crashedPid = before[before.length - 1].pid as number;

    process.kill(crashedPid, 'SIGKILL');

    const crash = await logs.waitForRecord(
      (record) => record.msg === 'service crashed, restarting' && record.target === 'monio',
      10_000,
    );
    const restarted = await logs.waitForRecord(
      (record) =>
        record.msg === 'process started' && record.target === 'monio' && record.pid !== crashedPid,
      10_000,
    );

    expect(crash.signal).toBe('SIGKILL');
    expect(crash.restartInMs).toBe(1000);
    expect(isAlive(restarted.pid as number)).toBe(true);

    const view = await waitForStatus('monio', 'up', 20_000);

    expect(view.instances.map((instance) => instance.url)).toEqual([meshUrl('monio')]);
  });

  it('loads the demo table', async () => {
    const loaded = await logs.waitForRecord(
      (record) => record.source === 'launch' && (record.msg === 'demo data loaded' || String(record.msg).startsWith('loading the demo data failed')),
      60_000,
    );
    const credentials = path.join(dataDir, 'dev-admin.json');

    expect(loaded).toMatchObject({ msg: 'demo data loaded', table: 'seattle_weather', rows: 1461, rejected: 0 });
    expect(statSync(credentials).mode & 0o777).toBe(0o600);

    const { email, password } = JSON.parse(readFileSync(credentials, 'utf8')) as { email: string; password: string };
    const edge = `http://127.0.0.1:${devPorts('edge', portOffset).publicPort}`;
    const signedIn = await fetch(`${edge}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const { accessToken } = (await signedIn.json()) as { accessToken: string };
    const dashboard = await fetch(`${edge}/api/doc/dashboards/seattle-weather`, { headers: { authorization: `Bearer ${accessToken}` } });
    const stored = (await dashboard.json()) as { data: { title: string; widgets: { measure: { agg: string } }[] } };

    expect(dashboard.status).toBe(200);
    expect(stored.data.title).toBe('Seattle weather');
    expect(stored.data.widgets.map((widget) => widget.measure.agg)).toEqual(['avg']);
  });

  it('imports and queries with the rokks CLI', async () => {
    const configDir = mkdtempSync(path.join(tmpdir(), 'rokks-cli-'));
    const url = `http://127.0.0.1:${devPorts('edge', portOffset).publicPort}`;
    const { email, password } = JSON.parse(readFileSync(path.join(dataDir, 'dev-admin.json'), 'utf8')) as { email: string; password: string };
    const cli = (args: string[], input = ''): Promise<CliRun> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(distDir, 'apps/cli/src/main.js'), ...args], {
          env: { PATH: process.env.PATH, ROKKS_CONFIG_DIR: configDir, ROKKS_URL: url },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';

        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input);
      });

    try {
      expect((await cli(['tables'])).code).toBe(3);
      expect((await cli(['login', '--email', email, '--password-stdin'], `${password}\n`)).code).toBe(0);

      const imported = await cli(['import', path.join(root, '../shared/data/real/zipcodes.csv'), '--table', 'zips']);

      expect(imported).toMatchObject({ code: 0, stdout: 'Loaded 42049 rows into zips.\n' });

      const again = await cli(['import', path.join(root, '../shared/data/real/zipcodes.csv'), '--table', 'zips']);

      expect(again.code).toBe(1);
      expect(again.stderr).toContain('Table zips exists already');
      expect(again.stderr).not.toContain('Uploading');

      const first = await cli(['query', 'select zip_code from zips order by zip_code limit 1', '--format', 'csv']);

      expect(first).toMatchObject({ code: 0, stdout: 'zip_code\r\n00501\r\n' });

      const listed = await cli(['tables']);

      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^zips\s+42049\s/m);
      expect(listed.stdout).toMatch(/^seattle_weather\s+1461\s/m);

      const invalid = await cli(['query', 'select nope from zips']);

      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toContain('nope');
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('keeps secrets out of every log line', () => {
    const registryDir = path.join(dataDir, 'registry');
    const secrets = [
      identity.internalSecret,
      readFileSync(path.join(registryDir, 'bootstrap-token'), 'utf8').trim(),
      readFileSync(path.join(registryDir, 'master.key'), 'utf8').trim(),
      identity.privateKeyPem.split('\n')[1],
      (JSON.parse(readFileSync(path.join(dataDir, 'dev-admin.json'), 'utf8')) as { password: string }).password,
      'PRIVATE KEY',
    ];

    expect(logs.lines.length).toBeGreaterThan(100);
    expect(secrets.every((secret) => secret.length >= 20 || secret === 'PRIVATE KEY')).toBe(true);
    expect(logs.linesContaining(secrets)).toEqual([]);
  });

  it('stops every child on SIGTERM', async () => {
    const pids = startedPids();

    expect(pids.length).toBe(SERVICE_NAMES.length + 1);
    launcher.kill('SIGTERM');

    expect(await exitOf(launcher)).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(launcherRecords('all processes stopped')).toHaveLength(1);
  });

  it('stops the launch when a service fails to start', async () => {
    const failing = spawnLauncher(
      {
        ROKKS_DATA_DIR: dataDir,
        ROKKS_DEV_DIST_DIR: distDir,
        ROKKS_DEV_SKIP_BUILD: '1',
        ROKKS_DEV_PORT_OFFSET: String(portOffset),
        ROKKS_HEALTHCHECK_INTERVAL_MS: 'often',
      },
      logs,
      'failing',
    );

    expect(await exitOf(failing)).toBe(1);

    const failure = logs
      .records()
      .find((record) => record.source === 'failing' && record.msg === 'launch failed');
    const started = logs
      .records()
      .filter((record) => record.source === 'failing' && record.msg === 'process started')
      .map((record) => record.pid as number);

    expect((failure?.err as { message: string }).message).toMatch(
      /^healthcheck exited during start-up \(exit code 1\): Invalid configuration.*\n- probeIntervalMs \(ROKKS_HEALTHCHECK_INTERVAL_MS\)/s,
    );
    expect(started.filter(isAlive)).toEqual([]);
  });
});
