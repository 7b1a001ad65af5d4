import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { DEMO_DASHBOARD_ID, DEMO_TABLE, devAdminCredentials, loadDemoData } from './demo-data.mjs';
import { ServiceProcess } from './service-process.mjs';

const STOP_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 500;
const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
// A process that ran this long before crashing restarts after the first
// delay again instead of the grown one.
const STABLE_RUN_MS = 60_000;

/** A failure that ends the launch, with a message for the terminal. */
export class LaunchError extends Error {
  name = 'LaunchError';
}

/**
 * Runs the development stack: builds once, starts the registry and waits
 * for it, starts every other service as its own process, waits until the
 * healthcheck reports every service up, then restarts crashed services with
 * backoff until `shutdown()`.
 */
export class DevLauncher {
  /**
   * @param {{ root: string, distDir: string, dataDir: string, portOffset: number, startTimeoutMs: number, skipBuild: boolean, env: Record<string, string>, printer: import('./log-printer.mjs').LogPrinter }} options
   */
  constructor(options) {
    this.options = options;
    this.printer = options.printer;
    this.processes = new Map();
    this.restartTimers = new Set();
    this.restartCounts = new Map();
    this.supervising = false;
    this.stopping = false;
    this.meshClient = undefined;
    this.startupFailure = new Promise((_resolve, reject) => {
      this.failStartup = reject;
    });
    // Only the races below observe this promise; it must not count as unhandled.
    this.startupFailure.catch(() => undefined);
  }

  /** Builds, starts everything and resolves once every service is healthy. */
  async start() {
    const startedAt = Date.now();

    if (!this.options.skipBuild) {
      await this.build();
    }

    this.catalog = this.load('libs/service-kit/src/service-catalog.js');
    await mkdir(this.options.dataDir, { recursive: true });
    this.admin = await this.adminCredentials();

    const registryPort = this.catalog.devPorts('registry', this.options.portOffset).port;

    this.registryUrl = `https://127.0.0.1:${registryPort}`;
    this.startProcess('registry', { ROKKS_REGISTRY_PORT: String(registryPort) });
    // Loading these takes a moment, which the registry uses to start.
    this.bootstrap = this.load('libs/bootstrap/src/index.js');
    this.mesh = this.load('libs/mesh/src/index.js');
    await this.race(this.waitForRegistry());

    for (const entry of this.catalog.SERVICE_CATALOG) {
      if (entry.service !== 'registry') {
        this.startProcess(entry.service, this.serviceEnv(entry.service));
      }
    }

    const report = await this.race(this.waitForHealthy());
    const elapsedMs = Date.now() - startedAt;

    this.supervising = true;
    this.printer.log(
      'info',
      { elapsedMs, services: report.services.length },
      'all services healthy',
    );
    this.printSummary(report, elapsedMs);

    if (this.options.demoData !== false) {
      await this.loadDemo();
    }

    return report;
  }

  /**
   * Returns the administrator that the auth service creates on first start:
   * the one set in the environment, or a generated one kept in the data
   * directory so that the launcher can sign in to load the demo data.
   */
  async adminCredentials() {
    const { ROKKS_ADMIN_EMAIL: email, ROKKS_ADMIN_PASSWORD: password } = this.options.env;

    if (email !== undefined && password !== undefined) {
      return { email, password, file: null };
    }

    return devAdminCredentials(this.options.dataDir);
  }

  /** Loads the demo table through the edge; a failure is logged and the stack keeps running. */
  async loadDemo() {
    const publicPort = this.catalog.devPorts('edge', this.options.portOffset).publicPort;

    try {
      const outcome = await loadDemoData({
        baseUrl: `http://127.0.0.1:${publicPort}`,
        credentials: this.admin,
        csvFile: path.join(this.options.root, 'tools/dev/demo/seattle-weather.csv'),
        dataDir: this.options.dataDir,
        log: (fields, message) => this.printer.log('info', fields, message),
      });

      if (outcome.loaded) {
        this.printer.log(
          'info',
          {
            table: DEMO_TABLE,
            rows: outcome.rows,
            rejected: outcome.rejected,
            dashboard: `http://127.0.0.1:${publicPort}/dashboards/${DEMO_DASHBOARD_ID}`,
          },
          'demo data loaded',
        );
      } else {
        this.printer.log('info', { table: DEMO_TABLE, reason: outcome.reason }, 'demo data not loaded again');
      }
    } catch (error) {
      this.printer.log('error', { err: { message: error.message } }, 'loading the demo data failed, so the table is missing; the platform keeps running');
    }
  }

  /** Stops every process (services first, the registry last) and closes the launcher's connections. */
  async shutdown(reason) {
    if (this.stopping) {
      return this.stopped;
    }

    this.stopping = true;
    this.printer.log('info', { reason }, 'stopping all services');
    this.stopped = (async () => {
      for (const timer of this.restartTimers) {
        clearTimeout(timer);
      }

      const services = [...this.processes.values()].filter((child) => child.service !== 'registry');

      await Promise.all(services.map((child) => child.stop(STOP_TIMEOUT_MS)));
      await this.processes.get('registry')?.stop(STOP_TIMEOUT_MS);
      await this.meshClient?.close();
      this.printer.log('info', {}, 'all processes stopped');
    })();

    return this.stopped;
  }

  async build() {
    const startedAt = Date.now();

    this.printer.log('info', { distDir: this.options.distDir }, 'building');

    const { code, output } = await runNode(
      path.join(this.options.root, 'tools/build/build.mjs'),
      ['--out', this.options.distDir],
      this.options.root,
    );

    if (code !== 0) {
      throw new LaunchError(`The build failed (exit code ${code}):\n${output.trim()}`);
    }

    this.printer.log('info', { elapsedMs: Date.now() - startedAt }, 'build finished');
  }

  /** Loads a compiled module of the build output (a path relative to it). */
  load(relativePath) {
    try {
      return createRequire(import.meta.url)(path.join(this.options.distDir, relativePath));
    } catch (error) {
      throw new LaunchError(
        `Cannot load ${relativePath} from the build output ${this.options.distDir} (${error.message}); run without ROKKS_DEV_SKIP_BUILD.`,
      );
    }
  }

  serviceEnv(service) {
    const ports = this.catalog.devPorts(service, this.options.portOffset);
    const env = {
      ROKKS_REGISTRY_URL: this.registryUrl,
      ROKKS_PORT: String(ports.port),
      ROKKS_MICROSERVICE_PORT: String(ports.microservicePort),
    };

    if (ports.publicPort !== undefined) {
      env.ROKKS_PUBLIC_PORT = String(ports.publicPort);
    }

    // The edge serves the SPA that this launch built, unless told otherwise.
    if (service === 'edge' && this.options.env.ROKKS_EDGE_SPA_DIR === undefined) {
      env.ROKKS_EDGE_SPA_DIR = path.join(this.options.distDir, 'apps/frontend');
    }

    if (service === 'auth' && this.admin !== undefined) {
      env.ROKKS_ADMIN_EMAIL = this.admin.email;
      env.ROKKS_ADMIN_PASSWORD = this.admin.password;
    }

    return env;
  }

  startProcess(service, extraEnv) {
    const child =
      this.processes.get(service) ??
      new ServiceProcess({
        service,
        script: path.join(this.options.distDir, 'apps', service, 'src/main.js'),
        cwd: this.options.root,
        env: { ...this.options.env, ROKKS_DATA_DIR: this.options.dataDir, ...extraEnv },
        printer: this.printer,
      });

    this.processes.set(service, child);

    const pid = child.start((code, signal) => this.handleExit(child, extraEnv, code, signal));

    this.printer.log('info', { target: service, pid }, 'process started');
  }

  handleExit(child, extraEnv, code, signal) {
    if (this.stopping) {
      this.printer.log(
        'info',
        { target: child.service, pid: child.pid, exitCode: code, signal },
        'process exited',
      );

      return;
    }

    const lastError = child.lastError();

    if (!this.supervising) {
      this.failStartup(
        new LaunchError(
          `${child.service} exited during start-up (${describeExit(code, signal)})${lastError === undefined ? '' : `: ${lastError}`}`,
        ),
      );

      return;
    }

    const ranMs = Date.now() - child.startedAt;
    const crashes = ranMs >= STABLE_RUN_MS ? 1 : (this.restartCounts.get(child.service) ?? 0) + 1;
    const delayMs = Math.min(FIRST_RESTART_DELAY_MS * 2 ** (crashes - 1), MAX_RESTART_DELAY_MS);

    this.restartCounts.set(child.service, crashes);
    this.printer.log(
      'error',
      {
        target: child.service,
        pid: child.pid,
        exitCode: code,
        signal,
        ranMs,
        lastError,
        restartInMs: delayMs,
      },
      'service crashed, restarting',
    );

    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);

      if (!this.stopping) {
        this.startProcess(child.service, extraEnv);
      }
    }, delayMs);

    this.restartTimers.add(timer);
  }

  async race(promise) {
    return Promise.race([promise, this.startupFailure]);
  }

  async waitForRegistry() {
    const deadline = Date.now() + this.options.startTimeoutMs;

    // The registry writes its bootstrap token and CA fingerprint files while
    // it starts, and bootstrapService fails at once while they are missing,
    // so the launcher retries until the registry itself issues an identity.
    for (;;) {
      const identity = await this.bootstrap
        .bootstrapService({
          service: 'dev-launcher',
          env: {
            ...this.options.env,
            ROKKS_DATA_DIR: this.options.dataDir,
            ROKKS_REGISTRY_URL: this.registryUrl,
          },
          dataDir: path.join(this.options.dataDir, 'dev-launcher'),
          sharedDataDir: this.options.dataDir,
          logger: this.bootstrapLogger(),
          retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 200 },
        })
        .catch((error) => {
          if (error.code !== 'REGISTRY_UNAVAILABLE') {
            throw error;
          }

          return undefined;
        });

      if (identity?.source === 'registry') {
        this.meshClient = this.mesh.meshFetch(identity);
        this.printer.log('info', { url: this.registryUrl }, 'registry ready');

        return;
      }

      if (Date.now() >= deadline) {
        throw new LaunchError(
          `The registry at ${this.registryUrl} did not become ready within ${this.options.startTimeoutMs} ms; see its output above.`,
        );
      }

      await sleep(200);
    }
  }

  async waitForHealthy() {
    const url = `https://127.0.0.1:${this.catalog.devPorts('healthcheck', this.options.portOffset).port}/service-health`;
    const deadline = Date.now() + this.options.startTimeoutMs;
    let lastReport;
    let lastProblem = 'the healthcheck service did not answer';

    while (Date.now() < deadline) {
      try {
        const response = await this.meshClient(url, { signal: AbortSignal.timeout(2000) });

        if (response.ok) {
          lastReport = await response.json();

          if (lastReport.status === 'up') {
            return lastReport;
          }
        } else {
          lastProblem = `the healthcheck service answered HTTP ${response.status}`;
          await response.body?.cancel();
        }
      } catch (error) {
        lastProblem = `the healthcheck service is unreachable (${error.message})`;
      }

      await sleep(POLL_INTERVAL_MS);
    }

    throw new LaunchError(
      `Not every service became healthy within ${this.options.startTimeoutMs} ms: ${describeUnhealthy(lastReport) ?? lastProblem}.`,
    );
  }

  bootstrapLogger() {
    return {
      info: (fields, message) => this.printer.log('debug', fields, message),
      // The registry usually needs a moment to start, so retries are routine here.
      warn: (fields, message) => this.printer.log('debug', fields, message),
    };
  }

  printSummary(report, elapsedMs) {
    const rows = report.services.map((view) => {
      const instance = view.instances[0];

      return [
        view.service,
        view.status,
        instance?.url ?? '-',
        view.latencyMs === null ? '-' : `${view.latencyMs} ms`,
      ];
    });
    const table = formatTable([['service', 'status', 'mesh url', 'latency'], ...rows]);
    const publicPort = this.catalog.devPorts('edge', this.options.portOffset).publicPort;
    const lines = [
      '',
      `Rokks is up: ${report.services.length} services healthy in ${(elapsedMs / 1000).toFixed(1)} s.`,
      ...table.map((line) => `  ${line}`),
      `Browser: http://127.0.0.1:${publicPort}   Data: ${this.options.dataDir}   Stop: Ctrl-C`,
      this.admin?.file
        ? `Sign in as ${this.admin.email}; the password is in ${this.admin.file}.`
        : `Sign in as ${this.admin?.email ?? 'the administrator'} with ROKKS_ADMIN_PASSWORD.`,
      '',
    ];

    this.printer.printBlock(lines.join('\n'));
  }
}

function describeExit(code, signal) {
  return signal === null ? `exit code ${code}` : `signal ${signal}`;
}

function describeUnhealthy(report) {
  if (report === undefined) {
    return undefined;
  }

  const unhealthy = report.services.filter((view) => view.expected && view.status !== 'up');

  return unhealthy
    .map(
      (view) =>
        `${view.service} is ${view.status}${view.lastError === null ? '' : ` (${view.lastError})`}`,
    )
    .join('; ');
}

function formatTable(rows) {
  const widths = rows[0].map((_cell, column) => Math.max(...rows.map((row) => row[column].length)));

  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/** Runs a Node script and returns its exit code and combined output. */
function runNode(script, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';

    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
