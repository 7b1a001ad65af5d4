import {
  buildAddColumnsSql,
  buildCreateTableSql,
  buildCreateViewSql,
  buildRenamePlan,
  deriveColumnNames,
  generateColumnIds,
  generateTableId,
  isColumnId,
  isLogicalName,
  type LogicalViewDefinition,
  quoteIdent,
  quoteQualifiedName,
} from '@rokks/naming';
import { COLUMN_TYPES, type ColumnType } from '@rokks/transform';

import { type SqlSession } from '../backends/backend';
import { SqlEngineError } from '../errors/sql-engine.exception';
import { type CatalogRepository } from './catalog.repository';
import { type ColumnInfo, type TableInfo, type WorkspaceInfo } from './catalog.types';
import { workspaceNames } from './workspace-names.util';

/** A column to create: its logical `name`, or a `label` (header text) to derive the name from. */
export interface NewColumn {
  name?: string;
  label?: string;
  type: ColumnType;
}

export interface NewTable {
  /** Logical name of the table (snake_case, see `isLogicalName` of `@rokks/naming`). */
  name: string;
  columns: readonly NewColumn[];
  /** Logical name of the time column; with TimescaleDB the table becomes a hypertable on it. */
  timeColumn?: string;
}

export interface TableRename {
  name?: string;
  /** New logical names by column id. */
  columns?: Readonly<Record<string, string>>;
}

const TIME_TYPES: ReadonlySet<ColumnType> = new Set(['timestamptz', 'timestamp', 'date']);

function assertLogicalName(name: unknown, kind: 'table' | 'column'): asserts name is string {
  if (typeof name !== 'string' || !isLogicalName(name)) {
    throw new SqlEngineError(
      'INVALID_INPUT',
      `invalid ${kind} name ${JSON.stringify(name)}: use a lower-case snake_case name of at most 63 bytes that is not a reserved word`,
      { value: name },
    );
  }
}

function assertColumnType(type: unknown, column: string): asserts type is ColumnType {
  if (!(COLUMN_TYPES as readonly unknown[]).includes(type)) {
    throw new SqlEngineError(
      'INVALID_INPUT',
      `invalid type ${JSON.stringify(type)} of column ${column}: use one of ${COLUMN_TYPES.join(', ')}`,
      { column, value: type },
    );
  }
}

function assertUniqueNames(columns: readonly { name: string }[], table: string): void {
  const seen = new Set<string>();

  for (const column of columns) {
    if (seen.has(column.name)) {
      throw new SqlEngineError('CONFLICT', `column name ${column.name} is used twice in table ${table}`, {
        table,
        column: column.name,
      });
    }

    seen.add(column.name);
  }
}

/** Returns logical names of new columns: the given name, else one derived from the label that is not in `existingNames`. */
export function nameNewColumns(columns: readonly NewColumn[], existingNames: readonly string[] = []): string[] {
  const derived = deriveColumnNames([
    ...existingNames,
    ...columns.map((column, index) => column.label ?? `column_${index + 1}`),
  ])
    .slice(existingNames.length)
    .map((named) => named.name);

  return columns.map((column, index) => {
    if (column.name === undefined) {
      return derived[index];
    }

    assertLogicalName(column.name, 'column');

    return column.name;
  });
}

/**
 * DDL of workspaces and tables, always together with the catalog rows, inside
 * the caller's transaction: metadata and views change in one commit.
 */
export class TableCatalogService {
  constructor(
    private readonly repository: CatalogRepository,
    private readonly databaseName: string,
    /** Schema of the TimescaleDB extension, or null when it is not in use. */
    private readonly timescaleSchema: string | null,
  ) {}

  /** Returns the workspace, creating its schemas and role on first use. */
  async ensureWorkspace(session: SqlSession, workspace: string): Promise<WorkspaceInfo> {
    const existing = await this.repository.findWorkspace(session, workspace);

    if (existing !== null) {
      return existing;
    }

    const names = workspaceNames(workspace, this.databaseName);

    // Serialises concurrent first uses of one workspace name.
    await session.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rokks-workspace:${workspace}`]);

    const raced = await this.repository.findWorkspace(session, workspace);

    if (raced !== null) {
      return raced;
    }

    const role = await session.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [names.role]);

    if (role.rows.length === 0) {
      await session.query(`CREATE ROLE ${quoteIdent(names.role)} NOLOGIN NOINHERIT`);
    }

    // SET ROLE needs membership unless the engine's user is a superuser.
    await session.query(`GRANT ${quoteIdent(names.role)} TO CURRENT_USER`);

    await session.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(names.viewSchema)}`);
    await session.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(names.dataSchema)}`);
    await session.query(`REVOKE ALL ON SCHEMA ${quoteIdent(names.dataSchema)} FROM PUBLIC`);
    await session.query(`GRANT USAGE ON SCHEMA ${quoteIdent(names.viewSchema)} TO ${quoteIdent(names.role)}`);
    await this.repository.insertWorkspace(session, names);

    return names;
  }

  /** Drops a workspace's schemas (views and tables), catalog rows and role. */
  async dropWorkspace(session: SqlSession, workspace: WorkspaceInfo): Promise<void> {
    await session.query(`DROP SCHEMA IF EXISTS ${quoteIdent(workspace.viewSchema)} CASCADE`);
    await session.query(`DROP SCHEMA IF EXISTS ${quoteIdent(workspace.dataSchema)} CASCADE`);
    await this.repository.deleteWorkspace(session, workspace.workspace);
    await session.query(`DROP ROLE IF EXISTS ${quoteIdent(workspace.role)}`);
  }

  async createTable(session: SqlSession, workspace: WorkspaceInfo, definition: NewTable): Promise<TableInfo> {
    assertLogicalName(definition.name, 'table');

    if (definition.columns.length === 0) {
      throw new SqlEngineError('INVALID_INPUT', `table ${definition.name} needs at least one column`, {
        table: definition.name,
      });
    }

    if ((await this.repository.findTable(session, workspace.workspace, { name: definition.name })) !== null) {
      throw new SqlEngineError('CONFLICT', `table ${definition.name} already exists`, { table: definition.name });
    }

    const names = nameNewColumns(definition.columns);
    const ids = generateColumnIds(names.length);
    const columns: ColumnInfo[] = definition.columns.map((column, index) => {
      assertColumnType(column.type, names[index]);

      return {
        id: ids[index],
        name: names[index],
        label: column.label ?? names[index],
        type: column.type,
        position: index + 1,
      };
    });

    assertUniqueNames(columns, definition.name);

    const timeColumn = this.resolveTimeColumn(columns, definition);
    const tableId = generateTableId();

    await session.query(
      buildCreateTableSql({ schema: workspace.dataSchema, tableId, columns: columns.map(({ id, type }) => ({ id, type })) }),
    );

    if (this.timescaleSchema !== null && timeColumn !== null) {
      await session.query(`SELECT ${quoteIdent(this.timescaleSchema)}.create_hypertable($1::regclass, $2::name)`, [
        quoteQualifiedName(workspace.dataSchema, tableId),
        timeColumn.id,
      ]);
    }

    const table: TableInfo = {
      id: tableId,
      workspace: workspace.workspace,
      name: definition.name,
      columns,
      timeColumn: timeColumn?.id ?? null,
      rowCount: 0,
      createdAt: '',
      updatedAt: '',
      version: 1,
    };

    await this.createView(session, workspace, table);

    return this.repository.insertTable(session, table);
  }

  async dropTable(session: SqlSession, workspace: WorkspaceInfo, table: TableInfo): Promise<void> {
    await session.query(`DROP VIEW IF EXISTS ${quoteQualifiedName(workspace.viewSchema, table.name)}`);
    await session.query(`DROP TABLE IF EXISTS ${quoteQualifiedName(workspace.dataSchema, table.id)}`);
    await this.repository.deleteTable(session, workspace.workspace, table.id);
  }

  /** Renames the table and columns by column id: the view is rebuilt, the physical table is not touched. */
  async renameTable(
    session: SqlSession,
    workspace: WorkspaceInfo,
    table: TableInfo,
    rename: TableRename,
  ): Promise<TableInfo> {
    const name = rename.name ?? table.name;
    const columnRenames = rename.columns ?? {};

    assertLogicalName(name, 'table');

    for (const [columnId, columnName] of Object.entries(columnRenames)) {
      if (!isColumnId(columnId) || !table.columns.some((column) => column.id === columnId)) {
        throw new SqlEngineError('NOT_FOUND', `column ${columnId} not found in table ${table.name}`, {
          table: table.name,
          column: columnId,
        });
      }

      assertLogicalName(columnName, 'column');
    }

    const next: TableInfo = {
      ...table,
      name,
      columns: table.columns.map((column) => ({ ...column, name: columnRenames[column.id] ?? column.name })),
    };

    assertUniqueNames(next.columns, name);

    if (name !== table.name && (await this.repository.findTable(session, workspace.workspace, { name })) !== null) {
      throw new SqlEngineError('CONFLICT', `table ${name} already exists`, { table: name });
    }

    await this.replaceView(session, workspace, table, next);

    return this.repository.updateTable(session, next);
  }

  /** Adds columns that a later load brings, at the end of the view. */
  async addColumns(
    session: SqlSession,
    workspace: WorkspaceInfo,
    table: TableInfo,
    additions: readonly NewColumn[],
  ): Promise<TableInfo> {
    const names = nameNewColumns(additions, table.columns.map((column) => column.name));
    const ids = generateColumnIds(additions.length, table.columns.map((column) => column.id));
    const added: ColumnInfo[] = additions.map((column, index) => {
      assertColumnType(column.type, names[index]);

      return {
        id: ids[index],
        name: names[index],
        label: column.label ?? names[index],
        type: column.type,
        position: table.columns.length + index + 1,
      };
    });
    const next: TableInfo = { ...table, columns: [...table.columns, ...added] };

    assertUniqueNames(next.columns, table.name);
    await session.query(
      buildAddColumnsSql({
        schema: workspace.dataSchema,
        tableId: table.id,
        columns: added.map(({ id, type }) => ({ id, type })),
      }),
    );
    await this.replaceView(session, workspace, table, next);

    return this.repository.updateTable(session, next);
  }

  private resolveTimeColumn(columns: readonly ColumnInfo[], definition: NewTable): ColumnInfo | null {
    if (definition.timeColumn === undefined) {
      return null;
    }

    const column = columns.find((candidate) => candidate.name === definition.timeColumn);

    if (column === undefined) {
      throw new SqlEngineError(
        'INVALID_INPUT',
        `time column ${definition.timeColumn} is not a column of table ${definition.name}`,
        { table: definition.name, column: definition.timeColumn },
      );
    }

    if (!TIME_TYPES.has(column.type)) {
      throw new SqlEngineError(
        'INVALID_INPUT',
        `time column ${column.name} has type ${column.type}: use timestamptz, timestamp or date`,
        { table: definition.name, column: column.name },
      );
    }

    return column;
  }

  private viewDefinition(workspace: WorkspaceInfo, table: TableInfo): LogicalViewDefinition {
    return {
      schema: workspace.dataSchema,
      tableId: table.id,
      viewSchema: workspace.viewSchema,
      viewName: table.name,
      columns: table.columns.map(({ id, name }) => ({ id, name })),
    };
  }

  private async createView(session: SqlSession, workspace: WorkspaceInfo, table: TableInfo): Promise<void> {
    await session.query(buildCreateViewSql(this.viewDefinition(workspace, table)));
    await this.grantView(session, workspace, table.name);
  }

  private async replaceView(
    session: SqlSession,
    workspace: WorkspaceInfo,
    previous: TableInfo,
    next: TableInfo,
  ): Promise<void> {
    const plan = buildRenamePlan(
      { schema: workspace.viewSchema, name: previous.name },
      this.viewDefinition(workspace, next),
    );

    for (const statement of plan) {
      await session.query(statement);
    }

    await this.grantView(session, workspace, next.name);
  }

  private async grantView(session: SqlSession, workspace: WorkspaceInfo, viewName: string): Promise<void> {
    await session.query(
      `GRANT SELECT ON ${quoteQualifiedName(workspace.viewSchema, viewName)} TO ${quoteIdent(workspace.role)}`,
    );
  }
}
