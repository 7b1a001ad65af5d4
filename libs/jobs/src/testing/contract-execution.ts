import { setTimeout as sleep } from 'node:timers/promises';

import { type Job, type JobType } from '../job.types';
import { PermanentJobError } from '../jobs.errors';
import {
  type ContractContext,
  expectJobsError,
  TEST_TIMEOUT_MS,
  waitFor,
  waitForStatus,
} from './contract-context';

export function executionContractTests(context: ContractContext): void {
  describe('execution', () => {
    it(
      'runs a job and stores its result',
      async () => {
        const engine = await context.engine();
        const seen: Job[] = [];

        engine.registerHandler('ETL', async (job) => {
          seen.push(job);

          return Promise.resolve({ doubled: (job.payload as { n: number }).n * 2 });
        });

        const submitted = await engine.submit({ type: 'ETL', payload: { n: 21 } });

        await engine.start();

        const done = await waitForStatus(engine, submitted.id, 'succeeded');

        expect(done).toMatchObject({ result: { doubled: 42 }, attempts: 1, error: null });
        expect(Date.parse(done.startedAt ?? '')).toBeLessThanOrEqual(
          Date.parse(done.finishedAt ?? ''),
        );
        expect(Date.parse(done.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatchObject({
          id: submitted.id,
          status: 'running',
          attempts: 1,
          payload: { n: 21 },
        });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'stores null when the handler returns nothing',
      async () => {
        const engine = await context.engine();

        engine.registerHandler('ALERT', async () => Promise.resolve(undefined));

        const job = await engine.submit({ type: 'ALERT' });

        await engine.start();
        expect((await waitForStatus(engine, job.id, 'succeeded')).result).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'starts jobs by priority, then in submit order',
      async () => {
        const engine = await context.engine();
        const order: string[] = [];

        engine.registerHandler(
          'ETL',
          async (job) => {
            order.push(job.payload as string);

            return Promise.resolve(null);
          },
          { concurrency: 1 },
        );
        await engine.submit({ type: 'ETL', payload: 'low', priority: 5 });
        await engine.submit({ type: 'ETL', payload: 'first default', priority: 0 });
        await engine.submit({ type: 'ETL', payload: 'middle', priority: 2 });
        await engine.submit({ type: 'ETL', payload: 'second default' });
        await engine.start();
        await waitFor(
          () => order.length,
          (count) => count === 4,
          'four jobs to run',
        );

        expect(order).toEqual(['first default', 'second default', 'middle', 'low']);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'waits for runAt before starting a delayed job',
      async () => {
        const engine = await context.engine();
        const runAt = new Date(Date.now() + 500);

        engine.registerHandler('INDEX', async () => Promise.resolve(Date.now()));

        const job = await engine.submit({ type: 'INDEX', runAt });

        await engine.start();
        await sleep(250);
        expect((await engine.getJob(job.id))?.status).toBe('queued');

        const done = await waitForStatus(engine, job.id, 'succeeded');

        expect(done.result as number).toBeGreaterThanOrEqual(runAt.getTime());
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'retries with exponential backoff, then succeeds',
      async () => {
        const engine = await context.engine();
        const starts: { at: number; job: Job }[] = [];

        engine.registerHandler('WEBAPI_SYNC', async (job) => {
          starts.push({ at: Date.now(), job });

          if (job.attempts < 3) {
            throw new Error(`boom ${job.attempts}`);
          }

          return Promise.resolve('done');
        });

        const job = await engine.submit({
          type: 'WEBAPI_SYNC',
          maxAttempts: 3,
          backoff: { initialDelayMs: 150, maxDelayMs: 5000, jitter: 0 },
        });

        await engine.start();

        const done = await waitForStatus(engine, job.id, 'succeeded');

        expect(done).toMatchObject({ attempts: 3, result: 'done', error: null });
        expect(starts.map((start) => start.job.attempts)).toEqual([1, 2, 3]);
        expect(starts[1].job.error).toBe('boom 1');
        expect(starts[2].job.error).toBe('boom 2');
        expect(starts[1].at - starts[0].at).toBeGreaterThanOrEqual(150);
        expect(starts[2].at - starts[1].at).toBeGreaterThanOrEqual(300);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails the job after the last attempt',
      async () => {
        const engine = await context.engine();
        let calls = 0;

        engine.registerHandler('AIRTABLE_SYNC', async () => {
          calls += 1;
          throw new Error('base not found');
        });

        const job = await engine.submit({ type: 'AIRTABLE_SYNC', maxAttempts: 2 });

        await engine.start();

        const failed = await waitForStatus(engine, job.id, 'failed');

        expect(failed).toMatchObject({
          attempts: 2,
          maxAttempts: 2,
          error: 'base not found',
          result: null,
        });
        expect(failed.finishedAt).not.toBeNull();
        await sleep(300);
        expect(calls).toBe(2);
        expect(await engine.getJob(job.id)).toEqual(failed);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails at once on a PermanentJobError or a result that is not JSON',
      async () => {
        const engine = await context.engine();

        engine.registerHandler('AI_GENERATE', async (job) => {
          if (job.payload === 'permanent') {
            throw new PermanentJobError('prompt rejected');
          }

          return Promise.resolve(new Date() as never);
        });

        const permanent = await engine.submit({
          type: 'AI_GENERATE',
          payload: 'permanent',
          maxAttempts: 5,
        });
        const notJson = await engine.submit({
          type: 'AI_GENERATE',
          payload: 'date',
          maxAttempts: 5,
        });

        await engine.start();

        expect(await waitForStatus(engine, permanent.id, 'failed')).toMatchObject({
          attempts: 1,
          error: 'prompt rejected',
        });

        const failed = await waitForStatus(engine, notJson.id, 'failed');

        expect(failed.attempts).toBe(1);
        expect(failed.error).toContain('not JSON');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'limits concurrency per job type',
      async () => {
        const engine = await context.engine();
        const inFlight = new Map<JobType, number>();
        const maxInFlight = new Map<JobType, number>();
        let maxTotal = 0;
        const handler = async (job: Job): Promise<null> => {
          const now = (inFlight.get(job.type) ?? 0) + 1;

          inFlight.set(job.type, now);
          maxInFlight.set(job.type, Math.max(maxInFlight.get(job.type) ?? 0, now));
          maxTotal = Math.max(
            maxTotal,
            [...inFlight.values()].reduce((sum, count) => sum + count, 0),
          );
          await sleep(150);
          inFlight.set(job.type, (inFlight.get(job.type) ?? 1) - 1);

          return null;
        };

        engine.registerHandler('ETL', handler, { concurrency: 2 });
        engine.registerHandler('INDEX', handler, { concurrency: 1 });

        const jobs = await engine.submitMany([
          ...Array.from({ length: 6 }, () => ({ type: 'ETL' as const })),
          ...Array.from({ length: 3 }, () => ({ type: 'INDEX' as const })),
        ]);

        await engine.start();

        for (const job of jobs) {
          await waitForStatus(engine, job.id, 'succeeded');
        }

        expect(maxInFlight.get('ETL')).toBe(2);
        expect(maxInFlight.get('INDEX')).toBe(1);
        expect(maxTotal).toBe(3);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'claims only the types it has handlers for',
      async () => {
        const engine = await context.engine();

        engine.registerHandler('ETL', async () => Promise.resolve(null));

        const other = await engine.submit({ type: 'ALERT' });
        const own = await engine.submit({ type: 'ETL' });

        await engine.start();
        await waitForStatus(engine, own.id, 'succeeded');
        await sleep(200);
        expect((await engine.getJob(other.id))?.status).toBe('queued');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'registerHandler rejects invalid registrations',
      async () => {
        const engine = await context.engine();
        const handler = async (): Promise<null> => Promise.resolve(null);

        engine.registerHandler('ETL', handler);
        await expectJobsError(() => engine.registerHandler('ETL', handler), 'INVALID_ARGUMENT');
        await expectJobsError(
          () => engine.registerHandler('BAD' as 'ETL', handler),
          'INVALID_ARGUMENT',
        );
        await expectJobsError(
          () => engine.registerHandler('INDEX', handler, { concurrency: 0 }),
          'INVALID_ARGUMENT',
        );
        await expectJobsError(
          () => engine.registerHandler('INDEX', handler, { concurrency: 1.5 }),
          'INVALID_ARGUMENT',
        );
        await engine.start();
        await expectJobsError(engine.start(), 'INVALID_ARGUMENT');
      },
      TEST_TIMEOUT_MS,
    );
  });
}
