import { setTimeout as sleep } from 'node:timers/promises';

import { LEASE_EXPIRED_MESSAGE } from '../jobs.errors';
import {
  blockEventLoop,
  type ContractContext,
  TEST_TIMEOUT_MS,
  waitForStatus,
} from './contract-context';

const SHORT_LEASE = { leaseMs: 400, heartbeatIntervalMs: 100 };

export function leaseContractTests(context: ContractContext): void {
  describe('leases', () => {
    it(
      'heartbeats keep a job that runs longer than its lease',
      async () => {
        const engine = await context.engine(SHORT_LEASE);
        let calls = 0;

        engine.registerHandler('ETL', async () => {
          calls += 1;
          await sleep(1500);

          return 'finished';
        });

        const job = await engine.submit({ type: 'ETL' });

        await engine.start();

        const done = await waitForStatus(engine, job.id, 'succeeded');

        expect(done).toMatchObject({ attempts: 1, result: 'finished' });
        expect(calls).toBe(1);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects the outcome of a stalled attempt and runs the job again',
      async () => {
        const engine = await context.engine(SHORT_LEASE);
        const attempts: number[] = [];

        engine.registerHandler('ETL', async (job) => {
          attempts.push(job.attempts);

          if (job.attempts === 1) {
            // The first attempt stalls past its lease, then tries to complete.
            blockEventLoop(1200);

            return Promise.resolve('stale result');
          }

          return Promise.resolve('fresh result');
        });

        const job = await engine.submit({ type: 'ETL', maxAttempts: 3 });

        await engine.start();

        const done = await waitForStatus(engine, job.id, 'succeeded');

        expect(done).toMatchObject({ attempts: 2, result: 'fresh result' });
        expect(attempts).toEqual([1, 2]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails the job when the lease of its last attempt expires',
      async () => {
        const engine = await context.engine(SHORT_LEASE);
        let calls = 0;

        engine.registerHandler('ETL', async () => {
          calls += 1;
          blockEventLoop(1200);

          return Promise.resolve('stale result');
        });

        const job = await engine.submit({ type: 'ETL', maxAttempts: 1 });

        await engine.start();

        const failed = await waitForStatus(engine, job.id, 'failed');

        expect(failed).toMatchObject({ attempts: 1, error: LEASE_EXPIRED_MESSAGE, result: null });
        expect(calls).toBe(1);
      },
      TEST_TIMEOUT_MS,
    );
  });
}
