import { describe, expect, it } from '@jest/globals';

import type { Job } from '../api/types';
import { applyEvent } from './use-job';

const job: Job = {
  id: 'job_0123456789abcdef0123456789abcdef',
  type: 'load',
  status: 'succeeded',
  attempts: 1,
  progress: { rowsRead: 3, rowsLoaded: 3, rowsRejected: 0 },
  result: null,
  error: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  startedAt: '2026-01-01T10:00:01.000Z',
  finishedAt: '2026-01-01T10:00:05.000Z',
};

describe('applyEvent', () => {
  it('dates a finished job snapshot by its end', () => {
    const applied = applyEvent(null, 'job', JSON.stringify(job));

    expect(applied?.entry.at).toBe('2026-01-01T10:00:05.000Z');
  });

  it('dates a running job snapshot by its start', () => {
    const running = { ...job, status: 'running', finishedAt: null };
    const applied = applyEvent(null, 'job', JSON.stringify(running));

    expect(applied?.entry.at).toBe('2026-01-01T10:00:01.000Z');
  });

  it('dates a queued job snapshot by its creation', () => {
    const queued = { ...job, status: 'queued', startedAt: null, finishedAt: null };
    const applied = applyEvent(null, 'job', JSON.stringify(queued));

    expect(applied?.entry.at).toBe('2026-01-01T10:00:00.000Z');
  });

  it('keeps the server time of a status event', () => {
    const data = { status: 'running', attempts: 1, error: null, at: '2026-01-01T10:00:01.500Z' };
    const applied = applyEvent(job, 'status', JSON.stringify(data));

    expect(applied?.entry.at).toBe('2026-01-01T10:00:01.500Z');
  });
});
