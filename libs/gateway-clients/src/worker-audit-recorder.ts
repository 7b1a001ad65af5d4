import { Injectable, type OnModuleDestroy } from '@nestjs/common';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { MeshClient, ServiceContext } from '@rokks/service-kit';

import { AuditRecorder } from './audit-recorder';
import { ServiceDirectory } from './service-directory';
import { type AuditRecordRequest, WORKER_SERVICE, WorkerClient } from './worker-client';

/**
 * Nest provider that sends a service's audit entries to the worker's audit
 * log over the mesh, to a worker instance the registry lists. `record` does
 * not wait for the worker (see `AuditRecorder` for retries and failures).
 */
@Injectable()
export class WorkerAuditRecorder implements OnModuleDestroy {
  private readonly directory: ServiceDirectory;
  private readonly recorder: AuditRecorder;

  constructor(context: ServiceContext, mesh: MeshClient, @InjectPinoLogger('AuditRecorder') logger: PinoLogger) {
    this.directory = new ServiceDirectory({ registry: context.registry, peers: context.identity.peers, logger: context.logger });
    this.directory.start();

    const worker = new WorkerClient({ fetch: (url, init) => mesh.fetch(url, init), baseUrl: this.directory.resolver(WORKER_SERVICE) });

    this.recorder = new AuditRecorder(worker, logger);
  }

  record(entry: AuditRecordRequest): void {
    this.recorder.record(entry);
  }

  /** Resolves to true once the worker stored the entry, false when it was given up (see `AuditRecorder.recordAndConfirm`). */
  recordAndConfirm(entry: AuditRecordRequest): Promise<boolean> {
    return this.recorder.recordAndConfirm(entry);
  }

  async onModuleDestroy(): Promise<void> {
    await this.recorder.close();
    this.directory.stop();
  }
}
