import { type JobType } from '../job.types';

/** Job hash field of the time (ms) of the first cancel request; BullMQ ignores fields it does not know. */
export const CANCEL_FIELD = 'rokksCancelAt';

/**
 * Redis key names. Each job type is one BullMQ queue named after the type,
 * so its keys are `<prefix>:<type>:…` in BullMQ's layout. The keys this
 * library adds are under `<prefix>:<type>:rokks:…`. Job ids are UUIDs, so
 * these names cannot collide with the keys of a job.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  job(type: JobType, id: string): string {
    return `${this.prefix}:${type}:${id}`;
  }

  logs(type: JobType, id: string): string {
    return `${this.job(type, id)}:logs`;
  }

  /** Returns the key of a BullMQ set or list of the queue: wait, paused, prioritized, delayed, active, completed, failed, events. */
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
