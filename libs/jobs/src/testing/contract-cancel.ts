import { setTimeout as sleep } from 'node:timers/promises';

import { CANCELLED_BEFORE_START_MESSAGE, JobCancelledError } from '../jobs.errors';
import {
  type ContractContext,
  deferred,
  expectJobsError,
  sleepUnlessAborted,
  TEST_TIMEOUT_MS,
  waitFor,
  waitForStatus,
} from './contract-context';

export function cancelContractTests(context: ContractContext): void {
  describe('cancel', () => {
    it(
      'cancels queued, prioritized and delayed jobs at once',
      async () => {
        const engine = await context.engine();
        let calls = 0;

        engine.registerHandler('ETL', async () => {
          calls += 1;

          return Promise.resolve(null);
        });

        const jobs = await engine.submitMany([
          { type: 'ETL' },
          { type: 'ETL', priority: 3 },
          { type: 'ETL', runAt: new Date(Date.now() + 60_000) },
        ]);

        for (const job of jobs) {
          const cancelled = await engine.cancel(job.id);

          expect(cancelled).toMatchObject({
            id: job.id,
            status: 'cancelled',
            attempts: 0,
            error: CANCELLED_BEFORE_START_MESSAGE,
          });
          expect(cancelled.cancelRequestedAt).not.toBeNull();
          expect(cancelled.finishedAt).toBe(cancelled.cancelRequestedAt);
          expect(await engine.getJob(job.id)).toEqual(cancelled);
        }

        await engine.start();
        await sleep(300);
        expect(calls).toBe(0);

        for (const job of jobs) {
          expect((await engine.getJob(job.id))?.status).toBe('cancelled');
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'aborts the signal of a running job',
      async () => {
        const engine = await context.engine();
        const started = deferred();
        const reasons: unknown[] = [];

        engine.registerHandler('WEBAPI_SYNC', async (_job, { signal }) => {
          started.resolve();

          try {
            await sleepUnlessAborted(10_000, signal);
          } catch (error) {
            reasons.push(error);
            throw error;
          }

          return null;
        });

        const job = await engine.submit({ type: 'WEBAPI_SYNC', maxAttempts: 3 });

        await engine.start();
        await started.promise;

        const requested = await engine.cancel(job.id);

        expect(requested.status).toBe('running');
        expect(requested.cancelRequestedAt).not.toBeNull();

        const cancelled = await waitForStatus(engine, job.id, 'cancelled');

        expect(cancelled).toMatchObject({
          attempts: 1,
          cancelRequestedAt: requested.cancelRequestedAt,
        });
        expect(cancelled.finishedAt).not.toBeNull();
        expect(cancelled.error).toBe(new JobCancelledError(job.id).message);
        expect(reasons).toHaveLength(1);
        expect(reasons[0]).toBeInstanceOf(JobCancelledError);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'reaches a job that another engine runs',
      async () => {
        const worker = await context.engine();
        const client = await context.engine();
        const started = deferred();

        worker.registerHandler('INDEX', async (_job, { signal }) => {
          started.resolve();
          await sleepUnlessAborted(10_000, signal);

          return null;
        });

        const job = await client.submit({ type: 'INDEX' });

        await worker.start();
        await started.promise;

        const begin = Date.now();

        await client.cancel(job.id);
        await waitForStatus(client, job.id, 'cancelled');
        // Well below the handler's 10 s: the cancel reached the other engine.
        expect(Date.now() - begin).toBeLessThan(3000);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'lets a handler that finishes anyway succeed',
      async () => {
        const engine = await context.engine();
        const started = deferred();
        const release = deferred();

        engine.registerHandler('ETL', async () => {
          started.resolve();
          await release.promise;

          return 'loaded';
        });

        const job = await engine.submit({ type: 'ETL' });

        await engine.start();
        await started.promise;
        await engine.cancel(job.id);
        release.resolve();

        const done = await waitForStatus(engine, job.id, ['succeeded', 'cancelled']);

        expect(done).toMatchObject({ status: 'succeeded', result: 'loaded' });
        expect(done.cancelRequestedAt).not.toBeNull();
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'leaves a finished job unchanged',
      async () => {
        const engine = await context.engine();

        engine.registerHandler('ALERT', async () => Promise.resolve('sent'));

        const job = await engine.submit({ type: 'ALERT' });

        await engine.start();

        const done = await waitForStatus(engine, job.id, 'succeeded');

        expect(await engine.cancel(job.id)).toEqual(done);
        expect(await engine.getJob(job.id)).toEqual(done);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects unknown and malformed ids',
      async () => {
        const engine = await context.engine();

        await expectJobsError(engine.cancel('01890a5d-ac96-774b-bcce-b302099a8057'), 'NOT_FOUND');
        await expectJobsError(engine.cancel('nope'), 'INVALID_ARGUMENT');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'cancels a job that waits for its retry',
      async () => {
        const engine = await context.engine();
        let calls = 0;

        engine.registerHandler('ETL', async () => {
          calls += 1;
          throw new Error('temporary');
        });

        const job = await engine.submit({
          type: 'ETL',
          maxAttempts: 3,
          backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 },
        });

        await engine.start();
        await waitFor(
          async () => engine.getJob(job.id),
          (current) => current?.error === 'temporary',
          'the first failure',
        );

        const cancelled = await engine.cancel(job.id);

        expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 1 });
        expect(calls).toBe(1);
      },
      TEST_TIMEOUT_MS,
    );
  });
}
