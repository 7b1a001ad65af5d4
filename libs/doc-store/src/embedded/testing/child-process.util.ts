import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';

import { transformSync } from '@swc/core';

const LIBRARY_SOURCE = join(__dirname, '..', '..');

function librarySources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);

    if (entry.isDirectory()) {
      // The contract suite calls Jest's globals, which a plain Node child does not have.
      return path === join(LIBRARY_SOURCE, 'testing') ? [] : librarySources(path);
    }

    return entry.name.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/u.test(entry.name)
      ? [path]
      : [];
  });
}

/**
 * Compiles the library's TypeScript sources (tests left out) to CommonJS
 * under `outputDirectory` with @swc/core, keeping the folder layout, and
 * returns the path of the compiled file for `sourcePath`.
 */
export function compileLibrary(outputDirectory: string, sourcePath: string): string {
  for (const source of librarySources(LIBRARY_SOURCE)) {
    const output = join(outputDirectory, relative(LIBRARY_SOURCE, source)).replace(/\.ts$/u, '.js');
    const { code } = transformSync(readFileSync(source, 'utf8'), {
      filename: source,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });

    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, code);
  }

  return join(outputDirectory, relative(LIBRARY_SOURCE, sourcePath)).replace(/\.ts$/u, '.js');
}

/** A child process whose standard output lines the test can wait for. */
export class ReportingChild {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  /** Runs `script` with Node; `environment` is the child's whole environment. */
  constructor(script: string, args: string[], environment: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [script, ...args], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });

    const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });

    lines.on('line', (line) => {
      this.lines.push(line);

      const ready = this.waiters.filter((waiter) => waiter.predicate(line));

      this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
      ready.forEach((waiter) => waiter.resolve(line));
    });

    const outputClosed = new Promise<void>((resolve) => lines.once('close', resolve));
    const processExited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => {
        this.child.once('exit', (code, signal) => resolve({ code, signal }));
      },
    );

    // Lines still in the pipe when the process dies are read before `exited` resolves.
    this.exited = Promise.all([processExited, outputClosed]).then(([status]) => status);
  }

  /** Resolves with the first line (already seen or future) that matches, or rejects if the child exits first. */
  async waitForLine(predicate: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(predicate);

    if (seen !== undefined) {
      return seen;
    }

    return new Promise<string>((resolve, reject) => {
      this.waiters.push({ predicate, resolve });
      // Rejecting after the line resolved the promise has no effect.
      void this.exited.then(({ code, signal }) => {
        reject(
          new Error(
            `Child exited (code ${code}, signal ${signal}) before the expected line; stderr: ${this.stderr}`,
          ),
        );
      });
    });
  }

  /** Sends SIGKILL and resolves once the child is gone, with the signal that ended it. */
  async kill(): Promise<NodeJS.Signals | null> {
    this.child.kill('SIGKILL');

    return (await this.exited).signal;
  }
}
