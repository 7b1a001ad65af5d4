import { setTimeout as sleep } from 'node:timers/promises';

import { WorkerShutdownError } from '../jobs.errors';
import { type ContractContext, deferred, TEST_TIMEOUT_MS, waitForStatus } from './contract-context';

export function shutdownContractTests(context: ContractContext): void {
  describe('shutdown', () => {
    it(
      'lets running jobs finish within the grace period and claims no more',
      async () => {
        const engine = await context.engine();
        const started = deferred();

        engine.registerHandler('ETL', async () => {
          started.resolve();
          await sleep(300);

          return 'completed during shutdown';
        });

        const job = await engine.submit({ type: 'ETL' });

        await engine.start();
        await started.promise;
        await engine.stop({ graceMs: 5000 });

        expect(await engine.getJob(job.id)).toMatchObject({
          status: 'succeeded',
          result: 'completed during shutdown',
        });

        const later = await engine.submit({ type: 'ETL' });

        await sleep(300);
        expect((await engine.getJob(later.id))?.status).toBe('queued');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'releases jobs that outlast the grace period to another engine',
      async () => {
        const stopping = await context.engine({ workerId: 'stopping' });
        const started = deferred();
        const reasons: unknown[] = [];
        const finishLate = deferred();

        stopping.registerHandler('AIRTABLE_SYNC', async (_job, { signal }) => {
          started.resolve();
          signal.addEventListener('abort', () => reasons.push(signal.reason));
          // Ignores the abort, like a handler stuck in a call without a signal.
          await finishLate.promise;

          return 'too late';
        });

        const job = await stopping.submit({ type: 'AIRTABLE_SYNC' });

        await stopping.start();
        await started.promise;

        const stopStarted = Date.now();

        await stopping.stop({ graceMs: 200 });
        expect(Date.now() - stopStarted).toBeLessThan(2000);
        expect(await stopping.getJob(job.id)).toMatchObject({ status: 'queued', attempts: 0 });
        expect(reasons).toHaveLength(1);
        expect(reasons[0]).toBeInstanceOf(WorkerShutdownError);

        const next = await context.engine({ workerId: 'next' });

        next.registerHandler('AIRTABLE_SYNC', async () => Promise.resolve('taken over'));
        await next.start();
        finishLate.resolve();

        const done = await waitForStatus(next, job.id, 'succeeded');

        expect(done).toMatchObject({ result: 'taken over', attempts: 1 });
        await sleep(100);
        expect(await next.getJob(job.id)).toEqual(done);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'stops and closes an engine that never started',
      async () => {
        const engine = await context.engine();

        await engine.stop();
        await engine.close();
        await engine.close();
      },
      TEST_TIMEOUT_MS,
    );
  });
}
