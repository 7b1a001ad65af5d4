// A worker process for the multi-process tests: opens an engine on the
// store named in its argument, runs ETL jobs and appends one JSON line per
// start and end of a run to its runs file. A job whose payload has
// `hangOnFirstAttempt` never finishes its first attempt, so the test can
// kill the process in the middle of it.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import pino from 'pino';

import { createJobEngine, type JobEngineConfig } from '../../create-job-engine';

export interface WorkerChildConfig {
  engine: JobEngineConfig;
  runsFile: string;
  concurrency: number;
}

export interface RunRecord {
  event: 'start' | 'end';
  jobId: string;
  attempt: number;
  pid: number;
  at: number;
}

interface ChildPayload {
  hangOnFirstAttempt?: boolean;
  workMs?: number;
}

function record(file: string, entry: Omit<RunRecord, 'pid' | 'at'>): void {
  const line: RunRecord = { ...entry, pid: process.pid, at: Date.now() };

  // One write call per line with O_APPEND, so lines of concurrent runs never interleave.
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as WorkerChildConfig;
  // Warnings (lease losses, rejected outcomes) go to standard error, which the test prints on failure.
  const logger = pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  const engine = await createJobEngine({ ...config.engine, logger });

  engine.registerHandler(
    'ETL',
    async (job) => {
      const payload = (job.payload ?? {}) as ChildPayload;

      record(config.runsFile, { event: 'start', jobId: job.id, attempt: job.attempts });

      if (payload.hangOnFirstAttempt === true && job.attempts === 1) {
        process.stdout.write(`hanging ${job.id}\n`);
        await new Promise<never>(() => undefined);
      }

      if (payload.workMs !== undefined) {
        await sleep(payload.workMs);
      }

      record(config.runsFile, { event: 'end', jobId: job.id, attempt: job.attempts });

      return { pid: process.pid };
    },
    { concurrency: config.concurrency },
  );
  await engine.start();
  process.once('SIGTERM', () => {
    engine.close({ graceMs: 2000 }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
