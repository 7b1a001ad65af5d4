import { type PoolConfig } from 'pg';

import { isTableId, quoteLiteral } from '@rokks/naming';
import { type Value } from '@rokks/transform';

import { type Backend, inTransaction, type ResultField, type SqlParam, type SqlSession, type SqlTransaction } from './backends/backend';
import { type PgliteFactory, PgliteBackend } from './backends/pglite.backend';
import { PostgresBackend } from './backends/postgres.backend';
import { CatalogRepository } from './catalog/catalog.repository';
import { type TableInfo, type WorkspaceInfo } from './catalog/catalog.types';
import { type NewTable, TableCatalogService, type TableRename } from './catalog/table-catalog.service';
import { assertWorkspace } from './catalog/workspace-names.util';
import { rethrowDatabaseError } from './errors/database-error.util';
import { SqlEngineError } from './errors/sql-engine.exception';
import { LoadService } from './load/load.service';
import { type LoadOptions, type LoadResult, type LoadWriter } from './load/load.types';
import { ConcurrencyLimiter } from './query/concurrency-limiter';
import { beginQueryTransaction, readQuery } from './query/cursor-query.runner';
import { LruCache } from './query/lru-cache';
import { DEFAULT_QUERY_LIMITS, PGLITE_MAX_PLAN_COST, type QueryLimits } from './query/query-limits';
import { type QueryResult } from './query/query-result';
import { inspectReadOnlyQuery } from './query/sql-guard';
import { compileWidgetQuery } from './widget/widget-query.compiler';
import { type WidgetQuery } from './widget/widget-query.types';

export type BackendOptions =
  | { kind: 'postgres'; connection: PoolConfig }
  | { kind: 'pglite'; dataDir?: string; factory?: PgliteFactory };

/** The logging calls the engine makes: a pino logger fits. */
export interface EngineLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SqlEngineOptions {
  backend: BackendOptions;
  /** Schema of the catalog tables; `rokks_catalog` when absent. */
  catalogSchema?: string;
  /** `auto` uses TimescaleDB when the extension can be created; `off` never does. */
  timescale?: 'auto' | 'off';
  limits?: Partial<QueryLimits>;
  logger?: EngineLogger;
}

export interface QueryRequest {
  workspace: string;
  /** The user the per-user concurrency cap counts against. */
  userId: string;
  sql: string;
  /** Values of `$1`, `$2`, …: strings, numbers, booleans or null. */
  params?: readonly unknown[];
  /** Rows to return at most; the engine's `maxRows` caps it. */
  limit?: number;
}

export interface WidgetQueryRequest {
  workspace: string;
  userId: string;
  query: WidgetQuery;
}

interface UserQueryOptions {
  /** Whether a missing workspace is created (a SQL query) or reported (a widget query). */
  createMissing: boolean;
  /** A table id or logical name to look up in the same round trip. */
  table?: string;
}

/** An open user query transaction and what its setup read from the catalog. */
interface UserQueryTransaction {
  tx: SqlTransaction;
  workspace: WorkspaceInfo;
  tableNames: ReadonlySet<string>;
  /** The table of `UserQueryOptions.table`, or null when it is absent or was not asked for. */
  table: TableInfo | null;
}

const SILENT_LOGGER: EngineLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const MAX_PARAMS = 1_000;

function toParams(params: readonly unknown[] = []): SqlParam[] {
  if (!Array.isArray(params) || params.length > MAX_PARAMS) {
    throw new SqlEngineError('INVALID_INPUT', `params must be an array of at most ${MAX_PARAMS} values`);
  }

  return params.map((value, index) => {
    if (value === null || typeof value === 'string') {
      return value;
    }

    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || typeof value === 'boolean') {
      return String(value);
    }

    throw new SqlEngineError(
      'INVALID_INPUT',
      `invalid value of parameter $${index + 1}: use a string, a finite number, a boolean or null`,
      { value },
    );
  });
}

function rowLimit(limit: unknown, maxRows: number): number {
  if (limit === undefined) {
    return maxRows;
  }

  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new SqlEngineError('INVALID_INPUT', `invalid limit ${JSON.stringify(limit)}: use a non-negative integer`, {
      value: limit,
    });
  }

  return Math.min(limit, maxRows);
}

/**
 * The SQL gateway's engine, free of any web framework: tables and their
 * logical views, loads, read-only queries and widget queries over PostgreSQL
 * or embedded PGlite. The README states the contract.
 */
export class SqlEngine {
  private readonly limiter: ConcurrencyLimiter;
  private readonly loads: LoadService;
  /** Schema and role names of workspaces that queries ran in. */
  private readonly knownWorkspaces = new LruCache<string, WorkspaceInfo>(1_000);
  /**
   * Result columns of statements that name no relation, by statement text:
   * their columns depend on the text alone, so the `LIMIT 0` probe is skipped.
   */
  private readonly resultFields = new LruCache<string, ResultField[]>(256);

  private constructor(
    private readonly backend: Backend,
    private readonly repository: CatalogRepository,
    private readonly tables: TableCatalogService,
    /** Schema of the TimescaleDB extension, or null when it is not in use. */
    private readonly timescaleSchema: string | null,
    readonly limits: Readonly<QueryLimits>,
    private readonly logger: EngineLogger,
  ) {
    this.limiter = new ConcurrencyLimiter(limits.maxConcurrentPerUser, limits.maxQueuedPerUser);
    this.loads = new LoadService(backend, repository, tables);
  }

  /** Connects, creates the catalog schema when missing and detects TimescaleDB. */
  static async open(options: SqlEngineOptions): Promise<SqlEngine> {
    const logger = options.logger ?? SILENT_LOGGER;
    const backend =
      options.backend.kind === 'postgres'
        ? new PostgresBackend({
            connection: options.backend.connection,
            onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
          })
        : await PgliteBackend.open({ dataDir: options.backend.dataDir, factory: options.backend.factory });

    try {
      const repository = new CatalogRepository(options.catalogSchema ?? 'rokks_catalog');

      await inTransaction(backend, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rokks-catalog']);
        await repository.ensureSchema(tx);
      });

      const timescaleSchema = options.timescale === 'off' ? null : await enableTimescale(backend);
      const databaseName = (await backend.query('SELECT current_database()')).rows[0][0] ?? '';
      const limits = {
        ...DEFAULT_QUERY_LIMITS,
        maxPlanCost: backend.kind === 'pglite' ? PGLITE_MAX_PLAN_COST : null,
        ...options.limits,
      };

      logger.info(
        { backend: backend.kind, timescale: timescaleSchema !== null, catalogSchema: repository.schemaName },
        'sql engine opened',
      );

      return new SqlEngine(
        backend,
        repository,
        new TableCatalogService(repository, databaseName, timescaleSchema),
        timescaleSchema,
        limits,
        logger,
      );
    } catch (error) {
      await backend.close();
      throw error;
    }
  }

  /** True when tables with a time column are hypertables and buckets use `time_bucket`. */
  get timescale(): boolean {
    return this.timescaleSchema !== null;
  }

  get backendKind(): Backend['kind'] {
    return this.backend.kind;
  }

  /** The backend itself, for health checks and tests. */
  get database(): Backend {
    return this.backend;
  }

  async listTables(workspace: string): Promise<TableInfo[]> {
    assertWorkspace(workspace);

    return this.read((session) => this.repository.listTables(session, workspace));
  }

  /** Returns a table by id (`t_…`) or logical name; NOT_FOUND otherwise. */
  async getTable(workspace: string, table: string): Promise<TableInfo> {
    assertWorkspace(workspace);

    return this.read((session) => this.findTable(session, workspace, table));
  }

  async createTable(workspace: string, definition: NewTable): Promise<TableInfo> {
    assertWorkspace(workspace);

    const table = await this.write(async (tx) => {
      const info = await this.tables.ensureWorkspace(tx, workspace);

      return this.tables.createTable(tx, info, definition);
    });

    this.logger.info({ workspace, tableId: table.id, table: table.name }, 'table created');

    return table;
  }

  async dropTable(workspace: string, table: string): Promise<void> {
    assertWorkspace(workspace);

    const dropped = await this.write(async (tx) => {
      const info = await this.requireWorkspace(tx, workspace);
      const found = await this.findTable(tx, workspace, table, true);

      await this.tables.dropTable(tx, info, found);

      return found;
    });

    this.logger.info({ workspace, tableId: dropped.id, table: dropped.name }, 'table dropped');
  }

  /** Renames a table and columns (by column id): metadata and view only, the physical table is not touched. */
  async renameTable(workspace: string, table: string, rename: TableRename): Promise<TableInfo> {
    assertWorkspace(workspace);

    const renamed = await this.write(async (tx) => {
      const info = await this.requireWorkspace(tx, workspace);
      const found = await this.findTable(tx, workspace, table, true);

      return this.tables.renameTable(tx, info, found, rename);
    });

    this.logger.info({ workspace, tableId: renamed.id, table: renamed.name, version: renamed.version }, 'table renamed');

    return renamed;
  }

  /** Starts a load; see `LoadWriter` for the guarantees. */
  beginLoad(options: LoadOptions): Promise<LoadWriter> {
    return this.loads.begin(options);
  }

  /** Loads every chunk of `source` (typed rows or COPY text) in one transaction. */
  async load(options: LoadOptions, source: AsyncIterable<readonly (readonly Value[])[] | string>): Promise<LoadResult> {
    const result = await this.loads.run(options, source);

    this.logger.info(
      { workspace: options.workspace, tableId: result.tableId, loadId: result.loadId, rows: result.rowsLoaded, alreadyApplied: result.alreadyApplied },
      'load finished',
    );

    return result;
  }

  /** Runs one read-only SELECT written against the workspace's logical table names. */
  async query(request: QueryRequest): Promise<QueryResult> {
    assertWorkspace(request.workspace);

    const params = toParams(request.params);
    const limit = rowLimit(request.limit, this.limits.maxRows);

    if (typeof request.sql !== 'string') {
      throw new SqlEngineError('INVALID_INPUT', 'sql must be a string');
    }

    return this.limiter.run(request.userId, async () => {
      const opened = await this.beginUserQuery(request.workspace, { createMissing: true });

      if (opened === null) {
        throw new SqlEngineError('NOT_FOUND', `workspace ${request.workspace} not found`, { value: request.workspace });
      }

      const { tx, workspace, tableNames } = opened;
      let statement: string | undefined;
      let knownFields: ResultField[] | undefined;

      try {
        const checked = await inspectReadOnlyQuery(request.sql, {
          schema: workspace.viewSchema,
          tables: tableNames,
          allowRecursive: this.backend.kind === 'postgres',
        });

        statement = checked.statement;
        knownFields = checked.namesRelations ? undefined : this.resultFields.get(statement);

        const { result, fields } = await readQuery(tx, { sql: statement, params, limit, knownFields, rollbackAfter: true }, this.limits);

        if (!checked.namesRelations) {
          this.resultFields.set(statement, fields);
        }

        await endQuery(tx);

        return result;
      } catch (error) {
        await endQuery(tx);

        if (statement !== undefined && knownFields !== undefined) {
          this.resultFields.delete(statement);
        }

        throw error;
      }
    });
  }

  /** Compiles and runs a widget query; the result has the same shape as `query`. */
  async widgetQuery(request: WidgetQueryRequest): Promise<QueryResult> {
    assertWorkspace(request.workspace);

    const limit = rowLimit(request.query.limit, this.limits.maxRows);

    const tableKey = request.query.table;

    if (typeof tableKey !== 'string') {
      throw new SqlEngineError('INVALID_INPUT', 'table must be a table name or id');
    }

    const tableNotFound = () =>
      new SqlEngineError('NOT_FOUND', `table ${tableKey} not found in workspace ${request.workspace}`, { table: tableKey });

    // The setup sends the name as a quoted literal. A name that PostgreSQL
    // text cannot hold (a NUL character) names no table.
    try {
      quoteLiteral(tableKey);
    } catch {
      throw tableNotFound();
    }

    return this.limiter.run(request.userId, async () => {
      // A widget query never creates its workspace: a missing one reports the missing table.
      const opened = await this.beginUserQuery(request.workspace, { createMissing: false, table: tableKey });

      if (opened === null) {
        throw tableNotFound();
      }

      const { tx, workspace, table } = opened;

      try {
        if (table === null) {
          throw tableNotFound();
        }

        const compiled = compileWidgetQuery(request.query, table, workspace, this.timescaleSchema);
        const { result } = await readQuery(tx, { sql: compiled.sql, params: compiled.params, limit, rollbackAfter: true }, this.limits);

        await endQuery(tx);

        return result;
      } catch (error) {
        await endQuery(tx);
        throw error;
      }
    });
  }

  /** Drops a workspace's views, tables, catalog rows and role. */
  async dropWorkspace(workspace: string): Promise<void> {
    assertWorkspace(workspace);
    this.knownWorkspaces.delete(workspace);
    await this.write(async (tx) => {
      const info = await this.repository.findWorkspace(tx, workspace);

      if (info !== null) {
        await this.tables.dropWorkspace(tx, info);
      }
    });
  }

  /** Returns the workspaces in the catalog, with their schema and role names. */
  listWorkspaces(): Promise<WorkspaceInfo[]> {
    return this.read((session) => this.repository.listWorkspaces(session));
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  /**
   * Opens the READ ONLY transaction of a user query as the workspace's role
   * and returns it with the workspace's table names (and the table named by
   * `options.table`), read by the setup in the same round trip. Returns null
   * when the workspace does not exist and `options.createMissing` is false.
   * The workspace's schema and role never change, so they are cached. When
   * the workspace was dropped (maybe by another gateway), a cached entry
   * fails the role switch or finds no catalog row. The entry is then dropped
   * and the workspace looked up again, once.
   */
  private async beginUserQuery(workspace: string, options: UserQueryOptions): Promise<UserQueryTransaction | null> {
    const cached = this.knownWorkspaces.get(workspace);

    if (cached !== undefined) {
      const opened = await this.tryBeginUserQuery(cached, options).catch(() => null);

      if (opened !== null) {
        return opened;
      }

      this.knownWorkspaces.delete(workspace);
    }

    const found = await this.lookUp((session) => this.repository.findWorkspace(session, workspace));

    if (found === null && !options.createMissing) {
      return null;
    }

    // A workspace without tables yet still runs queries such as `SELECT 1`.
    const info = found ?? (await this.write((tx) => this.tables.ensureWorkspace(tx, workspace)));
    let opened: UserQueryTransaction | null;

    try {
      opened = await this.tryBeginUserQuery(info, options);
    } catch (error) {
      rethrowDatabaseError(error);
    }

    if (opened === null) {
      throw new SqlEngineError('NOT_FOUND', `workspace ${workspace} not found: it was dropped while the query started`, {
        value: workspace,
      });
    }

    this.knownWorkspaces.set(workspace, info);

    return opened;
  }

  /** Opens a user query's transaction; null when the workspace has no catalog row (the transaction is rolled back). */
  private async tryBeginUserQuery(workspace: WorkspaceInfo, options: UserQueryOptions): Promise<UserQueryTransaction | null> {
    const lookups = [this.repository.queryScopeLookupSql(workspace.workspace)];

    if (options.table !== undefined) {
      lookups.push(this.repository.tableLookupSql(workspace.workspace, options.table));
    }

    const tx = await beginQueryTransaction(
      this.backend,
      {
        searchPath: workspace.viewSchema,
        role: workspace.role,
        lookupSql: lookups.join(';\n'),
        lookupPrepareSql: this.repository.queryScopePrepareSql(),
      },
      this.limits,
    );
    const scope = this.repository.parseQueryScopeRow(tx.setupRows[0]);

    if (scope === null) {
      await tx.rollback();

      return null;
    }

    const table = options.table === undefined ? null : this.repository.parseTableRow(tx.setupRows[1]);

    return { tx, workspace, tableNames: scope.tableNames, table };
  }

  private async requireWorkspace(session: SqlSession, workspace: string): Promise<WorkspaceInfo> {
    const info = await this.repository.findWorkspace(session, workspace);

    if (info === null) {
      throw new SqlEngineError('NOT_FOUND', `workspace ${workspace} not found: it has no tables yet`, {
        value: workspace,
      });
    }

    return info;
  }

  private async findTable(session: SqlSession, workspace: string, table: string, lock = false): Promise<TableInfo> {
    const key = isTableId(table) ? { id: table } : { name: table };
    const found = await this.repository.findTable(session, workspace, key, lock);

    if (found === null) {
      throw new SqlEngineError('NOT_FOUND', `table ${table} not found in workspace ${workspace}`, { table });
    }

    return found;
  }

  /** Runs one catalog statement outside a transaction: a single statement sees one snapshot anyway. */
  private async lookUp<T>(work: (session: Pick<SqlSession, 'query'>) => Promise<T>): Promise<T> {
    try {
      return await work(this.backend);
    } catch (error) {
      rethrowDatabaseError(error);
    }
  }

  private async read<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.write(work);
  }

  private async write<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.backend, work);
    } catch (error) {
      rethrowDatabaseError(error);
    }
  }
}

/** Rolls back a user query's transaction unless its last statement already did. */
async function endQuery(tx: SqlTransaction): Promise<void> {
  if (!tx.finished) {
    await tx.rollback();
  }
}

/** Creates the TimescaleDB extension when the server offers it; returns its schema, or null when it is not in use. */
async function enableTimescale(backend: Backend): Promise<string | null> {
  const available = await backend.query(
    "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'timescaledb'",
  );

  if (available.rows.length === 0) {
    return null;
  }

  try {
    await inTransaction(backend, async (tx) => {
      await tx.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    });
  } catch {
    // Installed but not loadable (not in shared_preload_libraries): plain PostgreSQL.
    return null;
  }

  const schema = await backend.query(
    "SELECT n.nspname FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'",
  );

  return schema.rows[0]?.[0] ?? null;
}
