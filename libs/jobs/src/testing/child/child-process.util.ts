import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';

import { transformSync } from '@swc/core';

const LIBRARY_SOURCE = join(__dirname, '..', '..');
const SPEC_FILE = /\.(spec|integration-spec)\.ts$/u;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);

    if (entry.isDirectory()) {
      return sourceFiles(path);
    }

    return entry.name.endsWith('.ts') && !SPEC_FILE.test(entry.name) ? [path] : [];
  });
}

/**
 * Compiles the library's sources (tests left out) to CommonJS under
 * `outputDirectory` with @swc/core, keeping the folder layout, and returns
 * the path of the compiled worker child script.
 */
export function compileWorkerChild(outputDirectory: string): string {
  for (const source of sourceFiles(LIBRARY_SOURCE)) {
    const output = join(outputDirectory, relative(LIBRARY_SOURCE, source)).replace(/\.ts$/u, '.js');
    const { code } = transformSync(readFileSync(source, 'utf8'), {
      filename: source,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });

    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, code);
  }

  return join(outputDirectory, 'testing', 'child', 'worker-child.js');
}

/** A child process whose standard output lines the test can wait for. */
export class WorkerProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly waiters: {
    predicate: (line: string) => boolean;
    resolve: (line: string) => void;
  }[] = [];
  private stderr = '';

  /**
   * Runs `script` with Node; `environment` is the child's whole environment,
   * and its NODE_PATH must let the compiled code outside the repository find node_modules.
   */
  constructor(script: string, argument: string, environment: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [script, argument], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);

      for (const waiter of this.waiters.filter((candidate) => candidate.predicate(line))) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the first line that matches, or rejects if the child exits first. */
  async waitForLine(predicate: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(predicate);

    if (seen !== undefined) {
      return seen;
    }

    return new Promise<string>((resolve, reject) => {
      this.waiters.push({ predicate, resolve });
      void this.exited.then(({ code, signal }) => {
        reject(
          new Error(
            `Worker exited (code ${code}, signal ${signal}) before the expected line; stderr: ${this.stderr}`,
          ),
        );
      });
    });
  }

  /** Sends `signal` and waits until the process is gone; returns its exit code. */
  async stop(
    signal: NodeJS.Signals,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }

    return this.exited;
  }

  get errorOutput(): string {
    return this.stderr;
  }
}
