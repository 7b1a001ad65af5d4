import { type ColumnType, type Value } from '@rokks/transform';

export const LOAD_MODES = ['create', 'replace', 'append', 'upsert'] as const;

/**
 * - `create`: a new table; CONFLICT when the logical name exists.
 * - `replace`: all rows replaced by the load's rows (the table is created when missing).
 * - `append`: the load's rows added (the table is created when missing).
 * - `upsert`: rows whose key equals a loaded row's key replaced, others added;
 *   of loaded rows with the same key the last one wins.
 */
export type LoadMode = (typeof LOAD_MODES)[number];

/** A column of the incoming rows, by logical name; `label` is the header text for a new column. */
export interface LoadColumn {
  name: string;
  label?: string;
  type: ColumnType;
}

export interface LoadOptions {
  workspace: string;
  /** Logical name of the target table. */
  table: string;
  /** Identifies the load: a load id that committed once is never applied again. */
  loadId: string;
  mode: LoadMode;
  /** The columns of each row, in row order. */
  columns: readonly LoadColumn[];
  /** Logical names of the key columns, for `upsert`. */
  key?: readonly string[];
  /** Logical name of the time column, used when the load creates the table. */
  timeColumn?: string;
}

export interface LoadResult {
  loadId: string;
  tableId: string;
  table: string;
  mode: LoadMode;
  rowsLoaded: number;
  /** Rows of the table after the load; absent when the load had already been applied. */
  rowCount?: number;
  /** Logical names of columns this load added to an existing table. */
  addedColumns: string[];
  /** True when this load id had committed before and nothing was changed now. */
  alreadyApplied: boolean;
}

/**
 * A load in progress: one database transaction. Each write resolves when the
 * database accepted the chunk, so awaiting it is the back-pressure. Nothing is
 * visible to readers before `commit` resolves; `abort`, a failed write or a
 * lost connection leave the table as it was.
 */
export interface LoadWriter {
  readonly loadId: string;
  /** True when the load id had committed before: writes are ignored and commit changes nothing. */
  readonly alreadyApplied: boolean;
  /** Writes typed rows, each with one value per load column. */
  writeRows(rows: readonly (readonly Value[])[]): Promise<void>;
  /** Writes ready COPY text (tab-separated, `\N` for null) ending at a row boundary. */
  writeCopyText(text: string): Promise<void>;
  commit(): Promise<LoadResult>;
  abort(): Promise<void>;
}
