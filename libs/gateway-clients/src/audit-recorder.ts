import { setTimeout as sleep } from 'node:timers/promises';

import { GatewayError } from './gateway-error';
import { type AuditRecordRequest, type WorkerClient } from './worker-client';

/** Delays before each retry of a failed call, in milliseconds; the entry is dropped after the last. */
const RETRY_DELAYS_MS = [500, 2000, 5000];

/** The logger call the recorder makes; a pino `Logger` and Nest's `PinoLogger` fit. */
export interface AuditWarningLogger {
  warn(fields: object, message: string): void;
}

/** Message of the warning logged when an entry could not be recorded. */
export const AUDIT_RECORD_FAILED_MESSAGE = 'recording the audit entry in the worker failed';

/**
 * Sends audit entries to the worker's audit log in the background, for
 * services that must not fail or slow a user's request when the worker is
 * down. Errors marked retryable (no instance registered yet, connection
 * refused, 5xx) are retried three times. A call that still fails logs one
 * warning with the actor, action and target, and the entry is dropped.
 */
export class AuditRecorder {
  private readonly pending = new Set<Promise<void>>();
  /** Aborted by `close`, which cancels the waits between retries. */
  private readonly closing = new AbortController();

  constructor(
    private readonly worker: WorkerClient,
    private readonly logger: AuditWarningLogger,
  ) {}

  /** Starts appending the entry and returns at once. */
  record(entry: AuditRecordRequest): void {
    void this.recordAndConfirm(entry);
  }

  /**
   * Appends the entry with the retries of `record`, and resolves to true once
   * the worker stored it, or to false when it was given up (the warning is
   * logged as for `record`). For a caller that keeps the entry and tries
   * again later. Never rejects.
   */
  recordAndConfirm(entry: AuditRecordRequest): Promise<boolean> {
    const call = this.send(entry);
    const settled = call.then(() => undefined);

    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));

    return call;
  }

  /**
   * Stops retrying and resolves when every entry has been sent or given up,
   * for a clean shutdown. An entry waiting for a retry gets one last call at
   * once, so shutdown does not wait out the retry delays.
   */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.pending]);
  }

  private async send(entry: AuditRecordRequest): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.worker.recordAudit(entry);

        return true;
      } catch (error) {
        const retryable = error instanceof GatewayError && error.retryable;

        if (!retryable || attempt >= RETRY_DELAYS_MS.length || this.closing.signal.aborted) {
          // NOTE: the audit log misses this entry. Only this warning line keeps its actor, action and target.
          this.logger.warn(
            { err: error, actor: entry.actor, action: entry.action, target: entry.target, attempts: attempt + 1 },
            AUDIT_RECORD_FAILED_MESSAGE,
          );

          return false;
        }

        // `close` during the wait ends it early, and the next attempt is the last.
        await sleep(RETRY_DELAYS_MS[attempt], undefined, { signal: this.closing.signal }).catch(() => undefined);
      }
    }
  }
}
