import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable, type OnModuleDestroy } from '@nestjs/common';

import { type AuditRecordRequest, GatewayError, ServiceDirectory, WORKER_SERVICE, WorkerClient } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { MeshClient, ServiceContext } from '@rokks/service-kit';

/** Waits before each retry of a failed call, in milliseconds; the entry is dropped after the last. */
const RETRY_DELAYS_MS = [500, 2000, 5000];

/**
 * Sends audit entries to the worker's audit log over the mesh, to a worker
 * instance the registry lists. `record` does not wait for the worker, and a
 * call that still fails after the retries only logs a warning, so a worker
 * that is down never fails or slows the user's request.
 */
@Injectable()
export class AuditRecorder implements OnModuleDestroy {
  private readonly directory: ServiceDirectory;
  private readonly worker: WorkerClient;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    context: ServiceContext,
    mesh: MeshClient,
    @InjectPinoLogger('AuditRecorder') private readonly logger: PinoLogger,
  ) {
    this.directory = new ServiceDirectory({ registry: context.registry, peers: context.identity.peers, logger: context.logger });
    this.directory.start();
    this.worker = new WorkerClient({
      fetch: (url, init) => mesh.fetch(url, init),
      baseUrl: this.directory.resolver(WORKER_SERVICE),
    });
  }

  /** Starts appending the entry and returns at once; a final failure is logged with the actor, action and target. */
  record(entry: AuditRecordRequest): void {
    const call = this.send(entry);

    this.pending.add(call);
    void call.finally(() => this.pending.delete(call));
  }

  /**
   * Sends the entry, retrying errors marked retryable (no instance
   * registered yet, connection refused, 5xx).
   */
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
            'recording the audit entry in the worker failed',
          );

          return;
        }

        await sleep(RETRY_DELAYS_MS[attempt]);
      }
    }
  }

  /** Waits for the entries still being sent, so a clean shutdown does not drop them. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.pending]);
    this.directory.stop();
  }
}
