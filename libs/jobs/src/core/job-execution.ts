import { type Logger } from 'pino';

import {
  type Job,
  type JobContext,
  type JobHandler,
  type JobLogLine,
  type JobProgress,
  type JsonValue,
} from '../job.types';
import { errorMessage, JobsError, PermanentJobError } from '../jobs.errors';
import { findNonJson } from './json.util';

/** The outcome of one attempt, as the handler decided it. */
export type AttemptOutcome =
  | { kind: 'succeeded'; result: JsonValue }
  | { kind: 'failed'; error: unknown; message: string; permanent: boolean };

/** The writer of an execution's progress and log lines; each backend supplies one. */
export interface ExecutionSink {
  saveProgress(progress: JobProgress): Promise<void>;
  appendLogs(lines: JobLogLine[]): Promise<void>;
}

export interface ExecutionOptions {
  progressIntervalMs: number;
  logger: Logger;
}

const PROGRESS_FIELDS = ['rowsRead', 'rowsLoaded', 'rowsRejected'] as const;

/**
 * Runs one attempt of a job: calls the handler with an abort signal, keeps
 * the reported progress and log lines, and writes them through the sink at
 * most once per progress interval. The backend decides what the outcome
 * means for the stored job.
 */
export class JobExecution {
  private readonly controller = new AbortController();
  private readonly pendingLogs: JobLogLine[] = [];
  private progress: JobProgress;
  private progressDirty = false;
  private lastWriteAt = 0;
  private writeTimer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  private detached = false;

  constructor(
    readonly job: Job,
    private readonly handler: JobHandler,
    private readonly sink: ExecutionSink,
    private readonly options: ExecutionOptions,
  ) {
    this.progress = { ...job.progress };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The progress as last reported, stored or not. */
  get currentProgress(): JobProgress {
    return { ...this.progress };
  }

  /** Aborts the handler's signal with `reason` (the first reason wins). */
  abort(reason: Error): void {
    if (!this.controller.signal.aborted) {
      this.controller.abort(reason);
    }
  }

  /**
   * Stops all further progress and log writes, for an attempt that no longer
   * owns the job (lease lost or released), so it cannot overwrite the next one.
   */
  detach(): void {
    this.detached = true;
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
  }

  /** Calls the handler and classifies how it ended; never rejects. */
  async run(): Promise<AttemptOutcome> {
    const context: JobContext = {
      signal: this.controller.signal,
      reportProgress: (progress) => this.reportProgress(progress),
      log: (message) => this.log(message),
    };

    try {
      const value = await this.handler(structuredClone(this.job), context);
      const result = value === undefined ? null : value;
      const problem = findNonJson(result, 'result');

      if (problem !== null) {
        const message = `The handler returned a value that is not JSON: ${problem}.`;

        return { kind: 'failed', error: new Error(message), message, permanent: true };
      }

      return { kind: 'succeeded', result };
    } catch (error) {
      return {
        kind: 'failed',
        error,
        message: errorMessage(error),
        permanent: error instanceof PermanentJobError,
      };
    }
  }

  /** Writes the progress and log lines not yet written, and waits for writes in flight. */
  async flush(): Promise<void> {
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    this.writes = this.writes.then(() => this.writePending());

    return this.writes;
  }

  private reportProgress(progress: Partial<JobProgress>): void {
    for (const field of PROGRESS_FIELDS) {
      const value = progress[field];

      if (value === undefined) {
        continue;
      }

      if (!Number.isSafeInteger(value) || value < 0) {
        throw new JobsError(
          'INVALID_ARGUMENT',
          `Invalid progress ${field} ${String(value)}: expected a non-negative integer.`,
        );
      }

      this.progress[field] = value;
    }

    this.progressDirty = true;
    this.scheduleWrite();
  }

  private log(message: string): void {
    this.pendingLogs.push({
      at: new Date().toISOString(),
      attempt: this.job.attempts,
      message: String(message),
    });
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (this.writeTimer !== undefined || this.detached) {
      return;
    }

    const delay = Math.max(0, this.lastWriteAt + this.options.progressIntervalMs - Date.now());

    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      this.writes = this.writes.then(() => this.writePending());
    }, delay);
  }

  private async writePending(): Promise<void> {
    if (this.detached) {
      return;
    }

    const lines = this.pendingLogs.splice(0);
    const progress = this.progressDirty ? { ...this.progress } : null;

    this.progressDirty = false;
    this.lastWriteAt = Date.now();

    try {
      if (lines.length > 0) {
        await this.sink.appendLogs(lines);
      }

      if (progress !== null) {
        await this.sink.saveProgress(progress);
      }
    } catch (error) {
      // Progress and logs are best effort: a failed write must not fail the job.
      this.options.logger.warn({ err: error, jobId: this.job.id }, 'job progress write failed');
    }
  }
}
