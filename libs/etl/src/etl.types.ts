import { type DetectedFormat, type FileReaderOptions } from '@rokks/file-reader';
import {
  type ColumnType,
  type InferOptions,
  type InferredColumn,
  type JsonValue,
  type TransformStats,
} from '@rokks/transform';

export const LOAD_MODES = ['create', 'replace', 'append', 'upsert'] as const;

/**
 * - `create`: a new table; the target rejects a name that exists.
 * - `replace`: the table's rows are replaced by the loaded rows.
 * - `append`: the loaded rows are added.
 * - `upsert`: rows with a key equal to a loaded row's key are replaced, the others added.
 */
export type LoadMode = (typeof LOAD_MODES)[number];

/** A column of the loaded rows, in row order. */
export interface LoadColumn {
  /** Logical name in the table. */
  name: string;
  /** The header text the column came from (`Cost Total $`), or the name for a derived column. */
  label: string;
  type: ColumnType;
  /** The id (`f_…`) of the existing column this maps onto, or null for a new column. */
  columnId: string | null;
}

/** The request that starts one load. */
export interface LoadRequest {
  /** Logical name of the target table. */
  table: string;
  mode: LoadMode;
  /** Logical names of the key columns for `upsert`; null in the other modes. */
  key: readonly string[] | null;
  /** The load's id. A target must apply each id at most once, so that a retried job does not load twice. */
  loadId: string;
  columns: readonly LoadColumn[];
}

export interface LoadCommitResult {
  tableId: string;
  /** Rows the target stored. */
  rowsLoaded: number;
  /** True when this load id had committed before and the target changed nothing now. */
  alreadyApplied: boolean;
}

/**
 * One load in progress. Nothing may become visible to readers before
 * `commit` resolves, and `abort` must leave the table as it was.
 */
export interface LoadTargetWriter {
  /**
   * Writes PostgreSQL COPY text (tab-separated, `\N` for null) that ends at a
   * row boundary, as a string or as UTF-8 bytes. Resolves when the target
   * has taken the text, so awaiting it is the back-pressure. The caller
   * reuses the bytes once the write resolves, so a target that still needs
   * them then must copy them. The pipeline never has more than one write
   * pending.
   */
  write(copyText: string | Uint8Array): Promise<void>;
  commit(): Promise<LoadCommitResult>;
  abort(): Promise<void>;
}

/** The destination of loads; the worker implements it over the SQL gateway's load API. */
export interface LoadTarget {
  begin(request: LoadRequest): Promise<LoadTargetWriter>;
}

/** A rejects file being written: CSV text in, a file id out. */
export interface RejectsWriter {
  write(csvText: string): Promise<void>;
  /** Finishes the file and returns its id. */
  close(): Promise<string>;
  /** Discards the file. */
  abort(): Promise<void>;
}

/** The factory of rejects files: `runEtl` calls `open` at most once, at the first rejected row. */
export interface RejectsSink {
  open(): Promise<RejectsWriter>;
}

/** A column of an existing table, as the target's metadata stores it. */
export interface ExistingColumn {
  id: string;
  name: string;
  label: string;
  /** The column's type; when given, the file's values are read as this type unless the spec casts them. */
  type?: ColumnType;
}

/**
 * A record or value that could not be loaded as it is: a ragged or malformed
 * record (`column` null, `record` its raw text) or a value that failed a cast
 * or an expression (`column` and `value` set, `record` null).
 */
export interface RowProblem {
  /** 1-based record number, the header being record 1. */
  row: number;
  /** 1-based physical line on which the record starts; null when unknown (rows a keep-last dedupe held back). */
  line: number | null;
  column: string | null;
  /** The raw value; null for a record problem or a null value. */
  value: string | null;
  message: string;
  /** The record's text as it is in the file, for ragged and malformed records. */
  record: string | null;
}

/** Limits of the sample that types are inferred from; profile, preview and load must use the same. */
export interface SampleLimits {
  /** The maximum number of data rows; default 10,000. */
  maxRows?: number;
  /** The maximum number of characters (UTF-16 code units) of string values; default 16 Mi. */
  maxChars?: number;
}

/** Options that decide how a file is read, named and typed. */
export interface ReadSettings {
  read?: FileReaderOptions;
  sample?: SampleLimits;
  infer?: InferOptions;
  /**
   * The columns of the table the file goes into (append, upsert, replace):
   * headers map onto them by label, then by logical name.
   */
  existingColumns?: readonly ExistingColumn[];
}

export interface ReadProgressEvent {
  bytesRead: number;
  rowsRead: number;
}

/** A column of a profiled file. `name` is what a spec refers to; `label` is the header text. */
export interface ProfileColumn extends InferredColumn {
  label: string;
  /** 1-based position in the file. */
  position: number;
  /** The existing column the header maps onto, or null. */
  columnId: string | null;
}

export interface FileProfile {
  format: DetectedFormat['format'];
  encoding: DetectedFormat['encoding'];
  delimiter: string | null;
  header: boolean;
  columns: ProfileColumn[];
  /** The first 100 rows, raw, keyed by column name; bigints are written as strings. */
  rows: Record<string, JsonValue>[];
  /** Malformed records met in the sample, at most 100. */
  rowErrors: RowProblem[];
  /** Data rows the types were inferred from. */
  sampledRows: number;
  /** True when the sample is the whole file. */
  complete: boolean;
}

export interface PreviewColumn {
  name: string;
  label: string;
  type: ColumnType;
}

export interface PreviewResult {
  columns: PreviewColumn[];
  /** The first `limit` output rows, as `toJsonValue` writes them. */
  rows: JsonValue[][];
  /** Rejected rows, nulled values and, under `fail`, the problem that stopped the run; at most `maxErrors`. */
  errors: RowProblem[];
  stats: TransformStats;
  /** True when the `fail` policy stopped the preview. */
  failed: boolean;
  /** Data rows the preview ran over: the sample, which is the head of the file. */
  sampledRows: number;
  complete: boolean;
}

export interface EtlProgress {
  /** Records read from the file, malformed ones included. */
  rowsRead: number;
  /** Rows the load target has taken; they become visible at commit. */
  rowsLoaded: number;
  rowsRejected: number;
}

export interface EtlTargetOptions {
  /** Logical name of the table. */
  table: string;
  mode: LoadMode;
  /** Key columns (output column names) for `upsert`. */
  key?: readonly string[];
}

export interface EtlResult {
  tableId: string;
  table: string;
  rowsLoaded: number;
  rowsRejected: number;
  /** Bad values that became null under the `null` policy. */
  valuesNulled: number;
  rejectsFileId?: string;
  columns: LoadColumn[];
  alreadyApplied: boolean;
}
