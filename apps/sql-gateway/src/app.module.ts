import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { WorkerAuditRecorder } from '@rokks/gateway-clients';

import { DatabaseReadiness } from './engine/database-readiness';
import { SQL_ENGINE_PROVIDER, SqlEngineCloser } from './engine/sql-engine.provider';
import { SqlGatewayExceptionFilter } from './http/sql-gateway-exception.filter';
import { StreamBodyParser } from './http/stream-body.parser';
import { InternalLoadsController } from './loads/internal-loads.controller';
import { LoadSessions } from './loads/load-sessions.service';
import { TableMessagesController } from './messages/table-messages.controller';
import { QueriesController } from './queries/queries.controller';
import { QueryFastPath } from './queries/query-fast-path';
import { InternalTablesController } from './tables/internal-tables.controller';
import { TablesController } from './tables/tables.controller';
import { TablesService } from './tables/tables.service';

/**
 * Root module of the sql-gateway service: the tables and queries of the
 * API, the internal Load API and table calls for other backends, on
 * PostgreSQL or embedded PGlite. The service kit adds `/health` and `/docs`.
 */
@Module({
  controllers: [
    TablesController,
    QueriesController,
    InternalTablesController,
    InternalLoadsController,
    TableMessagesController,
  ],
  providers: [
    SQL_ENGINE_PROVIDER,
    WorkerAuditRecorder,
    SqlEngineCloser,
    TablesService,
    LoadSessions,
    DatabaseReadiness,
    StreamBodyParser,
    QueryFastPath,
    { provide: APP_FILTER, useClass: SqlGatewayExceptionFilter },
  ],
})
export class AppModule {}
