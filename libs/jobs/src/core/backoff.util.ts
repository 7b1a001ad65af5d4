import { type BackoffPolicy } from '../job.types';

/**
 * Computes the delay in ms before the next attempt after `failedAttempts`
 * failures (at least 1): `initialDelayMs · 2^(failedAttempts − 1)`, capped at
 * `maxDelayMs`, then reduced by a random share of up to `jitter` so that jobs
 * which failed together do not all retry at the same moment.
 */
export function computeBackoffDelay(
  failedAttempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);

  return Math.round(delay * (1 - policy.jitter * random()));
}
