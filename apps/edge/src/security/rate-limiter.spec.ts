import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows the burst, then refills at the rate', () => {
    const limiter = new RateLimiter();
    const start = 1_000_000;
    const decisions = Array.from({ length: 4 }, () => limiter.take('user:a', 60, 3, start));

    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('user:a', 60, 3, start + 1000).allowed).toBe(true);
    expect(limiter.take('user:a', 60, 3, start + 1000).allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter();

    expect(limiter.take('user:a', 1, 1, 0).allowed).toBe(true);
    expect(limiter.take('user:a', 1, 1, 0).allowed).toBe(false);
    expect(limiter.take('user:b', 1, 1, 0).allowed).toBe(true);
  });

  it('computes the wait from the rate', () => {
    const limiter = new RateLimiter();

    limiter.take('k', 6, 1, 0);

    expect(limiter.take('k', 6, 1, 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });
});
