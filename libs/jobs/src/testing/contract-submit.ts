import { JOB_ID_PATTERN } from '../core/job-id.util';
import { MAX_PAYLOAD_BYTES } from '../core/request.util';
import { type SubmitJobRequest } from '../job.types';
import { isJobsError } from '../jobs.errors';
import { type ContractContext, expectJobsError, TEST_TIMEOUT_MS } from './contract-context';

export function submitContractTests(context: ContractContext): void {
  describe('submit', () => {
    it(
      'returns a queued job with defaults',
      async () => {
        const engine = await context.engine();
        const before = Date.now();
        const job = await engine.submit({
          type: 'ETL',
          payload: { file: 'sales.csv', rows: [1, 2] },
        });

        expect(job.id).toMatch(JOB_ID_PATTERN);
        expect(job).toMatchObject({
          type: 'ETL',
          status: 'queued',
          attempts: 0,
          maxAttempts: 3,
          priority: 0,
          payload: { file: 'sales.csv', rows: [1, 2] },
          progress: { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 },
          result: null,
          error: null,
          idempotencyKey: null,
          startedAt: null,
          finishedAt: null,
          cancelRequestedAt: null,
        });
        expect(Date.parse(job.createdAt)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(job.createdAt)).toBeLessThanOrEqual(Date.now());
        expect(job.runAt).toBe(job.createdAt);
        await expect(engine.getJob(job.id)).resolves.toEqual(job);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'stores the given options',
      async () => {
        const engine = await context.engine();
        const runAt = new Date(Date.now() + 60_000);
        const job = await engine.submit({
          type: 'INDEX',
          payload: null,
          priority: 7,
          maxAttempts: 4,
          idempotencyKey: 'index:table-1',
          runAt,
        });

        expect(job).toMatchObject({
          type: 'INDEX',
          payload: null,
          priority: 7,
          maxAttempts: 4,
          idempotencyKey: 'index:table-1',
          runAt: runAt.toISOString(),
          status: 'queued',
        });
        await expect(engine.getJob(job.id)).resolves.toEqual(job);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects invalid requests',
      async () => {
        const engine = await context.engine();
        const invalid: [string, SubmitJobRequest][] = [
          ['unknown type', { type: 'NOPE' as 'ETL' }],
          ['undefined in payload', { type: 'ETL', payload: { a: undefined } as never }],
          ['NaN in payload', { type: 'ETL', payload: [Number.NaN] }],
          ['Date in payload', { type: 'ETL', payload: { at: new Date() } as never }],
          ['negative priority', { type: 'ETL', priority: -1 }],
          ['fractional priority', { type: 'ETL', priority: 1.5 }],
          ['priority too high', { type: 'ETL', priority: 2_097_152 }],
          ['zero attempts', { type: 'ETL', maxAttempts: 0 }],
          ['too many attempts', { type: 'ETL', maxAttempts: 101 }],
          ['empty idempotency key', { type: 'ETL', idempotencyKey: '' }],
          ['long idempotency key', { type: 'ETL', idempotencyKey: 'k'.repeat(201) }],
          ['control character in key', { type: 'ETL', idempotencyKey: 'a\nb' }],
          ['invalid runAt', { type: 'ETL', runAt: new Date('not a date') }],
          ['jitter above 1', { type: 'ETL', backoff: { jitter: 2 } }],
          [
            'max delay below initial',
            { type: 'ETL', backoff: { initialDelayMs: 500, maxDelayMs: 100 } },
          ],
          ['payload too large', { type: 'ETL', payload: 'x'.repeat(MAX_PAYLOAD_BYTES) }],
        ];

        const outcomes: [string, string][] = [];

        for (const [name, request] of invalid) {
          const outcome = await engine.submit(request).then(
            () => 'accepted',
            (error: unknown) => (isJobsError(error) ? error.code : String(error)),
          );

          outcomes.push([name, outcome]);
        }

        expect(outcomes).toEqual(invalid.map(([name]) => [name, 'INVALID_ARGUMENT']));

        await expect(engine.listJobs()).resolves.toEqual({ jobs: [], nextCursor: null });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'returns the first job for a repeated idempotency key',
      async () => {
        const engine = await context.engine();
        const first = await engine.submit({ type: 'ETL', payload: 1, idempotencyKey: 'upload-42' });
        const second = await engine.submit({
          type: 'ETL',
          payload: 2,
          idempotencyKey: 'upload-42',
        });
        const otherType = await engine.submit({
          type: 'INDEX',
          payload: 3,
          idempotencyKey: 'upload-42',
        });

        expect(second).toEqual(first);
        expect(second.payload).toBe(1);
        expect(otherType.id).not.toBe(first.id);
        expect((await engine.listJobs()).jobs).toHaveLength(2);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'creates one job for concurrent submits with one key',
      async () => {
        const [left, right] = await Promise.all([context.engine(), context.engine()]);
        const submitted = await Promise.all(
          Array.from({ length: 10 }, async (_, index) =>
            (index % 2 === 0 ? left : right).submit({
              type: 'ETL',
              payload: index,
              idempotencyKey: 'same',
            }),
          ),
        );

        expect(new Set(submitted.map((job) => job.id)).size).toBe(1);
        expect((await left.listJobs()).jobs).toHaveLength(1);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'submitMany returns the jobs in request order',
      async () => {
        const engine = await context.engine();
        const jobs = await engine.submitMany([
          { type: 'ETL', payload: 'a' },
          { type: 'ALERT', payload: 'b' },
          { type: 'ETL', payload: 'c', idempotencyKey: 'c' },
          { type: 'ETL', payload: 'd', idempotencyKey: 'c' },
        ]);

        expect(jobs.map((job) => job.payload)).toEqual(['a', 'b', 'c', 'c']);
        expect(jobs[3].id).toBe(jobs[2].id);
        expect(jobs[1].id > jobs[0].id).toBe(true);

        for (const job of jobs) {
          await expect(engine.getJob(job.id)).resolves.toEqual(job);
        }

        await expectJobsError(
          engine.submitMany([{ type: 'ETL' }, { type: 'BAD' as 'ETL' }]),
          'INVALID_ARGUMENT',
        );
        expect((await engine.listJobs()).jobs).toHaveLength(3);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'getJob returns null for an unknown id and rejects a malformed one',
      async () => {
        const engine = await context.engine();

        await expect(engine.getJob('01890a5d-ac96-774b-bcce-b302099a8057')).resolves.toBeNull();
        await expectJobsError(engine.getJob('42'), 'INVALID_ARGUMENT');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects calls after close',
      async () => {
        const engine = await context.engine();

        await engine.close();
        await expectJobsError(engine.submit({ type: 'ETL' }), 'ENGINE_CLOSED');
        await expectJobsError(async () => engine.listJobs(), 'ENGINE_CLOSED');
      },
      TEST_TIMEOUT_MS,
    );
  });
}
