import { setTimeout as sleep } from 'node:timers/promises';

import { type JobEvent } from '../job.types';
import {
  type ContractContext,
  deferred,
  expectJobsError,
  recordEvents,
  TEST_TIMEOUT_MS,
  waitFor,
  waitForStatus,
} from './contract-context';

const UNKNOWN_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

function statuses(events: JobEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'status' ? [event.status] : []));
}

export function observeContractTests(context: ContractContext): void {
  describe('progress, logs and events', () => {
    it(
      'stores progress at most once per interval, and the last value',
      async () => {
        const engine = await context.engine({ progressIntervalMs: 100 });

        engine.registerHandler('ETL', async (_job, { reportProgress }) => {
          for (let row = 1; row <= 200; row += 1) {
            reportProgress({ rowsRead: row, rowsLoaded: Math.floor(row * 0.75) });

            if (row % 10 === 0) {
              await sleep(25);
            }
          }

          reportProgress({ rowsRejected: 3 });

          return null;
        });

        const job = await engine.submit({ type: 'ETL' });
        const { events } = await recordEvents(engine, job.id);
        const started = Date.now();

        await engine.start();

        const done = await waitForStatus(engine, job.id, 'succeeded');
        const elapsed = Date.now() - started;

        expect(done.progress).toEqual({ rowsRead: 200, rowsLoaded: 150, rowsRejected: 3 });
        await waitFor(
          () => statuses(events),
          (seen) => seen.includes('succeeded'),
          'the succeeded event',
        );

        const progressEvents = events.filter((event) => event.kind === 'progress');

        expect(progressEvents.length).toBeGreaterThanOrEqual(2);
        // One write per 100 ms interval, plus the first and the final write.
        expect(progressEvents.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'keeps log lines in order, with their attempt, up to the per-job cap',
      async () => {
        const engine = await context.engine({ maxLogLinesPerJob: 10 });

        engine.registerHandler('WEBAPI_SYNC', async (job, { log }) => {
          for (let line = 1; line <= 8; line += 1) {
            log(`attempt ${job.attempts} line ${line}`);
          }

          if (job.attempts === 1) {
            throw new Error('retry me');
          }

          return Promise.resolve(null);
        });

        const job = await engine.submit({ type: 'WEBAPI_SYNC', maxAttempts: 2 });

        await engine.start();
        await waitForStatus(engine, job.id, 'succeeded');

        const all = await engine.getLogs(job.id);

        expect(all.total).toBe(10);
        expect(all.lines.map((line) => line.message)).toEqual([
          'attempt 1 line 7',
          'attempt 1 line 8',
          ...Array.from({ length: 8 }, (_, index) => `attempt 2 line ${index + 1}`),
        ]);
        expect(all.lines.map((line) => line.attempt)).toEqual([1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
        expect(Number.isNaN(Date.parse(all.lines[0].at))).toBe(false);

        const page = await engine.getLogs(job.id, { offset: 3, limit: 2 });

        expect(page).toEqual({ total: 10, lines: all.lines.slice(3, 5) });
        await expectJobsError(engine.getLogs(UNKNOWN_ID), 'NOT_FOUND');
        await expectJobsError(engine.getLogs(job.id, { limit: 0 }), 'INVALID_ARGUMENT');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'delivers status events in order until unsubscribed',
      async () => {
        const engine = await context.engine();

        engine.registerHandler('INDEX', async (job) => {
          if (job.attempts === 1) {
            throw new Error('first attempt fails');
          }

          return Promise.resolve(null);
        });

        const job = await engine.submit({ type: 'INDEX', maxAttempts: 2 });
        const unwatched = await engine.submit({ type: 'INDEX', maxAttempts: 2 });
        const { events } = await recordEvents(engine, job.id);
        const { events: stoppedEvents, stop } = await recordEvents(engine, unwatched.id);

        stop();
        await engine.start();
        await waitFor(
          () => statuses(events),
          (seen) => seen.includes('succeeded'),
          'the succeeded event',
        );
        await waitForStatus(engine, unwatched.id, 'succeeded');
        await sleep(100);

        expect(statuses(events)).toEqual(['running', 'queued', 'running', 'succeeded']);

        const last = events[events.length - 1];

        expect(last).toMatchObject({
          kind: 'status',
          jobId: job.id,
          status: 'succeeded',
          attempts: 2,
          error: null,
        });
        expect(stoppedEvents).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'delivers the changes that another engine makes',
      async () => {
        const worker = await context.engine();
        const watcher = await context.engine();
        const finish = deferred();

        worker.registerHandler('ETL', async (_job, { reportProgress }) => {
          reportProgress({ rowsRead: 10 });
          await finish.promise;

          return null;
        });

        const job = await watcher.submit({ type: 'ETL' });
        const { events } = await recordEvents(watcher, job.id);

        await worker.start();
        await waitFor(
          () => events.filter((event) => event.kind === 'progress'),
          (progress) => progress.length > 0,
          'a progress event',
        );
        finish.resolve();
        await waitFor(
          () => statuses(events),
          (seen) => seen.includes('succeeded'),
          'the succeeded event',
        );

        expect(statuses(events)).toEqual(['running', 'succeeded']);
        expect(events.find((event) => event.kind === 'progress')).toMatchObject({
          progress: { rowsRead: 10, rowsLoaded: 0, rowsRejected: 0 },
        });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects a subscription to an unknown job',
      async () => {
        const engine = await context.engine();

        await expectJobsError(
          engine.subscribe(UNKNOWN_ID, () => undefined),
          'NOT_FOUND',
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
