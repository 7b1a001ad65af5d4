import { isJobsError } from '../jobs.errors';
import { normalizeListQuery, normalizeLogQuery, normalizeSubmit } from './request.util';

const defaults = {
  maxAttempts: 3,
  backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 },
};
const NOW = Date.UTC(2030, 0, 1);

function codeOf(call: () => unknown): string {
  try {
    call();

    return 'accepted';
  } catch (error) {
    return isJobsError(error) ? error.code : String(error);
  }
}

describe('normalizeSubmit', () => {
  it('applies the defaults', () => {
    expect(normalizeSubmit({ type: 'ETL' }, defaults, NOW)).toEqual({
      type: 'ETL',
      payload: null,
      payloadJson: 'null',
      priority: 0,
      idempotencyKey: null,
      runAt: NOW,
      maxAttempts: 3,
      backoff: defaults.backoff,
    });
  });

  it('merges a partial backoff with the defaults', () => {
    expect(normalizeSubmit({ type: 'ETL', backoff: { jitter: 0 } }, defaults, NOW).backoff).toEqual(
      {
        initialDelayMs: 1000,
        maxDelayMs: 60_000,
        jitter: 0,
      },
    );
  });

  it('moves a runAt in the past to now', () => {
    expect(normalizeSubmit({ type: 'ETL', runAt: new Date(NOW - 5000) }, defaults, NOW).runAt).toBe(
      NOW,
    );
    expect(normalizeSubmit({ type: 'ETL', runAt: new Date(NOW + 5000) }, defaults, NOW).runAt).toBe(
      NOW + 5000,
    );
  });

  it('rejects requests that are not objects', () => {
    expect(codeOf(() => normalizeSubmit(null as never, defaults, NOW))).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(() => normalizeSubmit({ type: 'ETL', runAt: '2030-01-01' as never }, defaults, NOW)),
    ).toBe('INVALID_ARGUMENT');
  });
});

describe('normalizeListQuery', () => {
  it('applies the defaults', () => {
    expect(normalizeListQuery()).toEqual({ status: null, type: null, limit: 50, afterId: null });
  });

  it('treats an empty cursor as none', () => {
    expect(normalizeListQuery({ cursor: '' }).afterId).toBeNull();
  });

  it('accepts the id of a job as cursor', () => {
    const id = '01890a5d-ac96-774b-bcce-b302099a8057';

    expect(normalizeListQuery({ cursor: id, status: 'failed', type: 'ALERT', limit: 500 })).toEqual(
      {
        status: 'failed',
        type: 'ALERT',
        limit: 500,
        afterId: id,
      },
    );
  });
});

describe('normalizeLogQuery', () => {
  it('applies the defaults and checks the bounds', () => {
    expect(normalizeLogQuery()).toEqual({ offset: 0, limit: 100 });
    expect(codeOf(() => normalizeLogQuery({ offset: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => normalizeLogQuery({ limit: 1001 }))).toBe('INVALID_ARGUMENT');
  });
});
