import { setTimeout as sleep } from 'node:timers/promises';

import { type JobEngine } from '../job-engine';
import { type Job, type ListJobsQuery } from '../job.types';
import {
  type ContractContext,
  expectJobsError,
  TEST_TIMEOUT_MS,
  waitForStatus,
} from './contract-context';

/** Follows `nextCursor` until it is null; returns every job listed. */
async function listAll(engine: JobEngine, query: ListJobsQuery): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;

  for (let page = 0; page < 1000; page += 1) {
    const result = await engine.listJobs({ ...query, cursor });

    expect(result.jobs.length).toBeLessThanOrEqual(query.limit ?? 50);
    jobs.push(...result.jobs);

    if (result.nextCursor === null) {
      return jobs;
    }

    cursor = result.nextCursor;
  }

  throw new Error('More than 1,000 pages: the cursor does not advance.');
}

function ids(jobs: Job[]): string[] {
  return jobs.map((job) => job.id);
}

function newestFirst(jobs: Job[]): string[] {
  return ids(jobs).sort().reverse();
}

export function listContractTests(context: ContractContext): void {
  describe('list and retention', () => {
    it(
      'lists newest first, by status and type',
      async () => {
        const engine = await context.engine();
        const jobs = await engine.submitMany([
          { type: 'ETL' },
          { type: 'INDEX' },
          { type: 'ETL', priority: 4 },
          { type: 'INDEX', runAt: new Date(Date.now() + 60_000) },
          { type: 'ETL' },
        ]);

        await engine.cancel(jobs[2].id);

        const all = await engine.listJobs();

        expect(ids(all.jobs)).toEqual(newestFirst(jobs));
        expect(all.nextCursor).toBeNull();
        expect(ids((await engine.listJobs({ type: 'INDEX' })).jobs)).toEqual(
          newestFirst([jobs[1], jobs[3]]),
        );
        expect(ids((await engine.listJobs({ status: 'cancelled' })).jobs)).toEqual([jobs[2].id]);
        expect(ids((await engine.listJobs({ status: 'queued', type: 'ETL' })).jobs)).toEqual(
          newestFirst([jobs[0], jobs[4]]),
        );
        expect((await engine.listJobs({ status: 'running' })).jobs).toEqual([]);
        expect((await engine.listJobs()).jobs.find((job) => job.id === jobs[2].id)).toEqual(
          await engine.getJob(jobs[2].id),
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'pages through every job once with a cursor',
      async () => {
        const engine = await context.engine();
        const types = ['ETL', 'INDEX', 'ALERT'] as const;
        const jobs = await engine.submitMany(
          Array.from({ length: 40 }, (_, index) => ({ type: types[index % 3], payload: index })),
        );

        for (const job of jobs.filter((_, index) => index % 4 === 0)) {
          await engine.cancel(job.id);
        }

        const listed = await listAll(engine, { limit: 7 });

        expect(ids(listed)).toEqual(newestFirst(jobs));
        expect(ids(await listAll(engine, { limit: 3, type: 'ALERT' }))).toEqual(
          newestFirst(jobs.filter((job) => job.type === 'ALERT')),
        );
        expect(ids(await listAll(engine, { limit: 4, status: 'cancelled' }))).toEqual(
          newestFirst(jobs.filter((_, index) => index % 4 === 0)),
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects invalid list queries',
      async () => {
        const engine = await context.engine();
        const invalid: ListJobsQuery[] = [
          { limit: 0 },
          { limit: 501 },
          { limit: 1.5 },
          { cursor: 'abc' },
          { status: 'done' as 'queued' },
          { type: 'X' as 'ETL' },
        ];

        for (const query of invalid) {
          await expectJobsError(engine.listJobs(query), 'INVALID_ARGUMENT');
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'removes finished jobs beyond the retention count',
      async () => {
        const engine = await context.engine({ retention: { maxCount: 3, maxAgeMs: 3_600_000 } });

        engine.registerHandler(
          'ETL',
          async (job, { log }) => {
            log(`run ${String(job.payload)}`);

            if (job.payload === 1) {
              throw new Error('fails');
            }

            return Promise.resolve(null);
          },
          { concurrency: 1 },
        );

        const waiting = await engine.submit({ type: 'ALERT' });
        const finished: Job[] = [];

        await engine.start();

        for (let index = 0; index < 6; index += 1) {
          const job = await engine.submit({
            type: 'ETL',
            payload: index,
            maxAttempts: 1,
            idempotencyKey: `etl-${index}`,
          });

          finished.push(await waitForStatus(engine, job.id, ['succeeded', 'failed']));
          // Distinct finish times, so the newest three are well defined.
          await sleep(5);
        }

        const cancelled = await engine.cancel((await engine.submit({ type: 'INDEX' })).id);

        await expect(engine.pruneFinished()).resolves.toBe(4);

        const remaining = await listAll(engine, {});

        expect(ids(remaining)).toEqual(newestFirst([waiting, finished[4], finished[5], cancelled]));

        for (const removed of finished.slice(0, 4)) {
          await expect(engine.getJob(removed.id)).resolves.toBeNull();
          await expectJobsError(engine.getLogs(removed.id), 'NOT_FOUND');
        }

        expect((await engine.getLogs(finished[5].id)).lines.map((line) => line.message)).toEqual([
          'run 5',
        ]);

        // Stopped, so the new job stays queued and the second removal run finds nothing.
        await engine.stop();

        const reused = await engine.submit({
          type: 'ETL',
          payload: 'again',
          idempotencyKey: 'etl-0',
        });

        expect(reused.id).not.toBe(finished[0].id);
        expect(reused.payload).toBe('again');
        await expect(engine.pruneFinished()).resolves.toBe(0);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'removes finished jobs older than the retention age',
      async () => {
        const engine = await context.engine({ retention: { maxAgeMs: 300, maxCount: 1000 } });

        engine.registerHandler('INDEX', async () => Promise.resolve(null));

        const old = await engine.submit({ type: 'INDEX' });

        await engine.start();
        await waitForStatus(engine, old.id, 'succeeded');
        await sleep(400);

        const recent = await engine.submit({ type: 'INDEX' });

        await waitForStatus(engine, recent.id, 'succeeded');
        await expect(engine.pruneFinished()).resolves.toBe(1);
        await expect(engine.getJob(old.id)).resolves.toBeNull();
        expect((await engine.getJob(recent.id))?.status).toBe('succeeded');
      },
      TEST_TIMEOUT_MS,
    );
  });
}
