/**
 * The database seen through one interface, so PostgreSQL (through `pg`) and
 * embedded PGlite run the same SQL. Every statement goes through the extended
 * query protocol, which accepts exactly one statement per call, and every value
 * comes back as the text PostgreSQL sent, so encoding is the same on both.
 */

/** A parameter value; anything else is converted to text by the caller first. */
export type SqlParam = string | null;

export interface ResultField {
  name: string;
  /** The PostgreSQL type oid. */
  typeId: number;
}

export interface RawResult {
  fields: ResultField[];
  /** Values as PostgreSQL's text output, null for SQL NULL. */
  rows: (string | null)[][];
  /** Rows returned or changed, from the command tag; null when the tag has no count. */
  rowCount: number | null;
}

/** A `COPY … FROM STDIN` in progress: chunks of COPY text, each ending at a row boundary. */
export interface CopySink {
  /** Sends one chunk and resolves when the database is ready for the next (back-pressure). */
  write(chunk: string): Promise<void>;
  /** Ends the COPY and returns the number of rows it stored. */
  end(): Promise<number>;
  /** Cancels the COPY so the transaction can roll back; does nothing after `end`. */
  abort(): Promise<void>;
}

export interface SqlSession {
  /** Runs one statement with the extended protocol. */
  query(sql: string, params?: readonly SqlParam[]): Promise<RawResult>;
  /**
   * Starts `COPY <target> FROM STDIN` in text format; `target` is a quoted
   * qualified table name with its column list.
   */
  copyIn(target: string): Promise<CopySink>;
}

/** An open transaction on one connection; exactly one of commit or rollback ends it. */
export interface SqlTransaction extends SqlSession {
  /** Rows the `setup` statements of `begin` returned, in text form and in order; empty without a setup. */
  readonly setupRows: readonly (string | null)[][];
  /** True once `commit`, `rollback` or `queryAndRollback` has ended the transaction. */
  readonly finished: boolean;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Runs one statement as the transaction's last and then rolls the
   * transaction back, whether or not the statement failed. PostgreSQL gets
   * both in one round trip. Resolves or rejects with the statement's outcome,
   * after the transaction has ended.
   */
  queryAndRollback(sql: string, params?: readonly SqlParam[]): Promise<RawResult>;
}

export type BackendKind = 'postgres' | 'pglite';

export interface Backend {
  readonly kind: BackendKind;
  /** Runs one statement outside an explicit transaction. */
  query(sql: string, params?: readonly SqlParam[]): Promise<RawResult>;
  /**
   * Opens a transaction on a connection of its own (PGlite: on the one
   * session, held exclusively). `setup` is trusted SQL of the engine's own,
   * one or more statements without parameters (`SET LOCAL …`, a catalog
   * SELECT), sent with `BEGIN` in the same round trip. `sessionSetup` is
   * trusted SQL (a `PREPARE` the setup uses) that each connection runs once,
   * before the first transaction that passes it. It stays in effect for the
   * connection's life, because a rollback does not undo a `PREPARE`.
   */
  begin(setup?: string, sessionSetup?: string): Promise<SqlTransaction>;
  close(): Promise<void>;
}

/** Runs `work` in a transaction: commits when it resolves, rolls back when it throws. */
export async function inTransaction<T>(
  backend: Backend,
  work: (tx: SqlTransaction) => Promise<T>,
): Promise<T> {
  const tx = await backend.begin();
  let result: T;

  try {
    result = await work(tx);
  } catch (error) {
    await tx.rollback();
    throw error;
  }

  await tx.commit();

  return result;
}
