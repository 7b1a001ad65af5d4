import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { WorkerAuditRecorder } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { type LoadColumn, SqlEngine, SqlEngineError, type TableInfo } from '@rokks/sql-engine';

import { type CreateTableBody, type TableRenameBody } from './table-schemas';

/** Prefix of the internal load ids that add columns; such a load carries no rows. */
export const ADD_COLUMN_LOAD_PREFIX = 'add-column:';

/**
 * Table metadata operations of the engine, logged with the ids involved.
 * User renames and drops also go to the worker's audit log. Tables that the
 * ETL job creates and loads are audited by the worker itself.
 */
@Injectable()
export class TablesService {
  constructor(
    private readonly engine: SqlEngine,
    @InjectPinoLogger('TablesService') private readonly logger: PinoLogger,
    private readonly audit: WorkerAuditRecorder,
  ) {}

  list(workspace: string): Promise<TableInfo[]> {
    return this.engine.listTables(workspace);
  }

  get(workspace: string, table: string): Promise<TableInfo> {
    return this.engine.getTable(workspace, table);
  }

  async create(definition: CreateTableBody, userId?: string): Promise<TableInfo> {
    const table = await this.engine.createTable(definition.workspace, {
      name: definition.name,
      columns: definition.columns,
      timeColumn: definition.timeColumn,
    });

    this.logger.info({ workspace: definition.workspace, tableId: table.id, table: table.name, userId }, 'table created');

    return table;
  }

  async rename(workspace: string, table: string, rename: TableRenameBody, userId: string): Promise<TableInfo> {
    // NOTE: the old names come from a read before the rename, so a rename by
    // another request between the two can show up as the old name here.
    const before = await this.engine.getTable(workspace, table);
    const renamed = await this.engine.renameTable(workspace, before.id, rename);

    this.logger.info({ workspace, tableId: renamed.id, table: renamed.name, version: renamed.version, userId }, 'table renamed');

    const columns: Record<string, { from: string; to: string }> = {};

    for (const columnId of Object.keys(rename.columns ?? {})) {
      const oldName = before.columns.find((column) => column.id === columnId)?.name;
      const newName = renamed.columns.find((column) => column.id === columnId)?.name;

      if (oldName !== undefined && newName !== undefined) {
        columns[columnId] = { from: oldName, to: newName };
      }
    }

    this.audit.record({
      actor: userId,
      action: 'table.renamed',
      target: renamed.id,
      details: { workspace, name: { from: before.name, to: renamed.name }, columns },
    });

    return renamed;
  }

  async drop(workspace: string, table: string, userId: string): Promise<void> {
    const found = await this.engine.getTable(workspace, table);

    await this.engine.dropTable(workspace, found.id);
    this.logger.info({ workspace, tableId: found.id, table: found.name, userId }, 'table dropped');
    this.audit.record({ actor: userId, action: 'table.dropped', target: found.id, details: { workspace, name: found.name } });
  }

  /**
   * Adds one column to an existing table. The engine adds columns only as
   * part of a load, so this runs an append load of that one column with no
   * rows: the column is added, no row changes, and the load id is recorded.
   */
  async addColumn(workspace: string, tableRef: string, column: LoadColumn): Promise<TableInfo> {
    const table = await this.engine.getTable(workspace, tableRef);

    if (table.columns.some((existing) => existing.name === column.name)) {
      throw new SqlEngineError('CONFLICT', `column ${column.name} already exists in table ${table.name}`, {
        table: table.name,
        column: column.name,
      });
    }

    const writer = await this.engine.beginLoad({
      workspace,
      table: table.name,
      loadId: `${ADD_COLUMN_LOAD_PREFIX}${randomUUID()}`,
      mode: 'append',
      columns: [column],
    });
    const result = await writer.commit();

    // NOTE: an append load creates a missing table. When the table was renamed
    // or dropped between the lookup and the load, the load created a new,
    // empty one under the old name: drop it again and report the conflict.
    if (result.tableId !== table.id) {
      await this.engine.dropTable(workspace, result.tableId);
      throw new SqlEngineError('CONFLICT', `table ${table.name} was renamed or dropped while the column was added`, {
        table: table.name,
      });
    }

    this.logger.info({ workspace, tableId: table.id, table: table.name, column: column.name }, 'column added');

    return this.engine.getTable(workspace, table.id);
  }
}
