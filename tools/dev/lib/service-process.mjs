import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { parseRecord } from './log-printer.mjs';

const KEPT_LINES = 50;

/**
 * One service running as a child process: its output goes to the log
 * printer line by line, and the last lines are kept to explain a failure.
 *
 * Children run in their own process group, so a Ctrl-C in the terminal
 * reaches only the launcher, which then stops them in order. They also get
 * an IPC channel: when the launcher dies without stopping them, the channel
 * closes and the service kit shuts the service down.
 */
export class ServiceProcess {
  /**
   * @param {{ service: string, script: string, env: Record<string, string>, cwd: string, printer: import('./log-printer.mjs').LogPrinter }} options
   */
  constructor(options) {
    this.options = options;
    this.service = options.service;
    this.child = undefined;
    this.recentLines = [];
    this.startedAt = undefined;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /**
   * Starts the process; `onExit(code, signal)` is called once when it ends.
   * Returns the process id.
   */
  start(onExit) {
    const child = spawn(process.execPath, ['--enable-source-maps', this.options.script], {
      cwd: this.options.cwd,
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });

    this.child = child;
    this.recentLines = [];
    this.startedAt = Date.now();
    this.exited = new Promise((resolve) => {
      // 'close' comes after the output streams end, so the last lines of a
      // failed process are read before onExit looks at them.
      child.once('close', (code, signal) => {
        onExit(code, signal);
        resolve();
      });
    });
    // A failed spawn (no such file) emits 'error' and then 'exit'.
    child.once('error', (error) => {
      this.options.printer.log(
        'error',
        { target: this.service, err: { message: error.message } },
        'process could not start',
      );
    });
    // The channel exists only so the child notices when the launcher dies,
    // so it must not keep the launcher running.
    child.channel?.unref();
    this.follow(child.stdout, 'stdout');
    this.follow(child.stderr, 'stderr');

    return child.pid;
  }

  /** Sends SIGTERM, then SIGKILL when the process has not exited after `timeoutMs`. */
  async stop(timeoutMs) {
    if (!this.running) {
      return;
    }

    this.child.kill('SIGTERM');

    const timer = setTimeout(() => {
      if (this.running) {
        this.options.printer.log(
          'warn',
          { target: this.service, pid: this.pid, timeoutMs },
          'process did not stop, killing it',
        );
        this.child.kill('SIGKILL');
      }
    }, timeoutMs);

    await this.exited;
    clearTimeout(timer);
  }

  /** Returns the most recent error message in the output: a fatal or error record, else the last stderr line. */
  lastError() {
    for (const entry of [...this.recentLines].reverse()) {
      const record = parseRecord(entry.line);

      if (record !== undefined && (record.level === 'fatal' || record.level === 'error')) {
        return typeof record.err?.message === 'string' ? record.err.message : String(record.msg);
      }
    }

    return [...this.recentLines].reverse().find((entry) => entry.stream === 'stderr')?.line;
  }

  follow(stream, name) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.recentLines.push({ line, stream: name });

      if (this.recentLines.length > KEPT_LINES) {
        this.recentLines.shift();
      }

      this.options.printer.printChildLine(this.service, line, name);
    });
  }
}
