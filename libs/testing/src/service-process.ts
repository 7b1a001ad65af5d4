import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type Readable } from 'node:stream';

import { type TestPlatform } from './test-platform';
import { workspaceRoot } from './workspace.util';

/**
 * A Rokks app run from its build (`buildProjects`) in a child process that
 * enrolls with the test platform's registry. Apps cannot import each other,
 * so tests outside an app start it this way.
 */
export class ServiceProcess {
  private constructor(
    readonly service: string,
    readonly child: ChildProcess,
    /** Mesh HTTPS base URL the service registered. */
    readonly meshUrl: string,
  ) {}

  static async start(platform: TestPlatform, buildDir: string, app: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [path.join(buildDir, `apps/${app}/src/main.js`)], {
      cwd: workspaceRoot(),
      // eslint-disable-next-line no-restricted-properties -- the child needs PATH to find tools, nothing else from this process.
      env: { PATH: process.env.PATH, ...platform.serviceEnv({ ROKKS_LOG_LEVEL: 'info', ...env }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const source = `${app}-${child.pid ?? 'unknown'}`;

    // Both pipes exist, because `stdio` requests them.
    platform.logs.attach(child.stdout as Readable, source);
    platform.logs.attach(child.stderr as Readable, `${source}-stderr`);

    try {
      const started = await platform.logs.waitForRecord((record) => record.source === source && record.msg === 'service started', 60_000);

      return new ServiceProcess(app, child, started.url as string);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Resolves when the process has exited. */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve();
    }

    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const exited = this.exited();

    this.child.kill(signal);
    await exited;
  }
}
