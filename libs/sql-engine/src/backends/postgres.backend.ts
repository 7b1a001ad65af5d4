import { once } from 'node:events';

import { Pool, type PoolClient, type PoolConfig, type QueryConfig, type QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import {
  type Backend,
  type CopySink,
  type RawResult,
  type SqlParam,
  type SqlTransaction,
} from './backend';

/** Type parsers that keep every value as PostgreSQL's text output. */
const RAW_TEXT_TYPES = {
  getTypeParser: () => (value: string) => value,
};

export interface PostgresBackendOptions {
  /** Connection settings for the pool (host, port, user, database, max, …). */
  connection: PoolConfig;
  /** Called with errors of idle pooled connections, which would otherwise crash the process. */
  onIdleError?: (error: Error) => void;
}

async function runQuery(
  client: Pool | PoolClient,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<RawResult> {
  // `queryMode: 'extended'` makes pg use Parse/Bind/Execute even without
  // parameters, so the server rejects a string with several statements.
  const config = {
    text: sql,
    values: [...params],
    rowMode: 'array',
    types: RAW_TEXT_TYPES,
    queryMode: 'extended',
  } as QueryConfig<SqlParam[]> & { rowMode: 'array' };
  const result = await client.query<(string | null)[]>(config);

  return {
    fields: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
    rows: result.rows,
    rowCount: result.rowCount,
  };
}

class PostgresCopySink implements CopySink {
  private failure: Error | null = null;

  constructor(private readonly stream: ReturnType<typeof copyFrom>) {
    stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  async write(chunk: string): Promise<void> {
    this.throwIfFailed();

    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
      this.throwIfFailed();
    }
  }

  async end(): Promise<number> {
    this.throwIfFailed();

    const finished = Promise.race([once(this.stream, 'finish'), once(this.stream, 'error')]);

    this.stream.end();
    await finished;
    this.throwIfFailed();

    return this.stream.rowCount;
  }

  async abort(): Promise<void> {
    if (this.stream.destroyed || this.stream.writableFinished) {
      return;
    }

    // Destroying the stream sends CopyFail, which ends the COPY with an error
    // and frees the connection for the ROLLBACK.
    const settled = Promise.race([once(this.stream, 'close'), once(this.stream, 'error')]).catch(() => undefined);

    this.stream.destroy(new Error('load aborted'));
    await settled;
  }

  private throwIfFailed(): void {
    if (this.failure !== null) {
      throw this.failure;
    }
  }
}

/** A pooled client with pg's pipeline mode switch: pg 8.23 reads `client.pipeline` each time it sends or dequeues a query. */
type PipelineClient = PoolClient & { pipeline: boolean };

class PostgresTransaction implements SqlTransaction {
  finished = false;

  constructor(
    private readonly client: PoolClient,
    readonly setupRows: readonly (string | null)[][],
  ) {}

  query(sql: string, params?: readonly SqlParam[]): Promise<RawResult> {
    return runQuery(this.client, sql, params);
  }

  copyIn(target: string): Promise<CopySink> {
    const stream = this.client.query(copyFrom(`COPY ${target} FROM STDIN`));

    return Promise.resolve(new PostgresCopySink(stream));
  }

  async commit(): Promise<void> {
    this.markFinished();

    try {
      await this.client.query('COMMIT');
      this.client.release();
    } catch (error) {
      this.client.release(true);
      throw error;
    }
  }

  async rollback(): Promise<void> {
    this.markFinished();

    try {
      await this.client.query('ROLLBACK');
      this.client.release();
    } catch {
      // A connection that cannot even roll back is broken: drop it from the
      // pool. The server rolls the transaction back when the socket closes.
      this.client.release(true);
    }
  }

  async queryAndRollback(sql: string, params?: readonly SqlParam[]): Promise<RawResult> {
    this.markFinished();

    // In pipeline mode pg writes both messages at once, each with its own
    // Sync, so the ROLLBACK runs even when the statement fails. The mode
    // stays on until both have completed, because pg takes the ROLLBACK's
    // replies from its pipeline queue only while the mode is on.
    const client = this.client as PipelineClient;

    client.pipeline = true;

    const [statement, rollback] = await Promise.allSettled([runQuery(client, sql, params), client.query('ROLLBACK')]);

    client.pipeline = false;

    // A connection that cannot even roll back is broken: drop it from the pool.
    client.release(rollback.status === 'rejected');

    if (statement.status === 'rejected') {
      throw statement.reason;
    }

    return statement.value;
  }

  private markFinished(): void {
    if (this.finished) {
      throw new Error('the transaction has already been committed or rolled back');
    }

    this.finished = true;
  }
}

/** PostgreSQL through a `pg` pool; each transaction uses one pooled connection until it ends. */
export class PostgresBackend implements Backend {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  /** The `sessionSetup` statements each pooled connection has run. */
  private readonly sessionSetups = new WeakMap<PoolClient, Set<string>>();

  constructor(options: PostgresBackendOptions) {
    this.pool = new Pool(options.connection);
    this.pool.on('error', (error) => options.onIdleError?.(error));
  }

  query(sql: string, params?: readonly SqlParam[]): Promise<RawResult> {
    return runQuery(this.pool, sql, params);
  }

  async begin(setup?: string, sessionSetup?: string): Promise<SqlTransaction> {
    const client = await this.pool.connect();
    let setupRows: (string | null)[][];

    try {
      if (sessionSetup !== undefined) {
        await this.runSessionSetup(client, sessionSetup);
      }

      // The simple query protocol takes several statements in one message;
      // `pg` then resolves with one result per statement.
      const config = {
        text: setup === undefined ? 'BEGIN' : `BEGIN;\n${setup}`,
        rowMode: 'array',
        types: RAW_TEXT_TYPES,
      } as QueryConfig & { rowMode: 'array' };
      const results = (await client.query<(string | null)[]>(config)) as QueryResult<(string | null)[]> | QueryResult<(string | null)[]>[];

      setupRows = (Array.isArray(results) ? results : [results]).flatMap((result) => result.rows);
    } catch (error) {
      client.release(true);
      throw error;
    }

    return new PostgresTransaction(client, setupRows);
  }

  private async runSessionSetup(client: PoolClient, sessionSetup: string): Promise<void> {
    const done = this.sessionSetups.get(client) ?? new Set<string>();

    if (!done.has(sessionSetup)) {
      await client.query(sessionSetup);
      done.add(sessionSetup);
      this.sessionSetups.set(client, done);
    }
  }

  /** Connections checked out now and idle in the pool, for health checks and tests. */
  poolStats(): { total: number; idle: number; waiting: number } {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
