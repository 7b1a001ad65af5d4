import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

import { Client, type ClientConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { generateColumnIds, generateTableId, quoteIdent, toPostgresType } from '@rokks/naming';
import { type ColumnType } from '@rokks/transform';

import {
  type ExistingColumn,
  type LoadCommitResult,
  type LoadRequest,
  type LoadTarget,
  type LoadTargetWriter,
} from '../etl.types';

/** The test server: PostgreSQL on loopback, user postgres, trust authentication; sessions in UTC. */
export const TEST_SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres', options: '-c TimeZone=UTC' };

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ ...TEST_SERVER, database: 'postgres' });

  await client.connect();

  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file, `etl_test_<random>`. */
export interface TestDatabase {
  connection: ClientConfig;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `etl_test_${randomBytes(6).toString('hex')}`;

  await adminQuery(`CREATE DATABASE ${name}`);

  return {
    connection: { ...TEST_SERVER, database: name },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A column of a test table, as the catalog stores it. */
export interface CatalogColumn extends ExistingColumn {
  type: ColumnType;
}

const CATALOG_DDL = `
  CREATE TABLE IF NOT EXISTS etl_catalog (name text PRIMARY KEY, table_id text NOT NULL, columns jsonb NOT NULL);
  CREATE TABLE IF NOT EXISTS etl_loads (load_id text PRIMARY KEY, table_id text NOT NULL, rows_loaded bigint NOT NULL)`;

/**
 * A load target over PostgreSQL, built the way the SQL gateway loads. Each
 * load is one transaction: rows are copied into a staging table with COPY
 * FROM STDIN, then moved into a physical table `t_<hex>` with columns
 * `f_<hex>`. A catalog table keeps their logical names and labels. Tests
 * read values back as PostgreSQL stores them.
 */
export class PostgresLoadTarget implements LoadTarget {
  /** Every write's COPY text length, in order, to check batching and back-pressure. */
  readonly writes: number[] = [];
  private ready: Promise<void> | null = null;

  constructor(readonly connection: ClientConfig) {}

  async begin(request: LoadRequest): Promise<LoadTargetWriter> {
    await this.ensureCatalog();

    const client = new Client(this.connection);

    await client.connect();

    try {
      await client.query('BEGIN');

      const applied = await client.query<{ table_id: string; rows_loaded: string }>(
        'SELECT table_id, rows_loaded FROM etl_loads WHERE load_id = $1',
        [request.loadId],
      );

      if (applied.rows.length > 0) {
        await client.query('ROLLBACK');
        await client.end();

        return appliedWriter({
          tableId: applied.rows[0].table_id,
          rowsLoaded: Number(applied.rows[0].rows_loaded),
          alreadyApplied: true,
        });
      }

      const { tableId, columns } = await prepareTable(client, request);
      const staging = columns.map((column) => `${quoteIdent(column.id)} ${toPostgresType(column.type)}`);

      await client.query(`CREATE TEMP TABLE staging (ord bigserial, ${staging.join(', ')}) ON COMMIT DROP`);

      const columnIds = columns.map((column) => column.id);
      const columnList = columnIds.map((id) => quoteIdent(id)).join(', ');
      const stream = client.query(copyFrom(`COPY staging (${columnList}) FROM STDIN`));

      return new PostgresLoadWriter(client, stream, request, tableId, columnIds, this.writes);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
      throw error;
    }
  }

  /** Returns the table's columns in position order, for `existingColumns` of a later load. */
  async columnsOf(table: string): Promise<CatalogColumn[]> {
    const rows = await this.query<{ columns: CatalogColumn[] }>('SELECT columns FROM etl_catalog WHERE name = $1', [table]);

    return rows.length === 0 ? [] : rows[0].columns;
  }

  /**
   * Returns the table's rows with every value as PostgreSQL's text output
   * (null for NULL), keyed by logical column name. Rows are ordered by the
   * logical names in `orderBy`, else by physical row order.
   */
  async selectText(table: string, orderBy: readonly string[] = []): Promise<Record<string, string | null>[]> {
    const [catalog] = await this.query<{ table_id: string; columns: CatalogColumn[] }>(
      'SELECT table_id, columns FROM etl_catalog WHERE name = $1',
      [table],
    );
    const idOf = (name: string): string => {
      const column = catalog.columns.find((candidate) => candidate.name === name);

      if (column === undefined) {
        throw new Error(`table ${table} has no column ${name}`);
      }

      return column.id;
    };

    const select = catalog.columns.map((column) => `${quoteIdent(column.id)}::text AS ${quoteIdent(column.name)}`);
    const order = orderBy.length === 0 ? 'ctid' : orderBy.map((name) => quoteIdent(idOf(name))).join(', ');

    return this.query(`SELECT ${select.join(', ')} FROM ${quoteIdent(catalog.table_id)} ORDER BY ${order}`);
  }

  async count(table: string): Promise<number> {
    const [catalog] = await this.query<{ table_id: string }>('SELECT table_id FROM etl_catalog WHERE name = $1', [table]);
    const [row] = await this.query<{ count: string }>(`SELECT count(*) FROM ${quoteIdent(catalog.table_id)}`);

    return Number(row.count);
  }

  async exists(table: string): Promise<boolean> {
    await this.ensureCatalog();

    return (await this.query('SELECT 1 FROM etl_catalog WHERE name = $1', [table])).length > 0;
  }

  async query<T extends object = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client(this.connection);

    await client.connect();

    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  private ensureCatalog(): Promise<void> {
    this.ready ??= this.query(CATALOG_DDL).then(() => undefined);

    return this.ready;
  }
}

/** Creates the table or checks and extends it; returns the physical columns in load order. */
async function prepareTable(client: Client, request: LoadRequest): Promise<{ tableId: string; columns: CatalogColumn[] }> {
  const found = await client.query<{ table_id: string; columns: CatalogColumn[] }>(
    'SELECT table_id, columns FROM etl_catalog WHERE name = $1 FOR UPDATE',
    [request.table],
  );

  if (found.rows.length > 0 && request.mode === 'create') {
    throw new Error(`table ${request.table} exists already`);
  }

  const tableId = found.rows[0]?.table_id ?? generateTableId();
  const catalog = found.rows[0]?.columns ?? [];
  const added = request.columns.filter((column) => !catalog.some((existing) => existing.name === column.name));
  const ids = generateColumnIds(added.length, new Set(catalog.map((column) => column.id)));
  const newColumns = added.map((column, index) => ({ id: ids[index], name: column.name, label: column.label, type: column.type }));
  const definitions = newColumns.map((column) => `${quoteIdent(column.id)} ${toPostgresType(column.type)}`);

  if (found.rows.length === 0) {
    await client.query(`CREATE TABLE ${quoteIdent(tableId)} (${definitions.join(', ')})`);
    await client.query('INSERT INTO etl_catalog (name, table_id, columns) VALUES ($1, $2, $3)', [
      request.table,
      tableId,
      JSON.stringify(newColumns),
    ]);
  } else if (newColumns.length > 0) {
    await client.query(`ALTER TABLE ${quoteIdent(tableId)} ${definitions.map((definition) => `ADD COLUMN ${definition}`).join(', ')}`);
    await client.query('UPDATE etl_catalog SET columns = $2 WHERE name = $1', [
      request.table,
      JSON.stringify([...catalog, ...newColumns]),
    ]);
  }

  const all = [...catalog, ...newColumns];
  const columns = request.columns.map((column) => {
    const stored = all.find((candidate) => candidate.name === column.name) as CatalogColumn;

    if (stored.type !== column.type) {
      throw new Error(`column ${column.name} of ${request.table} is ${stored.type}, the load has ${column.type}`);
    }

    return stored;
  });

  return { tableId, columns };
}

function appliedWriter(result: LoadCommitResult): LoadTargetWriter {
  return {
    write: () => Promise.resolve(),
    commit: () => Promise.resolve(result),
    abort: () => Promise.resolve(),
  };
}

class PostgresLoadWriter implements LoadTargetWriter {
  private failure: Error | null = null;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly client: Client,
    private readonly stream: ReturnType<typeof copyFrom>,
    private readonly request: LoadRequest,
    private readonly tableId: string,
    private readonly columnIds: readonly string[],
    private readonly writes: number[],
  ) {
    stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  async write(copyText: string | Uint8Array): Promise<void> {
    this.assertOpen();
    this.writes.push(copyText.length);

    // The stream may hold a chunk after write() returns, and the caller reuses its bytes.
    if (!this.stream.write(typeof copyText === 'string' ? copyText : Buffer.from(copyText))) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
    }

    this.throwIfFailed();
  }

  async commit(): Promise<LoadCommitResult> {
    this.assertOpen();

    try {
      const finished = Promise.race([once(this.stream, 'finish'), once(this.stream, 'error')]);

      this.stream.end();
      await finished;
      this.throwIfFailed();

      const table = quoteIdent(this.tableId);
      const columnList = this.columnIds.map((id) => quoteIdent(id)).join(', ');

      if (this.request.mode === 'replace') {
        await this.client.query(`TRUNCATE ${table}`);
      }

      let source = 'staging';

      if (this.request.mode === 'upsert') {
        const keys = (this.request.key ?? []).map((name) => this.idOf(name));
        const match = keys.map((id) => `t.${id} IS NOT DISTINCT FROM s.${id}`).join(' AND ');

        await this.client.query(`DELETE FROM ${table} t USING staging s WHERE ${match}`);
        // Of staged rows with one key, the last one wins.
        source = `(SELECT DISTINCT ON (${keys.join(', ')}) * FROM staging ORDER BY ${keys.join(', ')}, ord DESC) latest`;
      }

      const inserted = await this.client.query(
        `INSERT INTO ${table} (${columnList}) SELECT ${columnList} FROM ${source} ORDER BY ord`,
      );
      const rowsLoaded = inserted.rowCount ?? 0;

      await this.client.query('INSERT INTO etl_loads (load_id, table_id, rows_loaded) VALUES ($1, $2, $3)', [
        this.request.loadId,
        this.tableId,
        rowsLoaded,
      ]);
      await this.client.query('COMMIT');
      this.state = 'committed';

      return { tableId: this.tableId, rowsLoaded, alreadyApplied: false };
    } catch (error) {
      await this.abort();
      throw error;
    } finally {
      if (this.state === 'committed') {
        await this.client.end();
      }
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') {
      return;
    }

    this.state = 'aborted';

    if (!this.stream.destroyed && !this.stream.writableFinished) {
      const closed = Promise.race([once(this.stream, 'close'), once(this.stream, 'error')]).catch(() => undefined);

      this.stream.destroy(new Error('load aborted'));
      await closed;
    }

    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end();
  }

  private idOf(name: string): string {
    const index = this.request.columns.findIndex((column) => column.name === name);

    return quoteIdent(this.columnIds[index]);
  }

  private assertOpen(): void {
    if (this.state !== 'open') {
      throw new Error(`the load is ${this.state}`);
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== null) {
      throw this.failure;
    }
  }
}
