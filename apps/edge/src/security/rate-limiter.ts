/** Outcome of taking one request from a bucket. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

// Buckets idle this long are full again and can be dropped.
const IDLE_BUCKET_MS = 10 * 60 * 1000;
// Above this many buckets, idle ones are swept on the next request.
const SWEEP_THRESHOLD = 10_000;

/**
 * Token buckets in memory, one per key (a user id or a client address):
 * `burst` requests at once, refilled at `perMinute` per minute. Counts are
 * per edge process, so N edges allow N times the rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  take(key: string, perMinute: number, burst: number, now = Date.now()): RateDecision {
    const refillPerMs = perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    const tokens = Math.min(burst, bucket.tokens + (now - bucket.updatedAt) * refillPerMs);

    if (this.buckets.size > SWEEP_THRESHOLD) {
      this.sweep(now);
    }

    if (tokens < 1) {
      this.buckets.set(key, { tokens, updatedAt: now });

      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)),
      };
    }

    this.buckets.set(key, { tokens: tokens - 1, updatedAt: now });

    return { allowed: true };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt > IDLE_BUCKET_MS) {
        this.buckets.delete(key);
      }
    }
  }
}
