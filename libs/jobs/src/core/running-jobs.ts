import { setTimeout as sleep } from 'node:timers/promises';

import { type JobType } from '../job.types';
import { type JobExecution } from './job-execution';

/** The state an engine keeps for one attempt that it runs. */
export interface RunningJob {
  type: JobType;
  execution: JobExecution;
  /** Settles once the engine has recorded the attempt's outcome (or given up on it). */
  done: Promise<void>;
  /** Set when the attempt lost its lease or was released, so its outcome must not be recorded. */
  detached: boolean;
}

/** The attempts an engine is running, by job id. */
export class RunningJobs<T extends RunningJob> {
  private readonly entries = new Map<string, T>();

  add(id: string, entry: T): void {
    this.entries.set(id, entry);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  get(id: string): T | undefined {
    return this.entries.get(id);
  }

  list(): [string, T][] {
    return [...this.entries];
  }

  get size(): number {
    return this.entries.size;
  }

  countOfType(type: JobType): number {
    let count = 0;

    for (const entry of this.entries.values()) {
      count += entry.type === type ? 1 : 0;
    }

    return count;
  }

  /** Waits until every attempt has settled or `timeoutMs` passed; returns true when none is left. */
  async waitUntilIdle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;

    while (this.entries.size > 0) {
      const remaining = deadline - Date.now();

      if (remaining <= 0) {
        return false;
      }

      const controller = new AbortController();
      const timeout = sleep(remaining, undefined, { signal: controller.signal }).catch(
        () => undefined,
      );

      await Promise.race([
        Promise.allSettled([...this.entries.values()].map((entry) => entry.done)),
        timeout,
      ]);
      controller.abort();
    }

    return true;
  }
}
