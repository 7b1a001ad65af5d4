/** @jest-environment jsdom */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { act, cleanup, render, screen } from '@testing-library/react';

import { session } from '../api/session';
import { JobLog } from './JobPage';

const JOB_ID = 'job_0123456789abcdef0123456789abcdef';

/** Serves a log of `total` lines from a stubbed fetch and records each requested offset. */
function serveLog(total: number): { offsets: number[] } {
  const offsets: number[] = [];

  globalThis.fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://127.0.0.1');
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    const count = Math.max(0, Math.min(limit, total - offset));

    offsets.push(offset);

    const body = {
      lines: Array.from({ length: count }, (_, index) => ({
        at: '2026-01-01T00:00:00.000Z',
        attempt: 1,
        message: `line ${offset + index}`,
      })),
      total,
    };

    // jsdom has no Response, so this object has only the fields that the client reads.
    return { ok: true, status: 200, json: async () => body } as unknown as Response;
  }) as typeof fetch;

  return { offsets };
}

/** Runs timers, and the fetches they start, for `ms` of fake time. */
async function advance(ms: number): Promise<void> {
  for (let step = 0; step < ms; step += 100) {
    await act(async () => {
      await jest.advanceTimersByTimeAsync(100);
    });
  }
}

const realFetch = globalThis.fetch;

beforeEach(() => {
  jest.useFakeTimers();
  jest.spyOn(session, 'token').mockResolvedValue('token');
});

afterEach(() => {
  cleanup();
  jest.useRealTimers();
  jest.restoreAllMocks();
  globalThis.fetch = realFetch;
});

describe('JobLog', () => {
  it('stops after a short page when finished', async () => {
    const { offsets } = serveLog(3);

    render(<JobLog jobId={JOB_ID} finished />);
    await advance(10_000);

    expect(screen.getByText(/line 2/)).toBeTruthy();
    // The first read, and at most one more once the job is known to have ended.
    expect(offsets.length).toBeLessThanOrEqual(2);
    expect(offsets[0]).toBe(0);
  });

  it('polls at the interval while running', async () => {
    const { offsets } = serveLog(3);

    render(<JobLog jobId={JOB_ID} finished={false} />);
    await advance(10_000);

    // One read at once, then one every 2 s.
    expect(offsets.length).toBeGreaterThanOrEqual(4);
    expect(offsets.length).toBeLessThanOrEqual(6);
    expect(offsets.slice(1).every((offset) => offset === 3)).toBe(true);
  });

  it('reads on after a full page', async () => {
    const { offsets } = serveLog(500);

    render(<JobLog jobId={JOB_ID} finished />);
    await advance(1_000);

    expect(offsets).toEqual([0, 500]);
  });
});
