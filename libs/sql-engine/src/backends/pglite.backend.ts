import { PGlite } from '@electric-sql/pglite';

import {
  type Backend,
  type CopySink,
  type RawResult,
  type SqlParam,
  type SqlTransaction,
} from './backend';

type ValueConverters = Record<number, (value: string) => string>;

interface PgliteQueryOptions {
  rowMode: 'array';
  parsers: ValueConverters;
  serializers: ValueConverters;
  blob?: Blob;
}

interface PgliteResults {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
  rowCount?: number;
}

/** The part of a PGlite transaction the backend uses. */
export interface PgliteTransactionLike {
  query(sql: string, params?: unknown[], options?: PgliteQueryOptions): Promise<PgliteResults>;
  /** Runs one or more statements without parameters; resolves with one result per statement. */
  exec(sql: string, options?: PgliteQueryOptions): Promise<PgliteResults[]>;
  rollback(): Promise<void>;
}

/**
 * The part of a PGlite instance the backend uses. Both `@electric-sql/pglite`
 * and builds that bundle extensions (a TimescaleDB build, for one) fit it.
 */
export interface PgliteLike {
  query(sql: string, params?: unknown[], options?: PgliteQueryOptions): Promise<PgliteResults>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(callback: (tx: PgliteTransactionLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Opens a PGlite instance on `dataDir` (in memory when it is undefined). */
export type PgliteFactory = (dataDir: string | undefined) => Promise<PgliteLike>;

export interface PgliteBackendOptions {
  /** Directory of the database files; a new directory is initialised. In memory when absent. */
  dataDir?: string;
  /** Opens the database; defaults to `PGlite.create` of `@electric-sql/pglite`. */
  factory?: PgliteFactory;
}

const defaultFactory: PgliteFactory = async (dataDir) =>
  (await PGlite.create(dataDir === undefined ? {} : { dataDir })) as unknown as PgliteLike;

function toRawResult(results: PgliteResults): RawResult {
  return {
    fields: results.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
    rows: results.rows as (string | null)[][],
    rowCount: results.rowCount ?? results.affectedRows ?? null,
  };
}

function countLines(text: string): number {
  let count = 0;

  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    count += 1;
  }

  return count;
}

type Runner = Pick<PgliteTransactionLike, 'query'>;

/** COPY on PGlite: each chunk is one `COPY … FROM '/dev/blob'` with the chunk as the blob. */
class PgliteCopySink implements CopySink {
  private rows = 0;

  constructor(
    private readonly runner: Runner,
    private readonly target: string,
    private readonly options: PgliteQueryOptions,
  ) {}

  async write(chunk: string): Promise<void> {
    if (chunk.length === 0) {
      return;
    }

    let result: PgliteResults;

    try {
      result = await this.runner.query(`COPY ${this.target} FROM '/dev/blob'`, [], {
        ...this.options,
        blob: new Blob([chunk]),
      });
    } catch (error) {
      // Each chunk is a COPY of its own, so its line numbers restart at 1:
      // shift them to count from the first chunk, as one COPY on PostgreSQL does.
      const fields = error as { where?: unknown };

      if (typeof fields.where === 'string') {
        fields.where = fields.where.replace(/line (\d+)/, (_, line: string) => `line ${Number(line) + this.rows}`);
      }

      throw error;
    }

    this.rows += result.rowCount ?? result.affectedRows ?? countLines(chunk);
  }

  end(): Promise<number> {
    return Promise.resolve(this.rows);
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });

  return { promise, resolve };
}

class PgliteTransaction implements SqlTransaction {
  private ended = false;

  constructor(
    private readonly tx: PgliteTransactionLike,
    private readonly outcome: Deferred<'commit' | 'rollback'>,
    private readonly settled: Promise<void>,
    private readonly options: PgliteQueryOptions,
    readonly setupRows: readonly (string | null)[][],
  ) {}

  async query(sql: string, params: readonly SqlParam[] = []): Promise<RawResult> {
    return toRawResult(await this.tx.query(sql, [...params], this.options));
  }

  copyIn(target: string): Promise<CopySink> {
    return Promise.resolve(new PgliteCopySink(this.tx, target, this.options));
  }

  async commit(): Promise<void> {
    this.markEnded();
    this.outcome.resolve('commit');
    await this.settled;
  }

  async rollback(): Promise<void> {
    this.markEnded();
    this.outcome.resolve('rollback');

    try {
      await this.settled;
    } catch {
      // A failed ROLLBACK leaves nothing to undo: PGlite ends the transaction either way.
    }
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Runs the statement, then rolls back. PGlite runs in this process, so there is no round trip to save. */
  async queryAndRollback(sql: string, params: readonly SqlParam[] = []): Promise<RawResult> {
    try {
      return await this.query(sql, params);
    } finally {
      await this.rollback();
    }
  }

  private markEnded(): void {
    if (this.ended) {
      throw new Error('the transaction has already been committed or rolled back');
    }

    this.ended = true;
  }
}

/**
 * Embedded PostgreSQL in this process. PGlite has one session, so a
 * transaction locks out every other caller until it ends, and statements run
 * one at a time.
 */
export class PgliteBackend implements Backend {
  readonly kind = 'pglite';
  /** The `sessionSetup` statements the session has run. */
  private readonly sessionSetups = new Set<string>();

  private constructor(
    private readonly db: PgliteLike,
    private readonly options: PgliteQueryOptions,
  ) {}

  static async open(options: PgliteBackendOptions = {}): Promise<PgliteBackend> {
    const db = await (options.factory ?? defaultFactory)(options.dataDir);
    // PGlite converts values of the types it has parsers for (dates, numbers, JSON, arrays)
    // to JavaScript and back; identity converters for every type keep the
    // PostgreSQL text, exactly as `pg` returns it with raw type parsers.
    const types = await db.query('SELECT oid::int4::text FROM pg_catalog.pg_type', [], {
      rowMode: 'array',
      parsers: {},
      serializers: {},
    });
    const identity: ValueConverters = {};

    for (const row of types.rows as string[][]) {
      identity[Number(row[0])] = (value: string) => value;
    }

    return new PgliteBackend(db, { rowMode: 'array', parsers: identity, serializers: identity });
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<RawResult> {
    return toRawResult(await this.db.query(sql, [...params], this.options));
  }

  begin(setup?: string, sessionSetup?: string): Promise<SqlTransaction> {
    return new Promise((resolveTransaction, rejectTransaction) => {
      const outcome = deferred<'commit' | 'rollback'>();
      let started = false;
      const settled = this.db.transaction(async (tx) => {
        // The one session runs transactions one at a time, so this check cannot race.
        if (sessionSetup !== undefined && !this.sessionSetups.has(sessionSetup)) {
          await tx.exec(sessionSetup);
          this.sessionSetups.add(sessionSetup);
        }

        // A failure here rolls the transaction back and rejects `begin`.
        const results = setup === undefined ? [] : await tx.exec(setup, this.options);
        const setupRows = results.flatMap((result) => result.rows as (string | null)[][]);

        started = true;
        resolveTransaction(new PgliteTransaction(tx, outcome, settled, this.options, setupRows));

        if ((await outcome.promise) === 'rollback') {
          await tx.rollback();
        }
      });

      settled.catch((error: unknown) => {
        if (!started) {
          rejectTransaction(error);
        }
      });
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
