import { type HandlerOptions, type JobHandler, type JobType } from '../job.types';
import { JobsError } from '../jobs.errors';
import { validateJobType } from './request.util';

export const MAX_HANDLER_CONCURRENCY = 1000;

export interface RegisteredHandler {
  type: JobType;
  handler: JobHandler;
  concurrency: number;
}

/** The handlers of one engine, at most one per job type. */
export class HandlerRegistry {
  private readonly handlers = new Map<JobType, RegisteredHandler>();

  /** Adds a handler; throws `INVALID_ARGUMENT` for an unknown type, a second handler or a bad concurrency. */
  register(type: JobType, handler: JobHandler, options: HandlerOptions = {}): RegisteredHandler {
    const checkedType = validateJobType(type);

    if (typeof handler !== 'function') {
      throw new JobsError(
        'INVALID_ARGUMENT',
        `Invalid handler for ${checkedType}: expected a function.`,
      );
    }

    if (this.handlers.has(checkedType)) {
      throw new JobsError(
        'INVALID_ARGUMENT',
        `A handler for ${checkedType} is already registered.`,
      );
    }

    const concurrency = options.concurrency ?? 1;

    if (
      !Number.isSafeInteger(concurrency) ||
      concurrency < 1 ||
      concurrency > MAX_HANDLER_CONCURRENCY
    ) {
      throw new JobsError(
        'INVALID_ARGUMENT',
        `Invalid concurrency ${String(concurrency)} for ${checkedType}: expected an integer from 1 to ${MAX_HANDLER_CONCURRENCY}.`,
      );
    }

    const registered = { type: checkedType, handler, concurrency };

    this.handlers.set(checkedType, registered);

    return registered;
  }

  get(type: JobType): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  all(): RegisteredHandler[] {
    return [...this.handlers.values()];
  }
}
