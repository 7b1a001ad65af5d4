import { type JobType } from '../job.types';

/** Job hash field of the time (ms) of the first cancel request; BullMQ ignores fields it does not know. */
export const CANCEL_FIELD = 'rokksCancelAt';

/**
 * Redis key names. Each job type is one BullMQ queue named after the type,
 * so its keys are `<prefix>:<type>:…` in BullMQ's layout; the keys this
 * library adds sit under `<prefix>:<type>:rokks:…` (BullMQ rejects job ids
 * of that shape, so they cannot collide with a job's keys).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  job(type: JobType, id: string): string {
    return `${this.prefix}:${type}:${id}`;
  }

  logs(type: JobType, id: string): string {
    return `${this.job(type, id)}:logs`;
  }

  /** A BullMQ set or list of the queue: wait, paused, prioritized, delayed, active, completed, failed, events. */
  queueKey(type: JobType, name: string): string {
    return `${this.prefix}:${type}:${name}`;
  }

  /** Sorted set of every stored job id of the type, all with score 0, so ZRANGE BYLEX pages in id order. */
  index(type: JobType): string {
    return `${this.prefix}:${type}:rokks:ids`;
  }

  idempotency(type: JobType, key: string): string {
    return `${this.prefix}:${type}:rokks:idempotency:${key}`;
  }

  /** Pub/sub channel of one job's events. */
  eventChannel(id: string): string {
    return `${this.prefix}:rokks:events:${id}`;
  }

  /** Pub/sub channel on which cancel requests of running jobs reach every engine. */
  cancelChannel(): string {
    return `${this.prefix}:rokks:cancel`;
  }
}
