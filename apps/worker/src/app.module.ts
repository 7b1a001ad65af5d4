import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { AuditLog } from './audit/audit-log';
import { AuditController, InternalAuditController } from './audit/audit.controller';
import { EtlJobRegistration } from './etl/etl-job-registration';
import { WorkerExceptionFilter } from './http/worker-exception.filter';
import { InternalJobsController } from './jobs/internal-jobs.controller';
import { JobEngineHost } from './jobs/job-engine-host';
import { JobHandlerRegistry } from './jobs/job-handler-registry';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';

/**
 * Root module of the worker service: the jobs API with its event streams,
 * the audit log, and internal routes and message patterns for other
 * backends. Job handlers join through `JobHandlerRegistry`; the ETL
 * handler is registered by `EtlJobRegistration`. The service kit
 * adds `/health` and `/docs`.
 */
@Module({
  controllers: [JobsController, InternalJobsController, AuditController, InternalAuditController],
  providers: [
    AuditLog,
    JobHandlerRegistry,
    JobEngineHost,
    JobsService,
    EtlJobRegistration,
    { provide: APP_FILTER, useClass: WorkerExceptionFilter },
  ],
  exports: [JobHandlerRegistry],
})
export class AppModule {}
