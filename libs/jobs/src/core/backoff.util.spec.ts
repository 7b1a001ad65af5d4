import { computeBackoffDelay } from './backoff.util';

const policy = { initialDelayMs: 1000, maxDelayMs: 10_000, jitter: 0.2 };

describe('computeBackoffDelay', () => {
  it('doubles the delay per failed attempt up to the maximum', () => {
    const noJitter = { ...policy, jitter: 0 };

    expect([1, 2, 3, 4, 5, 6].map((failed) => computeBackoffDelay(failed, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('treats zero failed attempts like one', () => {
    expect(computeBackoffDelay(0, { ...policy, jitter: 0 })).toBe(1000);
  });

  it('keeps jittered delays between d·(1 − jitter) and d', () => {
    expect(computeBackoffDelay(3, policy, () => 0)).toBe(4000);
    expect(computeBackoffDelay(3, policy, () => 1)).toBe(3200);
    expect(computeBackoffDelay(3, policy, () => 0.5)).toBe(3600);

    for (let sample = 0; sample < 1000; sample += 1) {
      const delay = computeBackoffDelay(2, policy);

      expect(delay).toBeGreaterThanOrEqual(1600);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it('stays at the maximum for very many attempts', () => {
    expect(computeBackoffDelay(5000, { ...policy, jitter: 0 })).toBe(10_000);
  });
});
