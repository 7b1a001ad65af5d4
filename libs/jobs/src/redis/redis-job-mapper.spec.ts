import { CANCELLED_BEFORE_START_MESSAGE } from '../jobs.errors';
import { type QueuePlacement, statusOf, toJob } from './redis-job-mapper';

const nowhere: QueuePlacement = {
  completed: false,
  failed: false,
  delayedScore: null,
  prioritized: false,
  active: false,
};

const data = JSON.stringify({
  payload: { file: 'a.csv' },
  maxAttempts: 3,
  backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 },
  idempotencyKey: 'upload-1',
  priority: 2,
  runAt: Date.UTC(2030, 0, 1),
});

describe('statusOf', () => {
  it('maps BullMQ placements to job statuses', () => {
    expect(statusOf(nowhere, false)).toBe('queued');
    expect(statusOf({ ...nowhere, prioritized: true }, false)).toBe('queued');
    expect(statusOf({ ...nowhere, delayedScore: 1 }, false)).toBe('queued');
    expect(statusOf({ ...nowhere, active: true }, true)).toBe('running');
    expect(statusOf({ ...nowhere, completed: true }, true)).toBe('succeeded');
    expect(statusOf({ ...nowhere, failed: true }, false)).toBe('failed');
    expect(statusOf({ ...nowhere, failed: true }, true)).toBe('cancelled');
  });
});

describe('toJob', () => {
  const created = Date.UTC(2030, 0, 1);

  it('returns null when the hash does not exist', () => {
    expect(
      toJob('ETL', 'id', [null, null, null, null, null, null, null, null, null], nowhere),
    ).toBeNull();
  });

  it('reads a cancelled job', () => {
    const cancelledAt = String(created + 500);
    const job = toJob(
      'ETL',
      'id',
      [
        data,
        String(created),
        null,
        cancelledAt,
        null,
        CANCELLED_BEFORE_START_MESSAGE,
        null,
        '0',
        cancelledAt,
      ],
      { ...nowhere, failed: true },
    );

    expect(job).toMatchObject({
      status: 'cancelled',
      attempts: 0,
      priority: 2,
      payload: { file: 'a.csv' },
      idempotencyKey: 'upload-1',
      error: CANCELLED_BEFORE_START_MESSAGE,
      finishedAt: new Date(created + 500).toISOString(),
      cancelRequestedAt: new Date(created + 500).toISOString(),
      progress: { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 },
    });
  });

  it('takes runAt of a delayed job from its delayed score', () => {
    const due = created + 90_000;
    const job = toJob(
      'ETL',
      'id',
      [
        data,
        String(created),
        String(created + 10),
        null,
        null,
        'boom',
        '{"rowsRead":7}',
        '1',
        null,
      ],
      { ...nowhere, delayedScore: due * 0x1000 + 17 },
    );

    expect(job).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'boom',
      runAt: new Date(due).toISOString(),
      finishedAt: null,
      progress: { rowsRead: 7, rowsLoaded: 0, rowsRejected: 0 },
    });
  });

  it('keeps the result of a succeeded job only', () => {
    const values = [
      data,
      String(created),
      null,
      String(created + 20),
      '{"rows":3}',
      'old error',
      null,
      '2',
      null,
    ];

    expect(toJob('ETL', 'id', values, { ...nowhere, completed: true })).toMatchObject({
      result: { rows: 3 },
      error: null,
    });
    expect(toJob('ETL', 'id', values, { ...nowhere, active: true })).toMatchObject({
      result: null,
      error: 'old error',
      finishedAt: null,
    });
  });
});
