import { SqlEngineError } from '../errors/sql-engine.exception';

interface UserSlots {
  running: number;
  waiting: (() => void)[];
}

/**
 * A semaphore per user: at most `maxConcurrent` tasks of one user run at once
 * and at most `maxQueued` wait, so one user's slow queries cannot take every
 * pooled connection. Users do not wait for each other here.
 */
export class ConcurrencyLimiter {
  private readonly users = new Map<string, UserSlots>();

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueued: number,
  ) {}

  /** Runs `task` when the user has a free slot; throws TOO_MANY_QUERIES when the queue is full. */
  async run<T>(userId: string, task: () => Promise<T>): Promise<T> {
    const slots = this.users.get(userId) ?? { running: 0, waiting: [] };

    this.users.set(userId, slots);

    if (slots.running >= this.maxConcurrent) {
      if (slots.waiting.length >= this.maxQueued) {
        throw new SqlEngineError(
          'TOO_MANY_QUERIES',
          `user ${userId} already has ${slots.running} queries running and ${slots.waiting.length} waiting: retry when one finishes`,
        );
      }

      await new Promise<void>((resolve) => slots.waiting.push(resolve));
    } else {
      slots.running += 1;
    }

    try {
      return await task();
    } finally {
      this.release(userId, slots);
    }
  }

  /** Tasks of `userId` running now. */
  runningCount(userId: string): number {
    return this.users.get(userId)?.running ?? 0;
  }

  private release(userId: string, slots: UserSlots): void {
    const next = slots.waiting.shift();

    if (next !== undefined) {
      // The slot passes straight to the next waiting task, so `running` stays the same.
      next();

      return;
    }

    slots.running -= 1;

    if (slots.running === 0) {
      this.users.delete(userId);
    }
  }
}
