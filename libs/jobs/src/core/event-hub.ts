import { type Logger } from 'pino';

import { type JobEvent, type JobEventListener } from '../job.types';

/** Fans job events out to the listeners of each job id, in this process. */
export class EventHub {
  private readonly listeners = new Map<string, Set<JobEventListener>>();

  constructor(private readonly logger: Logger) {}

  /** Adds a listener; returns true when it is the first one for the job. */
  add(jobId: string, listener: JobEventListener): boolean {
    let set = this.listeners.get(jobId);
    const first = set === undefined;

    if (set === undefined) {
      set = new Set();
      this.listeners.set(jobId, set);
    }

    set.add(listener);

    return first;
  }

  /** Removes a listener; returns true when it was the last one for the job. */
  remove(jobId: string, listener: JobEventListener): boolean {
    const set = this.listeners.get(jobId);

    if (set === undefined || !set.delete(listener)) {
      return false;
    }

    if (set.size === 0) {
      this.listeners.delete(jobId);

      return true;
    }

    return false;
  }

  has(jobId: string): boolean {
    return this.listeners.has(jobId);
  }

  jobIds(): string[] {
    return [...this.listeners.keys()];
  }

  /** Calls every listener of the event's job; a throwing listener is logged and does not stop the others. */
  emit(event: JobEvent): void {
    for (const listener of this.listeners.get(event.jobId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error, jobId: event.jobId }, 'job event listener failed');
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
