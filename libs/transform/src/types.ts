/**
 * Shared types of the transformation library. The spec format follows the
 * browser-facing contract: the same JSON object runs in the browser preview
 * and in the backend load.
 */

export const COLUMN_TYPES = [
  'text',
  'integer',
  'float',
  'numeric',
  'boolean',
  'date',
  'timestamp',
  'timestamptz',
  'json',
] as const;

export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * A value as it arrives from a reader: CSV fields are strings, a field that
 * was empty and unquoted is null; JSON and NDJSON readers may also pass
 * numbers, booleans, bigints, arrays and objects.
 */
export type RawValue = string | number | boolean | bigint | null | readonly unknown[] | object;

/**
 * A typed value inside the transformer, by column type:
 * - text: string
 * - integer: bigint (64-bit signed, never through a double)
 * - float: number
 * - numeric: canonical decimal string (`-12.50` keeps its digits, no exponent)
 * - boolean: boolean
 * - date: `YYYY-MM-DD`
 * - timestamp: `YYYY-MM-DDTHH:mm:ss[.f]` without a zone
 * - timestamptz: `YYYY-MM-DDTHH:mm:ss[.f]Z`, always UTC
 * where the optional fraction has 1 to 6 digits with trailing zeros dropped,
 * as PostgreSQL prints it, so equal instants always give equal strings
 * - json: the JSON text, normalised by `JSON.stringify`
 * and null for SQL NULL in every type.
 */
export type Value = string | number | bigint | boolean | null;

export interface CastOptions {
  /** date-fns format tokens (`dd/MM/yyyy`, `MMM d yyyy`), or `epoch_s` / `epoch_ms`. */
  format?: string;
  /** IANA zone that applies to date-times written without an offset. */
  timezone?: string;
  decimalSeparator?: string;
  thousandsSeparator?: string;
  trueValues?: readonly string[];
  falseValues?: readonly string[];
}

/** The result of converting one value: either the typed value or the reason it failed. */
export type CastResult = { ok: true; value: Value } | { ok: false; reason: string };

/** Converts one raw or typed value to the target type; created once per column and reused per row. */
export type Caster = (value: RawValue | Value) => CastResult;

export type Step =
  | { op: 'select'; columns: string[] }
  | { op: 'drop'; columns: string[] }
  | { op: 'rename'; from: string; to: string }
  | ({ op: 'cast'; column: string; type: ColumnType } & CastOptions)
  | { op: 'derive'; column: string; type?: ColumnType; expr: string }
  | { op: 'filter'; expr: string }
  | { op: 'fill'; column: string; method: 'constant' | 'previous'; value?: unknown }
  | { op: 'trim'; columns?: string[] }
  | { op: 'replace'; column: string; find: string; replace: string; regex?: boolean }
  | { op: 'split'; column: string; separator: string; into: string[] }
  | { op: 'dedupe'; keys: string[]; keep: 'first' | 'last' }
  | { op: 'nulls'; values: string[]; columns?: string[] };

export type OnErrorPolicy = 'fail' | 'reject-row' | 'null';

export interface TransformSpec {
  steps: Step[];
  onError?: OnErrorPolicy;
}

/** A source column as profiling saw it: its header text and the type and cast options inferred for it. */
export interface InputColumn {
  name: string;
  type?: ColumnType;
  castOptions?: CastOptions;
}

export interface OutputColumn {
  name: string;
  type: ColumnType;
}

/** One bad value: the 1-based source row number as in the file, the column, the raw value and the reason. */
export interface TransformError {
  row: number;
  column: string | null;
  value: string | null;
  message: string;
}

export interface TransformStats {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** Values that became null under the `null` policy. */
  valuesNulled: number;
}

export interface TransformResult {
  columns: OutputColumn[];
  rows: Value[][];
  errors: TransformError[];
  stats: TransformStats;
}

export interface InferredColumn {
  name: string;
  inferredType: ColumnType;
  /** Options a cast needs to read the column as inferred (a date format, a decimal separator). */
  castOptions: CastOptions;
  nullCount: number;
  distinctEstimate: number;
  sample: string[];
  /**
   * True when the values do not settle the type or the date order. `alternatives`
   * lists other readings; it may be non-empty while `ambiguous` is false (an
   * epoch or boolean reading offered as a suggestion).
   */
  ambiguous: boolean;
  alternatives: { type: ColumnType; castOptions: CastOptions }[];
}
