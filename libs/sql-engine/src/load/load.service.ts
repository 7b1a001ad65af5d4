import { isLogicalName, quoteIdent, quoteQualifiedName, toPostgresType } from '@rokks/naming';
import { toCopyRow, type Value } from '@rokks/transform';

import { type Backend, type CopySink, type SqlTransaction } from '../backends/backend';
import { type CatalogRepository } from '../catalog/catalog.repository';
import { type ColumnInfo, type TableInfo, type WorkspaceInfo } from '../catalog/catalog.types';
import { type TableCatalogService } from '../catalog/table-catalog.service';
import { assertWorkspace } from '../catalog/workspace-names.util';
import { mapDatabaseError, sqlStateOf } from '../errors/database-error.util';
import { SqlEngineError, type SqlEngineErrorDetails } from '../errors/sql-engine.exception';
import {
  LOAD_MODES,
  type LoadColumn,
  type LoadMode,
  type LoadOptions,
  type LoadResult,
  type LoadWriter,
} from './load.types';

const STAGE_TABLE = 'rokks_stage';
const STAGE_SEQUENCE_COLUMN = 'rokks_seq';
const MAX_LOAD_ID_LENGTH = 200;

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new SqlEngineError('INVALID_INPUT', message, details);
}

function validateOptions(options: LoadOptions): void {
  assertWorkspace(options.workspace);

  if (typeof options.loadId !== 'string' || options.loadId.length === 0 || options.loadId.length > MAX_LOAD_ID_LENGTH) {
    invalid(`invalid load id ${JSON.stringify(options.loadId)}: use 1 to ${MAX_LOAD_ID_LENGTH} characters`);
  }

  if (!LOAD_MODES.includes(options.mode)) {
    invalid(`invalid load mode ${JSON.stringify(options.mode)}: use one of ${LOAD_MODES.join(', ')}`);
  }

  if (options.columns.length === 0) {
    invalid(`the load into ${options.table} has no columns`, { table: options.table });
  }

  const names = new Set<string>();

  for (const column of options.columns) {
    if (!isLogicalName(column.name)) {
      invalid(`invalid column name ${JSON.stringify(column.name)} in the load into ${options.table}`, {
        table: options.table,
        column: column.name,
      });
    }

    if (names.has(column.name)) {
      invalid(`column ${column.name} is listed twice in the load into ${options.table}`, {
        table: options.table,
        column: column.name,
      });
    }

    names.add(column.name);
  }

  if (options.mode === 'upsert') {
    const key = options.key ?? [];

    if (key.length === 0) {
      invalid(`an upsert into ${options.table} needs key columns`, { table: options.table });
    }

    for (const name of key) {
      if (!names.has(name)) {
        invalid(`key column ${name} is not a column of the load into ${options.table}`, {
          table: options.table,
          column: name,
        });
      }
    }
  }
}

/** Columns of the load in row order, as physical columns of the table. */
function mapLoadColumns(table: TableInfo, columns: readonly LoadColumn[]): ColumnInfo[] {
  return columns.map((column) => {
    const target = table.columns.find((candidate) => candidate.name === column.name);

    if (target === undefined) {
      throw new Error(`column ${column.name} missing from table ${table.name} after it was added`);
    }

    if (target.type !== column.type) {
      throw new SqlEngineError(
        'CONFLICT',
        `column ${column.name} of table ${table.name} has type ${target.type}, the load brings ${column.type}`,
        { table: table.name, column: column.name, value: column.type },
      );
    }

    return target;
  });
}

/** Rewrites physical ids in a database error message as the caller's logical names. */
function describeLoadError(error: unknown, table: TableInfo): unknown {
  const mapped = mapDatabaseError(error, { dataErrorCode: 'INVALID_DATA' });

  if (mapped === null) {
    return error;
  }

  const where = (error as { where?: unknown }).where;
  let message = mapped.message;
  const details: SqlEngineErrorDetails = { ...mapped.details, table: table.name };
  const line = typeof where === 'string' ? /line (\d+)(?:, column (f_[0-9a-f]{8}))?/.exec(where) : null;

  if (line !== null) {
    details.row = Number(line[1]);
    message += ` (row ${line[1]} of the load`;

    const column = table.columns.find((candidate) => candidate.id === line[2]);

    if (column !== undefined) {
      details.column = column.name;
      message += `, column ${column.name}`;
    }

    message += ')';
  }

  for (const column of table.columns) {
    message = message.replaceAll(column.id, column.name);
  }

  return new SqlEngineError(mapped.code, message.replaceAll(table.id, table.name), details, { cause: error });
}

class AppliedLoadWriter implements LoadWriter {
  readonly alreadyApplied = true;

  constructor(private readonly result: LoadResult) {}

  get loadId(): string {
    return this.result.loadId;
  }

  writeRows(): Promise<void> {
    return Promise.resolve();
  }

  writeCopyText(): Promise<void> {
    return Promise.resolve();
  }

  commit(): Promise<LoadResult> {
    return Promise.resolve(this.result);
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

interface ActiveLoad {
  options: LoadOptions;
  tx: SqlTransaction;
  workspace: WorkspaceInfo;
  table: TableInfo;
  /** Physical columns of the load, in row order. */
  columns: ColumnInfo[];
  created: boolean;
  addedColumns: string[];
  sink: CopySink;
  /**
   * True when the COPY writes straight into the table: a new table, or an
   * append. Replace and upsert go through the staging table, so the table
   * is locked or changed only for the short statement at commit.
   */
  direct: boolean;
}

class TransactionLoadWriter implements LoadWriter {
  readonly alreadyApplied = false;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly load: ActiveLoad,
    private readonly repository: CatalogRepository,
    private readonly onAlreadyApplied: () => Promise<LoadResult>,
  ) {}

  get loadId(): string {
    return this.load.options.loadId;
  }

  async writeRows(rows: readonly (readonly Value[])[]): Promise<void> {
    const width = this.load.columns.length;
    let text = '';

    for (const [index, row] of rows.entries()) {
      if (row.length !== width) {
        await this.abort();
        invalid(`row ${index + 1} of the chunk has ${row.length} values, the load into ${this.load.table.name} has ${width} columns`, {
          table: this.load.table.name,
        });
      }

      text += toCopyRow(row);
    }

    await this.writeCopyText(text);
  }

  async writeCopyText(text: string): Promise<void> {
    this.assertOpen();

    if (text.length > 0 && !text.endsWith('\n')) {
      await this.abort();
      invalid(`COPY text for ${this.load.table.name} must end at a row boundary (a newline)`, {
        table: this.load.table.name,
      });
    }

    await this.guard(() => this.load.sink.write(text));
  }

  async commit(): Promise<LoadResult> {
    this.assertOpen();

    const { options, tx, table } = this.load;
    let rowCount: number;
    let rowsLoaded: number;

    try {
      const copied = await this.load.sink.end();

      ({ rowsLoaded, rowCount } = this.load.direct ? this.countDirect(copied) : await this.apply());
      await this.repository.updateTable(tx, { ...table, rowCount });
      await this.repository.recordLoad(tx, {
        loadId: options.loadId,
        tableId: table.id,
        workspace: options.workspace,
        table: table.name,
        mode: options.mode,
        rowsLoaded,
      });
    } catch (error) {
      this.state = 'aborted';
      await this.load.sink.abort();
      await tx.rollback();

      if (sqlStateOf(error) === '23505' && (await this.loadWasApplied())) {
        return this.onAlreadyApplied();
      }

      throw describeLoadError(error, table);
    }

    await tx.commit();
    this.state = 'committed';

    return {
      loadId: options.loadId,
      tableId: table.id,
      table: table.name,
      mode: options.mode,
      rowsLoaded,
      rowCount,
      addedColumns: this.load.addedColumns,
      alreadyApplied: false,
    };
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') {
      return;
    }

    this.state = 'aborted';
    await this.load.sink.abort();
    await this.load.tx.rollback();
  }

  /** Returns rows loaded and the table's new row count of a load that copied straight into the table. */
  private countDirect(copied: number): { rowsLoaded: number; rowCount: number } {
    const previousRows = this.load.created ? 0 : this.load.table.rowCount;

    return { rowsLoaded: copied, rowCount: previousRows + copied };
  }

  /** Moves the staged rows into the table by the load mode; returns rows loaded and the table's new row count. */
  private async apply(): Promise<{ rowsLoaded: number; rowCount: number }> {
    const { tx, table, columns, options, workspace } = this.load;
    const target = quoteQualifiedName(workspace.dataSchema, table.id);
    const columnList = columns.map((column) => quoteIdent(column.id)).join(', ');
    const stage = `pg_temp.${STAGE_TABLE}`;

    if (options.mode === 'upsert' && !this.load.created) {
      const keyIds = (options.key ?? []).map((name) => columns.find((column) => column.name === name)?.id ?? name);
      const keyList = keyIds.map((id) => quoteIdent(id)).join(', ');
      const matches = keyIds
        .map((id) => `t.${quoteIdent(id)} IS NOT DISTINCT FROM s.${quoteIdent(id)}`)
        .join(' AND ');
      const deleted = await tx.query(
        `DELETE FROM ${target} AS t USING (SELECT DISTINCT ${keyList} FROM ${stage}) AS s WHERE ${matches}`,
      );
      const inserted = await tx.query(
        `INSERT INTO ${target} (${columnList}) SELECT ${columnList} FROM (
          SELECT DISTINCT ON (${keyList}) * FROM ${stage} ORDER BY ${keyList}, ${STAGE_SEQUENCE_COLUMN} DESC) AS latest
          ORDER BY ${STAGE_SEQUENCE_COLUMN}`,
      );
      const rowsLoaded = inserted.rowCount ?? 0;

      return { rowsLoaded, rowCount: table.rowCount - (deleted.rowCount ?? 0) + rowsLoaded };
    }

    if (options.mode === 'replace' && !this.load.created) {
      await tx.query(`TRUNCATE ${target}`);
    }

    const inserted = await tx.query(
      `INSERT INTO ${target} (${columnList}) SELECT ${columnList} FROM ${stage} ORDER BY ${STAGE_SEQUENCE_COLUMN}`,
    );
    const rowsLoaded = inserted.rowCount ?? 0;
    const previousRows = options.mode === 'append' && !this.load.created ? table.rowCount : 0;

    return { rowsLoaded, rowCount: previousRows + rowsLoaded };
  }

  private async loadWasApplied(): Promise<boolean> {
    try {
      await this.onAlreadyApplied();

      return true;
    } catch {
      return false;
    }
  }

  private async guard(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      await this.abort();
      throw describeLoadError(error, this.load.table);
    }
  }

  private assertOpen(): void {
    if (this.state !== 'open') {
      throw new SqlEngineError('CONFLICT', `load ${this.load.options.loadId} is already ${this.state}`, {
        value: this.load.options.loadId,
      });
    }
  }
}

/** Starts loads: each runs in one transaction through a staging table (see `LoadWriter`). */
export class LoadService {
  constructor(
    private readonly backend: Backend,
    private readonly repository: CatalogRepository,
    private readonly tables: TableCatalogService,
  ) {}

  async begin(options: LoadOptions): Promise<LoadWriter> {
    validateOptions(options);

    const applied = await this.appliedResult(options);

    if (applied !== null) {
      return new AppliedLoadWriter(applied);
    }

    const tx = await this.backend.begin();

    try {
      const load = await this.prepare(tx, options);

      return new TransactionLoadWriter(load, this.repository, async () => {
        const result = await this.appliedResult(options);

        if (result === null) {
          throw new Error(`load ${options.loadId} is not recorded`);
        }

        return result;
      });
    } catch (error) {
      await tx.rollback();
      throw mapDatabaseError(error) ?? error;
    }
  }

  /** Loads every chunk of `source` (typed rows or COPY text) and commits; aborts on any error. */
  async run(options: LoadOptions, source: AsyncIterable<readonly (readonly Value[])[] | string>): Promise<LoadResult> {
    const writer = await this.begin(options);

    try {
      for await (const chunk of source) {
        await (typeof chunk === 'string' ? writer.writeCopyText(chunk) : writer.writeRows(chunk));
      }
    } catch (error) {
      await writer.abort();
      throw error;
    }

    return writer.commit();
  }

  private async appliedResult(options: LoadOptions): Promise<LoadResult | null> {
    const tx = await this.backend.begin();

    try {
      const load = await this.repository.findLoad(tx, options.loadId);

      if (load === null) {
        return null;
      }

      return {
        loadId: load.loadId,
        tableId: load.tableId,
        table: load.table,
        mode: load.mode as LoadMode,
        rowsLoaded: load.rowsLoaded,
        addedColumns: [],
        alreadyApplied: true,
      };
    } finally {
      await tx.rollback();
    }
  }

  private async prepare(tx: SqlTransaction, options: LoadOptions): Promise<ActiveLoad> {
    const workspace = await this.tables.ensureWorkspace(tx, options.workspace);
    let table = await this.repository.findTable(tx, options.workspace, { name: options.table }, true);
    let created = false;
    const addedColumns: string[] = [];

    if (table !== null && options.mode === 'create') {
      throw new SqlEngineError('CONFLICT', `table ${options.table} already exists`, { table: options.table });
    }

    if (table === null) {
      table = await this.tables.createTable(tx, workspace, {
        name: options.table,
        columns: options.columns,
        timeColumn: options.timeColumn,
      });
      created = true;
    } else {
      const known = new Set(table.columns.map((column) => column.name));
      const additions = options.columns.filter((column) => !known.has(column.name));

      if (additions.length > 0) {
        table = await this.tables.addColumns(tx, workspace, table, additions);
        addedColumns.push(...additions.map((column) => column.name));
      }
    }

    const columns = mapLoadColumns(table, options.columns);
    const columnList = columns.map((column) => quoteIdent(column.id)).join(', ');
    // Rows copied into the table stay invisible to readers until the
    // transaction commits, and a rollback removes them.
    const direct = created || options.mode === 'append';

    if (direct) {
      const sink = await tx.copyIn(`${quoteQualifiedName(workspace.dataSchema, table.id)} (${columnList})`);

      return { options, tx, workspace, table, columns, created, addedColumns, sink, direct };
    }

    const definitions = columns.map((column) => `${quoteIdent(column.id)} ${toPostgresType(column.type)}`);

    await tx.query(
      `CREATE TEMP TABLE ${STAGE_TABLE} (${definitions.join(', ')}, ${STAGE_SEQUENCE_COLUMN} bigserial) ON COMMIT DROP`,
    );

    const sink = await tx.copyIn(`pg_temp.${STAGE_TABLE} (${columnList})`);

    return { options, tx, workspace, table, columns, created, addedColumns, sink, direct };
  }
}
