import { createInterface } from 'node:readline';
import { type Readable } from 'node:stream';

/** One captured log line and where it came from. */
export interface CapturedLine {
  /** A name for the writer: a service, `registry`, or a child process. */
  source: string;
  line: string;
}

/** A pino destination that feeds a `LogCapture`. */
export interface CaptureDestination {
  write(line: string): void;
}

/**
 * Collects every log line of a test run: pino loggers of in-process
 * services write to `destination(source)`, and child processes' output is
 * attached with `attach`. Lines are kept whole, without the trailing newline.
 */
export class LogCapture {
  readonly lines: CapturedLine[] = [];
  private readonly waiters = new Set<() => void>();

  /** Returns a pino destination whose lines are recorded under `source`. */
  destination(source: string): CaptureDestination {
    return {
      write: (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (line !== '') {
            this.record(source, line);
          }
        }
      },
    };
  }

  /** Records each line of `stream` (a child's stdout or stderr) under `source`. */
  attach(stream: Readable, source: string): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
      this.record(source, line),
    );
  }

  /** Text of every line, joined by newlines. */
  get text(): string {
    return this.lines.map((captured) => captured.line).join('\n');
  }

  /** Returns the lines that parse as JSON objects (pino lines), with their source. */
  records(): (Record<string, unknown> & { source: string })[] {
    return this.lines.flatMap((captured) => {
      const parsed = parseObject(captured.line);

      return parsed === undefined ? [] : [{ ...parsed, source: captured.source }];
    });
  }

  /** Returns the lines that contain any of `values`. */
  linesContaining(values: readonly string[]): CapturedLine[] {
    const searched = values.filter((value) => value !== '');

    return this.lines.filter((captured) => searched.some((value) => captured.line.includes(value)));
  }

  /**
   * Resolves with the first JSON record (already captured or still to come)
   * for which `predicate` is true.
   *
   * @throws Error when none arrives within `timeoutMs`.
   */
  async waitForRecord(
    predicate: (record: Record<string, unknown> & { source: string }) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown> & { source: string }> {
    const deadline = Date.now() + timeoutMs;

    for (;;) {
      const found = this.records().find(predicate);

      if (found !== undefined) {
        return found;
      }

      const remainingMs = deadline - Date.now();

      if (remainingMs <= 0) {
        throw new Error(
          `No matching log record within ${timeoutMs} ms; last lines:\n${this.tail(20)}`,
        );
      }

      await this.nextLine(remainingMs);
    }
  }

  /** Returns the last `count` lines with their sources, for failure messages. */
  tail(count: number): string {
    return this.lines
      .slice(-count)
      .map((captured) => `${captured.source}: ${captured.line}`)
      .join('\n');
  }

  private record(source: string, line: string): void {
    this.lines.push({ source, line });

    for (const wake of this.waiters) {
      wake();
    }

    this.waiters.clear();
  }

  private nextLine(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve();
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };

      this.waiters.add(wake);
    });
  }
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) {
    return undefined;
  }

  try {
    const value: unknown = JSON.parse(line);

    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
