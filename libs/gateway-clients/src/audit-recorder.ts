import { setTimeout as sleep } from 'node:timers/promises';

import { GatewayError } from './gateway-error';
import { type AuditRecordRequest, type WorkerClient } from './worker-client';

/** Waits before each retry of a failed call, in milliseconds; the entry is dropped after the last. */
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

  constructor(
    private readonly worker: WorkerClient,
    private readonly logger: AuditWarningLogger,
  ) {}

  /** Starts appending the entry and returns at once. */
  record(entry: AuditRecordRequest): void {
    const call = this.send(entry);

    this.pending.add(call);
    void call.finally(() => this.pending.delete(call));
  }

  /** Resolves when every entry started so far was recorded or given up, so a clean shutdown does not drop them. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async send(entry: AuditRecordRequest): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.worker.recordAudit(entry);

        return;
      } catch (error) {
        const retryable = error instanceof GatewayError && error.retryable;

        if (!retryable || attempt >= RETRY_DELAYS_MS.length) {
          // NOTE: the audit log misses this entry. Only this warning line keeps its actor, action and target.
          this.logger.warn(
            { err: error, actor: entry.actor, action: entry.action, target: entry.target, attempts: attempt + 1 },
            AUDIT_RECORD_FAILED_MESSAGE,
          );

          return;
        }

        await sleep(RETRY_DELAYS_MS[attempt]);
      }
    }
  }
}
