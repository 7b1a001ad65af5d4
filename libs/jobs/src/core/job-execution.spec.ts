import { setTimeout as sleep } from 'node:timers/promises';

import pino from 'pino';

import { type Job, type JobHandler, type JobLogLine, type JobProgress } from '../job.types';
import { JobCancelledError, LeaseLostError, PermanentJobError } from '../jobs.errors';
import { type ExecutionSink, JobExecution } from './job-execution';

const job: Job = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  type: 'ETL',
  status: 'running',
  attempts: 2,
  maxAttempts: 3,
  priority: 0,
  payload: { file: 'a.csv' },
  progress: { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 },
  result: null,
  error: null,
  idempotencyKey: null,
  runAt: '2030-01-01T00:00:00.000Z',
  createdAt: '2030-01-01T00:00:00.000Z',
  startedAt: '2030-01-01T00:00:01.000Z',
  finishedAt: null,
  cancelRequestedAt: null,
};

function recordingSink(): ExecutionSink & { progress: JobProgress[]; lines: JobLogLine[][] } {
  const progress: JobProgress[] = [];
  const lines: JobLogLine[][] = [];

  return {
    progress,
    lines,
    saveProgress: async (saved) => {
      progress.push(saved);

      return Promise.resolve();
    },
    appendLogs: async (written) => {
      lines.push(written);

      return Promise.resolve();
    },
  };
}

function execution(
  handler: JobHandler,
  sink: ExecutionSink,
  progressIntervalMs = 50,
): JobExecution {
  return new JobExecution(job, handler, sink, {
    progressIntervalMs,
    logger: pino({ enabled: false }),
  });
}

describe('JobExecution', () => {
  it('passes a copy of the job and returns the result', async () => {
    const sink = recordingSink();
    const run = execution(async (seen) => {
      (seen.payload as { file: string }).file = 'changed';

      return Promise.resolve({ ok: true });
    }, sink);

    await expect(run.run()).resolves.toEqual({ kind: 'succeeded', result: { ok: true } });
    expect(job.payload).toEqual({ file: 'a.csv' });
  });

  it('classifies failures', async () => {
    const sink = recordingSink();

    await expect(
      execution(async () => Promise.reject(new Error('temporary')), sink).run(),
    ).resolves.toMatchObject({ kind: 'failed', message: 'temporary', permanent: false });
    await expect(
      execution(async () => Promise.reject(new PermanentJobError('bad input')), sink).run(),
    ).resolves.toMatchObject({ kind: 'failed', message: 'bad input', permanent: true });
    await expect(
      execution(async () => Promise.reject('plain string'), sink).run(),
    ).resolves.toMatchObject({
      kind: 'failed',
      message: 'plain string',
    });
    await expect(
      execution(async () => Promise.resolve(Number.NaN), sink).run(),
    ).resolves.toMatchObject({
      kind: 'failed',
      permanent: true,
    });
  });

  it('writes progress at most once per interval and the last value on flush', async () => {
    const sink = recordingSink();
    const run = execution(async (_job, { reportProgress }) => {
      for (let row = 1; row <= 100; row += 1) {
        reportProgress({ rowsRead: row });

        if (row % 25 === 0) {
          await sleep(30);
        }
      }

      return null;
    }, sink);
    const started = Date.now();

    await run.run();
    await run.flush();

    const elapsed = Date.now() - started;

    expect(sink.progress.length).toBeGreaterThanOrEqual(2);
    expect(sink.progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
    expect(sink.progress[sink.progress.length - 1]).toEqual({
      rowsRead: 100,
      rowsLoaded: 0,
      rowsRejected: 0,
    });
  });

  it('rejects invalid progress values in the handler', async () => {
    const sink = recordingSink();
    const outcome = await execution(async (_job, { reportProgress }) => {
      reportProgress({ rowsLoaded: -1 });

      return Promise.resolve(null);
    }, sink).run();

    expect(outcome).toMatchObject({
      kind: 'failed',
      message: expect.stringContaining('rowsLoaded') as unknown,
    });
  });

  it('batches log lines with their attempt', async () => {
    const sink = recordingSink();
    const run = execution(async (_job, { log }) => {
      log('one');
      log('two');

      return Promise.resolve(null);
    }, sink);

    await run.run();
    await run.flush();

    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0].map((line) => [line.attempt, line.message])).toEqual([
      [2, 'one'],
      [2, 'two'],
    ]);
  });

  it('keeps the first abort reason and stops writing once detached', async () => {
    const sink = recordingSink();
    const run = execution(async (_job, { reportProgress, log }) => {
      await sleep(20);
      reportProgress({ rowsRead: 5 });
      log('after detach');

      return null;
    }, sink);
    const outcome = run.run();

    run.abort(new LeaseLostError(job.id));
    run.abort(new JobCancelledError(job.id));
    run.detach();
    await outcome;
    await run.flush();

    expect(run.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(sink.progress).toEqual([]);
    expect(sink.lines).toEqual([]);
  });
});
