import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';

import {
  DOC_GATEWAY_SERVICE,
  DocGatewayClient,
  type GatewayConnection,
  SQL_GATEWAY_SERVICE,
  ServiceDirectory,
  SqlGatewayClient,
} from '@rokks/gateway-clients';
import { MeshClient, ServiceContext } from '@rokks/service-kit';

import { AuditLog } from '../audit/audit-log';
import { JobHandlerRegistry } from '../jobs/job-handler-registry';
import { type WorkerSettings } from '../worker.settings';
import { runEtlJob } from './etl-job.handler';

/** Registers the `ETL` job handler, with clients of the doc and SQL gateways found through the registry. */
@Injectable()
export class EtlJobRegistration implements OnModuleInit, OnModuleDestroy {
  private readonly directory: ServiceDirectory;

  constructor(
    private readonly context: ServiceContext<WorkerSettings>,
    private readonly mesh: MeshClient,
    private readonly handlers: JobHandlerRegistry,
    private readonly audit: AuditLog,
  ) {
    this.directory = new ServiceDirectory({
      registry: context.registry,
      peers: context.identity.peers,
      refreshIntervalMs: context.settings.serviceDiscoveryIntervalMs,
      logger: context.logger.child({ component: 'ServiceDirectory' }),
    });
  }

  onModuleInit(): void {
    const connection = (service: string): GatewayConnection => ({
      fetch: (url, init) => this.mesh.fetch(url, init),
      request: (url, options) => this.mesh.request(url, options),
      baseUrl: this.directory.resolver(service),
    });
    const dependencies = {
      docs: new DocGatewayClient(connection(DOC_GATEWAY_SERVICE)),
      sql: new SqlGatewayClient(connection(SQL_GATEWAY_SERVICE)),
      audit: this.audit,
      logger: this.context.logger.child({ component: 'EtlJob' }),
      threads: this.context.settings.etlThreads,
    };

    this.directory.start();
    this.handlers.register('ETL', (job, context) => runEtlJob(job, context, dependencies));
  }

  onModuleDestroy(): void {
    this.directory.stop();
  }
}
