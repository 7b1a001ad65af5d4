import { type ProbeOutcome } from '../probes/probe-outcome';
import { ServiceHealthStore } from './service-health.store';

const START = new Date('2026-01-01T00:00:00.000Z');

function up(url: string, latencyMs: number): ProbeOutcome {
  return { url, status: 'up', latencyMs, checkedAt: START.toISOString() };
}

function down(url: string, error: string): ProbeOutcome {
  return { url, status: 'down', latencyMs: 5, error, checkedAt: START.toISOString() };
}

describe('ServiceHealthStore', () => {
  it('starts expected services as unknown', () => {
    const store = new ServiceHealthStore(['registry', 'auth'], 5, 1000, START);
    const report = store.report();

    expect(report.status).toBe('degraded');
    expect(report.checkedAt).toBeNull();
    expect(report.counts).toEqual({ up: 0, down: 0, unknown: 2 });
    expect(report.services.map((view) => [view.service, view.status, view.since])).toEqual([
      ['registry', 'unknown', START.toISOString()],
      ['auth', 'unknown', START.toISOString()],
    ]);
  });

  it('reports up once every expected service is up', () => {
    const store = new ServiceHealthStore(['registry', 'auth'], 5, 1000, START);

    store.recordProbes('registry', [up('https://127.0.0.1:4000', 3)], 't1');
    store.recordProbes('auth', [up('https://127.0.0.1:4001', 4)], 't1');
    store.finishRound('t1');

    const report = store.report();

    expect(report.status).toBe('up');
    expect(report.checkedAt).toBe('t1');
    expect(report.counts).toEqual({ up: 2, down: 0, unknown: 0 });
  });

  it('returns status changes and keeps since', () => {
    const store = new ServiceHealthStore(['auth'], 5, 1000, START);

    expect(store.recordProbes('auth', [up('a', 1)], 't1')).toEqual({
      service: 'auth',
      previous: 'unknown',
      current: 'up',
      error: null,
    });
    expect(store.recordProbes('auth', [up('a', 2)], 't2')).toBeUndefined();
    expect(store.detail('auth')?.since).toBe('t1');
    expect(store.recordProbes('auth', [down('a', 'HTTP 503')], 't3')).toEqual({
      service: 'auth',
      previous: 'up',
      current: 'down',
      error: 'HTTP 503',
    });
    expect(store.detail('auth')?.since).toBe('t3');
  });

  it('keeps the last error after recovery', () => {
    const store = new ServiceHealthStore(['auth'], 5, 1000, START);

    store.recordProbes('auth', [down('a', 'timed out after 2000 ms')], 't1');
    store.recordProbes('auth', [up('a', 2)], 't2');

    const view = store.detail('auth');

    expect(view?.status).toBe('up');
    expect(view?.lastError).toBe('timed out after 2000 ms');
    expect(view?.lastErrorAt).toBe('t1');
    expect(view?.latencyMs).toBe(2);
  });

  it('bounds the history', () => {
    const store = new ServiceHealthStore(['auth'], 3, 1000, START);

    for (let round = 1; round <= 5; round += 1) {
      store.recordProbes('auth', [up('a', round)], `t${round}`);
    }

    expect(store.detail('auth')?.history.map((entry) => entry.at)).toEqual(['t3', 't4', 't5']);
  });

  it('counts a service up when one instance is up', () => {
    const store = new ServiceHealthStore(['worker'], 5, 1000, START);

    store.recordProbes(
      'worker',
      [down('https://a', 'HTTP 503'), up('https://b', 9), up('https://c', 4)],
      't1',
    );

    const view = store.detail('worker');

    expect(view?.status).toBe('up');
    expect(view?.latencyMs).toBe(4);
    expect(view?.lastError).toBe('https://a: HTTP 503');
    expect(view?.instances).toHaveLength(3);
  });

  it('tells whether expected services are unknown', () => {
    const store = new ServiceHealthStore(['registry', 'auth'], 5, 1000, START);

    store.recordProbes('registry', [up('r', 1)], 't1');
    store.recordProbes('extra', [up('x', 1)], 't1');
    expect(store.hasUnknownExpected()).toBe(true);
    store.recordProbes('auth', [down('a', 'refused')], 't1');
    expect(store.hasUnknownExpected()).toBe(false);
  });

  it('marks a vanished service down', () => {
    const store = new ServiceHealthStore(['auth'], 5, 1000, START);

    expect(store.wasSeen('auth')).toBe(false);
    store.recordProbes('auth', [up('a', 1)], 't1');
    expect(store.wasSeen('auth')).toBe(true);

    const change = store.recordMissing('auth', 't2');

    expect(change?.current).toBe('down');
    expect(store.detail('auth')?.lastError).toMatch(/no live instance/);
    expect(store.detail('auth')?.instances).toEqual([]);
  });

  it('lists unexpected services after the expected ones', () => {
    const store = new ServiceHealthStore(['registry', 'auth'], 5, 1000, START);

    store.recordProbes('zeta', [up('z', 1)], 't1');
    store.recordProbes('alpha', [down('x', 'refused')], 't1');

    const report = store.report();

    expect(report.services.map((view) => [view.service, view.expected])).toEqual([
      ['registry', true],
      ['auth', true],
      ['alpha', false],
      ['zeta', false],
    ]);
    expect(store.detail('nope')).toBeUndefined();
  });

  it('ignores unexpected services in the overall status', () => {
    const store = new ServiceHealthStore(['auth'], 5, 1000, START);

    store.recordProbes('auth', [up('a', 1)], 't1');
    store.recordProbes('extra', [down('x', 'refused')], 't1');

    expect(store.report().status).toBe('up');
    expect(store.report().counts).toEqual({ up: 1, down: 1, unknown: 0 });
  });
});
